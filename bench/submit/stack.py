"""The system under test: a fresh database prepared by the CLI, and gunicorn serving wsgi:app."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, make_url, select, text

from bench.submit.loadgen import Request

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROUND_CODE = "bench"


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found next to {sys.executable} nor on PATH")
    return found


@contextlib.contextmanager
def fresh_database(kind: str, pg_base: str = PG_BASE, name: str | None = None) -> Iterator[str]:
    """A new, empty database URL; removed (SQLite file) or dropped (PostgreSQL) afterwards.

    On PostgreSQL the database is created on ``pg_base``'s server, named ``name`` (a
    leftover of that name from an interrupted run is dropped first) or a random name.
    """
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="surveyapp-bench-")
        try:
            yield "sqlite:///" + os.path.join(tmp, "bench.db")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    base = make_url(pg_base)
    leftover = name is not None
    name = name or f"surveyapp_bench_{uuid.uuid4().hex[:12]}"
    if not name.replace("_", "").isalnum():
        raise ValueError(f"database name {name!r}: letters, digits and _ only")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if leftover:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _cli_subprocess(url: str, *args: str) -> str:
    """Run ``surveyapp --database-url URL ARGS...``; its stdout, or RuntimeError with stderr."""
    cmd = [_tool("surveyapp"), "--database-url", url, *args]
    env = dict(
        os.environ,
        SURVEYAPP_SECRET_KEY=os.environ.get("SURVEYAPP_SECRET_KEY") or secrets.token_hex(32),
    )
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def cli_in_process(url: str, *args: str) -> str:
    """:func:`cli` without a new interpreter (click's runner): seconds faster per command."""
    from click.testing import CliRunner

    from surveyapp.cli import main

    result = CliRunner().invoke(main, ["--database-url", url, *args])
    if result.exit_code != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.exit_code}): {result.output.strip()}"
        ) from result.exception
    return result.output


def prepare_database(url: str, now: datetime | None = None, *, in_process: bool = False) -> str:
    """Schema, the shipped questionnaires, an open round ``bench`` of catering, and a
    channel key for posting to it; returns the key (``Authorization: Bearer <key>``)."""
    cli = cli_in_process if in_process else _cli_subprocess
    now = now or datetime.now(UTC)
    period = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    opens = (now - timedelta(days=1)).date().isoformat()
    closes = (now + timedelta(days=365)).date().isoformat()
    cli(url, "db", "upgrade")
    cli(url, "questionnaires", "load")
    cli(
        url,
        "rounds",
        "create",
        "--questionnaire",
        "catering",
        "--period",
        period,
        "--code",
        ROUND_CODE,
        "--opens",
        opens,
        "--closes",
        closes,
    )
    created = cli(url, "keys", "create", "--name", "bench", "--channel", "miniprogram")
    return created.strip().splitlines()[-1]  # the key is the last line


def key_header(key: str) -> tuple[tuple[str, str]]:
    """The header of a channel key, as :class:`~bench.submit.loadgen.Request` takes it."""
    return (("Authorization", f"Bearer {key}"),)


def keyed_posts(bodies: list[bytes], key: str, code: str = ROUND_CODE) -> list[Request]:
    """A submission request per JSON body, each with the channel key ``key``."""
    path = f"/api/v1/rounds/{code}/responses"
    return [Request("POST", path, b, "application/json", key_header(key)) for b in bodies]


cli = _cli_subprocess


def stored_ids(url: str, code: str = ROUND_CODE) -> tuple[list[str], int]:
    """(uid of every response of round ``code``, number of rows in the response table)."""
    from surveyapp.models import Response, Round

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            uids = list(
                conn.scalars(
                    select(Response.uid)
                    .join(Round, Round.id == Response.round_id)
                    .where(Round.code == code)
                )
            )
            total = conn.scalar(select(func.count()).select_from(Response))
    finally:
        engine.dispose()
    return uids, int(total or 0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """``gunicorn -w N -b 127.0.0.1:<free port> wsgi:app`` in the repository root."""

    def __init__(
        self,
        url: str,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 4,
        log_dir: str | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        *,
        app: str = "wsgi:app",
        cpus: str | None = None,
        stderr_path: str | None = None,
        nice: int = 0,
    ):
        self.url = url
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.host = "127.0.0.1"
        self.port = free_port()
        self.log_dir = log_dir or tempfile.mkdtemp(prefix="surveyapp-bench-log-")
        self.log_path = os.path.join(self.log_dir, f"gunicorn-{self.port}.log")
        self.extra_args = extra_args
        self.env = dict(env or {})  # more SURVEYAPP_* settings for the app
        self.app = app  # the WSGI application, module:name
        self.cpus = cpus  # taskset's CPU list for the server (master and workers), or None
        self.stderr_path = stderr_path  # the app's stderr (its access log); None: discarded
        self.nice = nice  # scheduling priority change (negative: ahead of other work; root)
        self.proc: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        cmd = [_tool("gunicorn"), "-w", str(self.workers), "-b", f"{self.host}:{self.port}"]
        if self.cpus is not None:
            cmd = [_tool("taskset"), "-c", self.cpus, *cmd]
        if self.nice:
            cmd = [_tool("nice"), "-n", str(self.nice), *cmd]
        if self.worker_class != "sync":
            cmd += ["-k", self.worker_class]
        if self.worker_class == "gthread":
            cmd += ["--threads", str(self.threads)]
        return [
            *cmd,
            "--log-level",
            "warning",
            "--error-logfile",
            self.log_path,
            *self.extra_args,
            self.app,
        ]

    def start(self, timeout: float = 180.0) -> None:
        env = dict(
            os.environ,
            SURVEYAPP_DATABASE_URL=self.url,
            SURVEYAPP_RATELIMIT_ENABLED="0",
            SURVEYAPP_SECRET_KEY=secrets.token_hex(32),
        )
        env.update(self.env)  # may turn the rate limits back on
        stderr = open(self.stderr_path, "ab") if self.stderr_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        finally:
            if stderr is not subprocess.DEVNULL:
                stderr.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}"
        )

    def _healthy(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        master = self.proc.pid
        try:
            with open(f"/proc/{master}/task/{master}/children", encoding="ascii") as fh:
                return [int(p) for p in fh.read().split()]
        except OSError:
            return []

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (graceful: workers finish their requests), SIGKILL after ``timeout``."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                return "".join(fh.readlines()[-lines:])
        except OSError:
            return ""

    def log_problems(self) -> list[str]:
        """Lines of the error log that mean something went wrong in a worker."""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                text_ = fh.read()
        except OSError:
            return []
        marks = ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT")
        return [line for line in text_.splitlines() if any(m in line for m in marks)]

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
