"""The submission benchmark's own logic: load generator, request bodies, reconciliation."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.submit.__main__ import parse_args, reconcile, run_one, submission_bodies
from bench.submit.loadgen import Request, check_loopback, percentile, run_phase
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.responses.validate import validate_submission


def test_percentile_nearest_rank():
    assert percentile([], 99) == 0.0
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7], 99) == 7


def test_reconcile_finds_every_kind_of_mismatch():
    assert reconcile(["a", "b"], ["b", "a"], 2).ok
    assert not reconcile(["a", "b"], ["a"], 1).ok  # a 201 not stored
    assert reconcile(["a", "b"], ["a"], 1).missing == 1
    assert reconcile(["a"], ["a", "x"], 2).extra == 1  # a row without a 201
    assert reconcile(["a", "a"], ["a"], 1).dup_replied == 1
    assert not reconcile(["a"], ["a"], 2).ok  # a row of another round


def test_bodies_are_valid_and_varied():
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    bodies = submission_bodies(q.definition, 50, seed=3)
    assert bodies == submission_bodies(q.definition, 50, seed=3)  # seeded
    assert len(set(bodies)) == 50
    for body in bodies:
        validate_submission(q, json.loads(body))  # raises if invalid


def test_only_loopback():
    check_loopback("127.0.0.1")
    with pytest.raises(ValueError):
        check_loopback("192.0.2.1")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    counter = 0
    lock = threading.Lock()

    def do_GET(self):
        self._reply(200, b'{"status":"ok"}')

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            type(self).counter += 1
            n = type(self).counter
        if n % 5 == 0:
            self._reply(400, b'{"error":"invalid"}')
        else:
            self._reply(201, json.dumps({"id": f"r{n}", "round": "bench"}).encode())

    def _reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.path.endswith("close"):
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    _Handler.counter = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("mode", ["asyncio", "threads"])
@pytest.mark.parametrize("path", ["/r", "/r/close"])
def test_loadgen_counts_every_reply(tiny_server, mode, path):
    reqs = [Request("POST", path, b'{"x": 1}', "application/json")]
    res = run_phase(
        "t",
        "127.0.0.1",
        tiny_server,
        reqs,
        clients=4,
        seconds=5,
        mode=mode,
        max_requests=200,
        collect_status=201,
    )
    assert res.requests == 200 == _Handler.counter
    assert res.statuses == {201: 160, 400: 40}
    assert len(res.ids) == len(set(res.ids)) == 160
    assert len(res.latencies_ns) == 200


def test_loadgen_counts_refused_connections():
    from bench.submit.stack import free_port

    res = run_phase(
        "t", "127.0.0.1", free_port(), [Request("GET", "/")], clients=2, seconds=5, max_requests=6
    )
    assert res.statuses == {"refused": 6}


@pytest.mark.slow
def test_tiny_end_to_end_run_reconciles():
    """Fresh SQLite database, gunicorn with one sync worker, 1 s per phase."""
    args = parse_args(
        [
            "--db",
            "sqlite",
            "--seconds",
            "1",
            "--clients",
            "4",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--warmup",
            "0.4",
            "--quiet-wait",
            "0",
            "--pool",
            "20",
            "--out",
            "-",
        ]
    )
    result = run_one("sqlite", "sync", args, log=lambda _m: None)
    assert result.recon.ok, result.recon.line()
    assert result.submit.statuses[201] > 0
    assert set(result.submit.statuses) == {201}
    assert set(result.healthz.statuses) == {200}
    assert not result.log_problems
