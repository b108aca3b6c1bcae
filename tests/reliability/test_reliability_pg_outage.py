"""PostgreSQL stopped in the middle of a run: clear 503s, answers kept, recovery by itself.

The machine's own PostgreSQL is shared (other test runs, CI), so the test starts a
private cluster (``initdb`` in a temporary directory, a free port, a socket directory of
its own) and stops and starts that one.  gunicorn serves the app from it while
background clients submit through the API and walk the HTML survey.  Mid-run the
cluster is stopped (``pg_ctl stop -m fast``: the server ends every session, as a
restart or fail-over does):

- the API answers 503 with ``Retry-After`` and a JSON error, the survey answers 503 with
  ``Retry-After`` and the resident's own page with every answer kept, ``/readyz`` says
  not ready, ``/healthz`` stays up (the process is fine);
- when the cluster is started again the same gunicorn recovers without a restart:
  ``/readyz`` is ready, the kept page resubmitted as it is gets the thank-you redirect,
  the API retry gets its 201;
- reconciliation: every submission (an API device id, a resident's device cookie) that
  got a success is stored exactly once, every stored row belongs to one of them and is
  whole, and no client ever saw a 500.

Skipped when the PostgreSQL server binaries are not installed; in CI (``CI`` set) that
fails instead, as the browser tests do.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select, text

from bench.load.resident import (
    DEVICE_COOKIE,
    FORM_TYPE,
    CookieJar,
    SurveyPage,
    answer,
    device_hash,
    device_id,
    parse_page,
    resend,
)
from bench.submit.common import submission_bodies
from bench.submit.stack import ROUND_CODE, Gunicorn, free_port, prepare_database
from surveyapp.models import Response, Round
from surveyapp.questionnaire import builtin_dir, load_questionnaire

pytestmark = pytest.mark.slow

READY_WAIT = 60.0  # seconds: bounds on waiting for a state, never asserted durations


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the PostgreSQL outage test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class PrivateCluster:
    """A throw-away PostgreSQL server: its own directory, port and socket; trust auth."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = found[-1] if found else shutil.which("initdb")
        if not initdb:
            _unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = os.path.dirname(initdb)
        self.user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                _unavailable("running as root and there is no 'postgres' user for initdb")
            self.user = ["runuser", "-u", "postgres", "--"]
        self.dir = tempfile.mkdtemp(prefix="surveyapp-pg-outage-")
        if self.user:
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [*self.user, os.path.join(self.bin, tool), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-N",
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        self._run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            os.path.join(self.dir, "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        cmd = [*self.user, os.path.join(self.bin, "pg_ctl"), "-D", self.data, "status"]
        return subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0

    def remove(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            try:
                self.stop()
            except RuntimeError:
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def private_cluster():
    pg = PrivateCluster()
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.remove()


@pytest.fixture
def cluster(private_cluster):
    """The private cluster, running: a test that failed mid-outage leaves it stopped."""
    if not private_cluster.running():
        private_cluster.start()
    return private_cluster


# --- HTTP clients ------------------------------------------------------------------------


def _http(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.headers, reply.read()
    finally:
        conn.close()


class Resident:
    """A browser on the survey: its own address and cookies; remembers what it sent."""

    def __init__(self, port: int, n: int, rng: random.Random):
        self.port, self.rng = port, rng
        self.jar = CookieJar()
        self.identity = {
            "User-Agent": f"outage-test/{n}",
            "Accept": "text/html",
            "X-Forwarded-For": f"10.77.{n // 256}.{n % 256}",
        }
        self.centre = rng.uniform(2.5, 4.8)
        self.page: SurveyPage | None = None
        self.sent: dict[str, str] = {}

    def request(self, method: str, body: list[tuple[str, str]] | None = None):
        headers = dict(self.identity, **dict(self.jar.header()))
        data = None
        if body is not None:
            data = urlencode(body).encode("ascii")
            headers["Content-Type"] = FORM_TYPE
        status, head, raw = _http(self.port, method, f"/s/{ROUND_CODE}", data, headers)
        self.jar.update(head.get_all("Set-Cookie") or [])
        page = parse_page(raw.decode("utf-8"))
        if page is not None:
            self.page = page
        return status, head, page

    def open(self):
        return self.request("GET")

    def post_answers(self):
        """Answer the page shown and send it (next, or submit on the last page)."""
        body = answer(self.page, self.rng, self.centre)
        self.sent = {k: v for k, v in body if k in self.page.choices or k in self.page.texts}
        return self.request("POST", body)

    def post_again(self):
        """Press the button again on the page the server sent back."""
        return self.request("POST", resend(self.page))

    def kept(self, page: SurveyPage | None) -> bool:
        """The page shows every answer of the last POST as the resident gave it."""
        if page is None:
            return False
        shown = {**dict(page.fields), **page.checked, **page.written}
        return all(shown.get(k) == v for k, v in self.sent.items())

    @property
    def device(self) -> str | None:
        return device_id(self.jar.get(DEVICE_COOKIE))


class Load:
    """Background clients: API kiosks and residents, each retrying a 503 until it is taken."""

    def __init__(self, port: int, bodies: list[bytes], key: str, threads: int = 4):
        self.port, self.bodies = port, bodies
        self.api_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.api_done: dict[str, int] = {}  # device id -> final status (201, or 409)
        self.html_done: dict[str, int] = {}  # device id -> final status (303, or 409)
        self.refused_503: dict[str, int] = Counter()  # kind -> 503 replies
        self.problems: list[str] = []
        self.threads = [
            threading.Thread(target=self._run, args=(k,), daemon=True) for k in range(threads)
        ]

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(READY_WAIT)
        if any(t.is_alive() for t in self.threads):
            self.problems.append("a load thread did not finish")

    def successes(self) -> int:
        with self.lock:
            return len(self.api_done) + len(self.html_done)

    def _note(self, kind: str, status: int) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            if status == 503:
                self.refused_503[kind] += 1

    def _problem(self, text_: str) -> None:
        with self.lock:
            self.problems.append(text_)

    def _run(self, k: int) -> None:
        rng = random.Random(k)
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                if k % 2:
                    self._api(rng, f"kiosk-{k}-{n}")
                else:
                    self._resident(rng, 1000 * (k + 1) + n)  # the waiting resident is 1
            except OSError as exc:  # the app itself never goes away in this test
                self._problem(f"transport error: {exc!r}")
                return

    def _retry_pause(self, headers) -> bool:
        """Check the 503's Retry-After, then wait a little (less than it asks: the test is short)."""
        if not (headers.get("Retry-After") or "").isdigit() or int(headers["Retry-After"]) < 1:
            self._problem(f"503 without a usable Retry-After: {headers.get('Retry-After')!r}")
        time.sleep(0.2)
        return True

    def _api(self, rng: random.Random, device: str) -> None:
        body = json.loads(rng.choice(self.bodies))
        body["device_id"] = device  # the kiosk's id for this response: a retry cannot double it
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        refused = False
        for _ in range(400):
            status, headers, reply = _http(
                self.port,
                "POST",
                f"/api/v1/rounds/{ROUND_CODE}/responses",
                raw,
                self.api_headers,
            )
            self._note("api", status)
            if status in (201, 409):
                if status == 409 and not refused:
                    self._problem(f"API 409 for {device} without an earlier refusal")
                with self.lock:
                    self.api_done[device] = status
                return
            if status != 503:
                self._problem(f"API {status}: {reply[:200]!r}")
                return
            error = json.loads(reply)
            if error.get("error") != "unavailable" or not error.get("message"):
                self._problem(f"API 503 body {error!r}")
            refused = True
            self._retry_pause(headers)
        self._problem(f"API submission {device} never taken")

    def _resident(self, rng: random.Random, n: int) -> None:
        person = Resident(self.port, n, rng)
        status, headers, page = person.open()
        self._note("survey_get", status)
        if status != 200:  # the first page could not be built: a notice; come back later
            if status != 503:
                self._problem(f"survey GET {status}")
            self._retry_pause(headers)
            return
        refused = False
        status, headers, page = person.post_answers()
        for _ in range(400):
            kind = "survey_submit" if person.sent.keys() & set(person.page.texts) else "survey_page"
            self._note(kind, status)
            if status == 503:
                refused = True
                if not person.kept(page):
                    self._problem(f"503 page without the resident's answers ({kind})")
                    return
                self._retry_pause(headers)
                status, headers, page = person.post_again()
                continue
            if status == 200 and page is not None and page.page > 0:
                status, headers, page = person.post_answers()
                continue
            if status in (303, 409):
                if status == 409 and not refused:
                    self._problem("survey 409 without an earlier refusal")
                with self.lock:
                    self.html_done[person.device] = status
                return
            self._problem(f"survey {kind} {status}")
            return
        self._problem("a resident never got through")


# --- the test ----------------------------------------------------------------------------


# a gunicorn config whose hook marks each worker once it has loaded wsgi.py (and warmed)
READY_HOOK = """
import os


def post_worker_init(worker):
    open(os.path.join({folder!r}, str(worker.pid)), "w").close()
"""


def _wait(predicate, what: str) -> None:
    deadline = time.monotonic() + READY_WAIT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {READY_WAIT:.0f} s")
        time.sleep(0.1)


def _status(port: int, path: str) -> int:
    return _http(port, "GET", path)[0]


def _rows(url: str) -> tuple[str, list[tuple[str | None, int, int]], int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            round_id, salt = conn.execute(
                select(Round.id, Round.salt).where(Round.code == ROUND_CODE)
            ).one()
            rows = conn.execute(
                select(
                    Response.device_hash,
                    func.length(Response.answers),
                    func.length(Response.profile),
                ).where(Response.round_id == round_id)
            ).all()
            total = conn.scalar(select(func.count()).select_from(Response))
    finally:
        engine.dispose()
    return salt, [tuple(r) for r in rows], int(total or 0)


def test_stopping_postgresql_mid_run_is_a_clear_503_and_the_app_recovers(cluster, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ACCESS_LOG", "0")
    url = cluster.url
    key = prepare_database(url, in_process=True)
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    bodies = submission_bodies(q.definition, 50, seed=21)
    ready = tempfile.mkdtemp(prefix="surveyapp-outage-ready-")
    hook = os.path.join(ready, "gunicorn_ready.py")
    with open(hook, "w", encoding="utf-8") as fh:
        fh.write(READY_HOOK.format(folder=ready))
    server = Gunicorn(url, workers=2, env={"SURVEYAPP_TRUST_PROXY": "1"}, extra_args=("-c", hook))
    with server:
        port = server.port
        # every worker has read the open rounds (wsgi.py) before the cut: a worker still
        # booting when the server stops has nothing to re-draw a page from (documented)
        _wait(
            lambda: {f"{p}" for p in server.worker_pids()} <= set(os.listdir(ready)),
            "every worker to have loaded the application",
        )
        waiting = Resident(port, 1, random.Random(99))  # will submit during the outage
        assert waiting.open()[0] == 200
        while waiting.page.action == "next":
            assert waiting.post_answers()[0] == 200
        with Load(port, bodies, key) as load:
            _wait(lambda: load.successes() >= 12, "submissions before the cut")
            cluster.stop()

            # the database is gone: every door says so, clearly
            status, headers, reply = _http(
                port,
                "POST",
                f"/api/v1/rounds/{ROUND_CODE}/responses",
                bodies[0],
                load.api_headers,
            )
            assert status == 503, reply[:300]
            assert int(headers["Retry-After"]) >= 1
            error = json.loads(reply)
            assert error["error"] == "unavailable" and error["message"]

            status, headers, page = waiting.post_answers()  # the last page: submit
            assert status == 503
            assert int(headers["Retry-After"]) >= 1
            assert page is not None and page.action == "submit"
            assert waiting.kept(page), (waiting.sent, page.checked, page.written)
            earlier = dict(page.fields)  # the other pages' answers travel as hidden inputs
            assert earlier["r_district"] and earlier["a_hyg_fresh"]

            status, headers, _ = _http(port, "GET", "/readyz")
            assert status == 503 and int(headers["Retry-After"]) >= 1
            assert _status(port, "/healthz") == 200
            status, headers, body = _http(port, "GET", f"/s/{ROUND_CODE}")
            assert status == 503 and int(headers["Retry-After"]) >= 1
            assert "系统繁忙" in body.decode("utf-8")
            _wait(
                lambda: load.refused_503["api"] and sum(load.refused_503.values()) >= 6,
                "the background clients to meet the outage",
            )

            cluster.start()
            _wait(lambda: _status(port, "/readyz") == 200, "/readyz to say ready again")
            status, headers, page = waiting.post_again()  # the kept page, sent as it is
            assert status == 303, page
            assert headers["Location"].split("?")[0].endswith(f"/s/{ROUND_CODE}/thanks")
            after = load.successes()
            _wait(lambda: load.successes() >= after + 12, "submissions after the recovery")
        assert server.proc.poll() is None  # the same gunicorn all along: no restart

    assert load.problems == []
    assert server.log_problems() == []  # no request ended in a traceback
    assert not [k for k in load.statuses if k[1] >= 500 and k[1] != 503]
    # reconciliation: one row per submission that was taken, nothing else, every row whole
    salt, rows, total = _rows(url)
    expected = [device_hash(salt, d) for d in [*load.api_done, *load.html_done, waiting.device]]
    stored = [dev for dev, _a, _p in rows]
    assert len(expected) == len(set(expected))
    assert sorted(stored) == sorted(expected), (
        f"{len(set(stored) - set(expected))} rows without a taken submission, "
        f"{len(set(expected) - set(stored))} taken submissions not stored; {load.statuses}"
    )
    assert total == len(rows)
    sizes = (
        sum(len(d["items"]) for d in q.definition["dimensions"]) + 1,
        len(q.definition["respondent"]),
    )
    assert all((a, p) == sizes for _d, a, p in rows)
    shutil.rmtree(server.log_dir, ignore_errors=True)  # kept only when something failed
    shutil.rmtree(ready, ignore_errors=True)


def test_database_gone_at_the_rounds_own_lookup_keeps_the_answers(
    monkeypatch, make_round, survey, stored
):
    """The first query of a POST is the round's lookup: when that fails, the page still
    comes back with the answers (from the round as this process last read it)."""
    from sqlalchemy.exc import OperationalError

    from surveyapp.survey import routes

    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(lambda name, options: options[-1], lambda name: "别丢了我的意见", submit=False)

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(routes, "get_round", down)
    s.send("submit")
    assert s.response.status_code == 503
    assert int(s.response.headers["Retry-After"]) >= 1
    assert "系统繁忙，请稍后再试，您的答案不会丢失" in s.response.get_data(as_text=True)
    assert s.page.textareas == {"o_suggestions": "别丢了我的意见"}
    assert s.page.checked == {"a_overall": "5"}
    assert s.page.hidden_value("r_gender") == "女"
    assert stored(code) == []

    monkeypatch.undo()
    s.send("submit")
    assert s.response.status_code == 303
    assert len(stored(code)) == 1


def test_a_worker_warmed_at_start_keeps_the_answers_of_a_round_it_never_served(
    app, monkeypatch, make_round, survey, stored
):
    """Which worker takes a POST is the server's choice: one that never served the round
    still re-draws the resident's page, from the copy read when the server started."""
    from sqlalchemy.exc import OperationalError

    from surveyapp.extensions import db
    from surveyapp.survey import routes, snapshots

    code = make_round("catering")
    closed = make_round("catering", period="2025Q1", code="catering-old")
    s = survey(code)
    s.open()
    s.walk(lambda name, options: options[-1], lambda name: "换了一个进程", submit=False)
    snapshots.forget_all()  # the next request lands on a process that never read it
    with app.app_context():
        from surveyapp.rounds.service import close_round, get_round

        close_round(db.session, get_round(db.session, closed))
        db.session.commit()
        assert snapshots.remember_open_rounds(db.session) >= 1
    assert snapshots.last_seen(code) is not None
    assert snapshots.last_seen(closed) is None  # nobody answers a closed round

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(routes, "get_round", down)
    s.send("submit")
    assert s.response.status_code == 503
    assert s.page.textareas == {"o_suggestions": "换了一个进程"}
    assert stored(code) == []


def test_a_server_starting_with_the_database_down_still_starts(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from surveyapp.extensions import db
    from surveyapp.survey import snapshots

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    with app.app_context():
        monkeypatch.setattr(db.session, "scalars", down)
        assert snapshots.remember_open_rounds(db.session) == 0


def test_a_worker_booting_while_the_database_stops_still_boots(app, make_round, monkeypatch):
    """A stop terminates the connection mid-start: closing the session then rolls back on
    a dead connection and fails. A worker raising there fails to boot, and gunicorn stops
    the whole server with it (seen under load: the outage test's connection reset)."""
    from sqlalchemy.exc import OperationalError

    from surveyapp.extensions import db
    from surveyapp.survey import snapshots

    make_round("catering", code="cat-boot")
    closes = []

    def terminated() -> None:
        closes.append(1)
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))

    with app.app_context():
        monkeypatch.setattr(db.session, "close", terminated)
        assert snapshots.remember_open_rounds(db.session) == 1  # the copies read are kept
        assert closes == [1]
    assert snapshots.last_seen("cat-boot") is not None


def test_pooled_connections_survive_a_server_restart(cluster):
    """After a restart every pooled connection is dead; the first request must not fail."""
    from surveyapp import create_app
    from surveyapp.extensions import db

    app = create_app({"DATABASE_URL": cluster.url, "SECRET_KEY": "k" * 40, "ACCESS_LOG": False})
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.remove()  # the connection goes back to the pool, alive
        cluster.stop()
        cluster.start()
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
