"""Real-browser fixtures: the app on a demo database, Debian's Chromium driven by Playwright.

One server for the whole run: a fresh SQLite file seeded by ``surveyapp demo --no-serve
--per-round 60`` (``surveyapp bulletin publish`` adds the previous quarter's bulletin
when the demo has not), and ``surveyapp serve`` (gunicorn, two workers) on a free
loopback port, all subprocesses of this test run, started with this interpreter, so
``PYTHONPATH`` decides which copy of the code they serve.

Pages are opened in fresh browser contexts shaped like a cheap Android phone: a 360x640
CSS-pixel viewport, touch, device pixel ratio 2.  Each context has a user-agent string of
its own, so the one-response-per-browser check of the survey (hashed IP + browser)
sees every context as a different resident.

Without Chromium (``/usr/bin/chromium``, or ``SURVEYAPP_CHROMIUM``) or the ``playwright``
package the whole folder is skipped, unless the ``CI`` variable is set: then it fails.
Measured figures go to ``results.txt`` and the end of the pytest output; phone
screenshots to ``screenshots/`` (both ignored by git).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_checks import (
    PHONE,
    axe_source,
    axe_violations,
    overflow_problems,
    tap_target_problems,
    text_size_problems,
)

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
RESULTS = HERE / "results.txt"

CHROMIUM = os.environ.get("SURVEYAPP_CHROMIUM", "/usr/bin/chromium")
# Chromium as root in a container, on a machine with no outside network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
SECRET = "browser-tests-secret-key-0123456789abcdef"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def _missing() -> str | None:
    if sync_playwright is None:
        return "the playwright package is not installed (pip install playwright)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium (tests/browser)")


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the measured figures and where the screenshots are, for the CI log."""
    if not _results.lines:
        return
    terminalreporter.section("browser measurements")
    for line in _results.lines:
        terminalreporter.write_line(line)
    shots = sorted(SCREENSHOTS.glob("*.png"))
    if shots:
        terminalreporter.write_line(f"screenshots ({len(shots)}) in {SCREENSHOTS}:")
        for shot in shots:
            terminalreporter.write_line(f"  {shot.name}")


@dataclass
class Results:
    """Figures measured by the tests: printed at the end, kept in ``results.txt``."""

    lines: list[str] = field(default_factory=list)

    def record(self, line: str) -> None:
        self.lines.append(line)


_results = Results()


@pytest.fixture(scope="session")
def results() -> Iterator[Results]:
    yield _results
    header = f"# surveyapp browser measurements, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n"
    partial = RESULTS.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(header + "".join(f"{line}\n" for line in _results.lines), encoding="utf-8")
    partial.replace(RESULTS)  # whole, even when two runs share the folder


