"""The middleware benchmark's own logic (issue 15, goal 3): reading wrk, unique devices,
the goals, and one tiny pinned run that reconciles."""

from __future__ import annotations

import json

import pytest

from bench.middleware import wrk
from bench.middleware.__main__ import Figure, Round, Run, parse_args, run_class, unique_posts
from bench.submit.common import reconcile
from bench.submit.stack import fresh_database, prepare_database, stored_ids

WRK_REPORT = """Running 10s test @ http://127.0.0.1:8000/healthz
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.41ms    1.20ms  30.10ms   90.00%
    Req/Sec     4.30k   200.00     4.60k    70.00%
  Latency Distribution
     50%  850.00us
     75%    7.90ms
     90%    8.50ms
     99%    1.20s
  43012 requests in 10.01s, 7.50MB read
  Socket errors: connect 0, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 12
Requests/sec:   4296.90
Transfer/sec:    767.00KB
"""


def test_wrk_report_is_read_with_units_and_errors():
    r = wrk.parse(WRK_REPORT)
    assert r.requests == 43000 and r.seconds == pytest.approx(10.01)
    assert r.percentiles_ms == {50: 0.85, 75: 7.9, 90: 8.5, 99: 1200.0}
    assert r.errors == {"read": 12, "timeout": 3, "non-2xx": 12}
    assert r.rate == pytest.approx(43000 / 10.01)
    with pytest.raises(ValueError):
        wrk.parse("wrk: unable to connect")


def test_wrk_refuses_other_hosts():
    with pytest.raises(ValueError):
        wrk.run("http://192.0.2.1:80/healthz", connections=1, seconds=1)


def test_each_post_has_a_device_of_its_own():
    bodies = [json.dumps({"answers": {"q1": i}}).encode() for i in range(3)]
    posts = unique_posts(bodies, "k3y", "t", 7)
    sent = [json.loads(p.body) for p in posts]
    assert len({s["device_id"] for s in sent}) == 7
    assert [s["answers"]["q1"] for s in sent] == [0, 1, 2, 0, 1, 2, 0]
    assert all(("Authorization", "Bearer k3y") in p.headers for p in posts)


def _fig(rate: float, p99: float = 10.0, errors: dict | None = None) -> Figure:
    return Figure(rate, 1.0, p99, int(rate), errors or {})


def test_goals_take_the_medians_of_the_rounds():
    run = Run("sqlite", "sync")
    run.rounds = [
        Round(_fig(1000), _fig(700), _fig(250)),
        Round(_fig(1000), _fig(500), _fig(100)),  # 2.0x, 20%: outvoted
        Round(_fig(1000), _fig(800), _fig(300)),
    ]
    assert run.median(lambda r: r.stack_ratio) == pytest.approx(1000 / 700)
    assert run.goals() == (True, True)
    run.rounds[0].submit.errors = {"timeout": 1}
    assert run.goals() == (True, False)  # one lost submission fails the goal
    slow = Run("sqlite", "sync", [Round(_fig(1000), _fig(600), _fig(300, p99=120))])
    assert slow.goals() == (False, False)


@pytest.mark.slow
def test_tiny_pinned_run_reconciles(tmp_path):
    """Bare app and surveyapp pinned to CPU 0, the asyncio client, 1 s phases, SQLite."""
    args = parse_args(
        ["--db", "sqlite", "--worker-class", "sync", "--seconds", "1", "--rounds", "1"]
        + ["--client", "asyncio", "--clients", "4", "--max-posts", "3000", "--out", "-"]
    )
    with fresh_database("sqlite") as url:
        key = prepare_database(url)
        ids: list[str] = []
        run = run_class("sqlite", url, key, "sync", args, ids, log=lambda _m: None)
        uids, total = stored_ids(url)
    assert not run.problems
    (r,) = run.rounds
    assert r.bare.rate > 0 and r.stack.rate > 0 and r.submit.rate > 0
    assert not r.bare.errors and not r.stack.errors and not r.submit.errors
    assert reconcile(ids, uids, total).ok and len(ids) > 0
