"""The arrival-rate search of the load benchmark (issue 15, goal 4): its ladder, when a
step holds, which figure it reports, and one tiny open-model run end to end."""

from __future__ import annotations

import pytest

from bench.load.__main__ import arrivals_lines, parse_args, run_one
from bench.load.arrivals import Search, Step, ladder
from bench.load.mix import MixResult
from bench.submit.loadgen import PhaseResult


def _step(rate: float, p99_ms: float, failures: int = 0, arrived: int = 10) -> Step:
    result = MixResult(0, seconds=10.0)
    kind = result.kind("survey_next")
    kind.statuses[200] = 99
    kind.latencies_ns = [1_000_000] * 98 + [int(p99_ms * 1e6)] * 2
    if failures:
        kind.statuses[502] = failures
    return Step(rate, 10.0, result, arrived=arrived)


def test_ladder_climbs_geometrically_to_the_top():
    assert ladder(2, 1.5, 10) == [2.0, 3.0, 4.5, 6.8]
    assert ladder(5, 2, 5) == [5.0]
    with pytest.raises(ValueError):
        ladder(0, 1.5, 10)
    with pytest.raises(ValueError):
        ladder(2, 1.0, 10)


def test_a_step_holds_only_under_the_limit_without_failures():
    assert _step(4, 900).holds(1000)
    assert not _step(4, 1000).holds(1000)  # p99 must be under, not at, the limit
    assert not _step(4, 200, failures=1).holds(1000)
    assert not _step(4, 200, arrived=0).holds(1000)


def test_the_figure_is_the_highest_rate_that_held_and_says_when_the_ladder_ended_first():
    search = Search([_step(2, 100), _step(3, 300), _step(4.5, 1500), _step(3.7, 700)])
    assert search.best.rate == 3.7 and search.limit_found
    text = "\n".join(arrivals_lines(search, parse_args(["--out", "-"])))
    assert "highest arrival rate held: 3.7 residents/s" in text
    assert "limit is higher" not in text
    open_ended = Search([_step(2, 100), _step(3, 300)])
    assert open_ended.best.rate == 3 and not open_ended.limit_found
    assert "the limit is higher" in "\n".join(arrivals_lines(open_ended, parse_args([])))
    assert Search([_step(2, 5000)]).best is None


def test_arrival_options_are_checked():
    with pytest.raises(SystemExit):
        parse_args(["--arrival-start", "5", "--arrival-top", "2"])
    with pytest.raises(SystemExit):
        parse_args(["--arrival-factor", "1"])


@pytest.mark.slow
def test_tiny_open_model_run_reconciles():
    """Fresh SQLite database, two gthread workers, residents at 2 then 3 per second."""
    args = parse_args(
        [
            "--db",
            "sqlite",
            "--only-arrivals",
            "--arrival-start",
            "2",
            "--arrival-factor",
            "1.5",
            "--arrival-top",
            "3",
            "--arrival-seconds",
            "2",
            "--think",
            "0.05",
            "--p99-limit",
            "600000",  # the steps hold however busy the machine is: this checks the path
            "--warmup",
            "0",
            "--workers",
            "2",
            "--threads",
            "2",
            "--quiet-wait",
            "0",
            "--out",
            "-",
        ]
    )
    result = run_one("sqlite", args, log=lambda _m: None)
    assert result.ok, (result.recon.line(), result.log_problems)
    search = result.arrivals
    assert [s.rate for s in search.steps] == [2.0, 3.0]
    assert all(s.arrived > 0 for s in search.steps)
    completed = sum(len(s.result.survey_devices) for s in search.steps)
    assert completed == sum(s.arrived for s in search.steps) == result.recon.replied
    assert isinstance(result.baseline, PhaseResult) and result.mix.requests == 0