def _cli(*args: str) -> list[str]:
    """The ``surveyapp`` command of the running interpreter (PYTHONPATH decides the code)."""
    return [sys.executable, "-c", "from surveyapp.cli import main; main()", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {seconds} s:\n{log.read_text()}")


@dataclass(frozen=True)
class Server:
    url: str
    database: Path  # the SQLite file, for reading stored responses directly
    current: str  # the open quarter of the demo rounds, e.g. 2026Q4
    previous: str  # the closed quarter, which has a published bulletin
    bulletin: Callable[[], None]  # waits until the bulletin is published
    env: dict[str, str]  # the environment of the server, for `surveyapp` commands

    def round_code(self, sector: str) -> str:
        return f"{sector}-{self.current}".lower()

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run ``surveyapp ARGS`` on the server's database; its output."""
        done = subprocess.run(
            _cli(*args), env=self.env, input=stdin, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@pytest.fixture(scope="session")
def browser_ready() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def server(browser_ready, tmp_path_factory) -> Iterator[Server]:
    from surveyapp.demo import previous_quarter
    from surveyapp.rounds.service import current_quarter

    folder = tmp_path_factory.mktemp("browser-app")
    database = folder / "demo.db"
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{database}",
        "SURVEYAPP_SECRET_KEY": SECRET,
        # Every test phone comes from 127.0.0.1, like a service hall's kiosks: exempt it
        # from the per-address rate limit and burst flag, as such a network would be.
        "SURVEYAPP_RATELIMIT_TRUSTED": "127.0.0.1/32,::1/128",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SURVEYAPP_TEST_DATABASE_URL", None)
    seeded = subprocess.run(
        _cli("demo", "--no-serve", "--per-round", "60"),
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr

    current = current_quarter()
    previous = previous_quarter(current)
    with sqlite3.connect(database) as conn:
        published = conn.execute(
            "SELECT count(*) FROM bulletin WHERE period = ?", (previous,)
        ).fetchone()[0]
    # The demo publishes the closed quarter's bulletin itself; when it does not, publish
    # it here, in the background while the tests start (rendering takes seconds).
    publishing = None
    bulletin_log = folder / "bulletin.log"
    if not published:
        with bulletin_log.open("w") as out:
            publishing = subprocess.Popen(
                _cli("bulletin", "publish", "--period", previous),
                env=env,
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_for_bulletin() -> None:
        if publishing is not None:
            code = publishing.wait(timeout=180)
            assert code == 0, bulletin_log.read_text()

    port = _free_port()
    server_log = folder / "server.log"
    with server_log.open("w") as out:
        proc = subprocess.Popen(
            _cli("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"),
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, server_log)
        yield Server(url, database, current, previous, wait_for_bulletin, env)
    finally:
        proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if publishing is not None and publishing.poll() is None:
            publishing.kill()
            publishing.wait()


@pytest.fixture(scope="session")
def playwright(browser_ready) -> Iterator[Any]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


AXE_PREFIX = Path.home() / ".cache/surveyapp-axe"


def install_axe() -> str | None:
    """``npm install --prefix ~/.cache/surveyapp-axe axe-core@4`` (as .ci/run does); why
    not, when it could not be done (no npm, no network)."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (apt-get install npm)"
    done = subprocess.run(
        [npm, "install", "--prefix", str(AXE_PREFIX), "--no-audit", "--no-fund", "--silent",
         "axe-core@4"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return None if done.returncode == 0 else f"npm install failed: {done.stderr.strip()[-300:]}"


@pytest.fixture(scope="session")
def axe(browser_ready) -> str:
    """The axe-core script (``axe.min.js``), installed with npm on first use when missing
    (a new machine needs no step of its own); skipped locally when that cannot be done
    (no npm, no network), failed in CI."""
    source = axe_source()
    why = None
    if source is None and not os.environ.get("SURVEYAPP_AXE_JS"):
        why = install_axe()
        source = axe_source()
    if source is None:
        reason = (
            "axe-core not found"
            + (f" ({why})" if why else "")
            + ": npm install --prefix ~/.cache/surveyapp-axe axe-core@4, "
            "or set SURVEYAPP_AXE_JS to an axe.min.js"
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return source


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder of phone screenshots; each run overwrites the files it takes."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


_phone_numbers = itertools.count(1)


def phone_options(base_url: str, *, js: bool = True, locale: str = "zh-CN") -> dict[str, Any]:
    """Context options of a cheap Android phone, with a user-agent string of its own."""
    return {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "java_script_enabled": js,
        "locale": locale,
        "user_agent": f"{PHONE_UA} surveyapp-test-phone/{next(_phone_numbers)}",
        "base_url": base_url,
    }


class Phones:
    """Opens fresh phone-shaped browser contexts; :meth:`close` closes them all."""

    def __init__(self, browser: Any, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []

    def open(self, *, js: bool = True, locale: str = "zh-CN"):
        """A new page in a new context (its own cookies and cache); ``js`` off or on."""
        context = self.browser.new_context(**phone_options(self.base_url, js=js, locale=locale))
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def new_phone(chromium, server) -> Iterator[Callable[..., Any]]:
    """``new_phone(js=True, locale="zh-CN")``: a page on a fresh phone."""
    phones = Phones(chromium, server.url)
    yield phones.open
    phones.close()


@pytest.fixture(scope="module")
def module_phones(chromium, server) -> Iterator[Phones]:
    """Phones whose pages stay open for a whole test module."""
    phones = Phones(chromium, server.url)
    yield phones
    phones.close()


@pytest.fixture(scope="module")
def sign_in(module_phones, server) -> Callable[..., Any]:
    """``sign_in(username, password, role, sector=None)``: makes the account with
    ``surveyapp users create`` (no change of password asked) and signs it in on a phone of
    this module; the signed-in page."""

    def sign_in(username: str, password: str, role: str, sector: str | None = None) -> Any:
        server.cli(
            "users", "create", "--username", username, "--role", role,
            *(("--sector", sector) if sector else ()),
            "--password-stdin", "--no-must-change", stdin=password + "\n",
        )  # fmt: skip
        page = module_phones.open()
        page.goto("/login")
        page.locator("#username").fill(username)
        page.locator("#password").fill(password)
        with page.expect_navigation(timeout=60_000):
            page.locator("form button[type=submit]").tap()
        return page

    return sign_in


@pytest.fixture(scope="session")
def fits_a_phone(axe) -> Callable[[Any], None]:
    """``fits_a_phone(page)`` asserts the phone bar of a page with JavaScript on: 18 px
    text, no horizontal scrolling, 44 px tap targets, no serious or critical axe finding."""

    def fits_a_phone(page: Any) -> None:
        assert text_size_problems(page) == []
        assert overflow_problems(page) == []
        assert tap_target_problems(page) == []
        assert axe_violations(page, axe) == []

    return fits_a_phone


@pytest.fixture
def downloading_phone(playwright, server, tmp_path) -> Iterator[Any]:
    """A page in a browser that saves PDFs instead of showing them, as Android Chrome does.

    A browser of its own: the setting is a profile preference, so it needs a profile.
    """
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    prefs = {"plugins": {"always_open_pdf_externally": True}}
    (profile / "Default" / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        accept_downloads=True,
        **phone_options(server.url),
    )
    context.set_default_timeout(10_000)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()
