"""A gunicorn worker killed (SIGKILL) in the middle of a submission run loses nothing.

Uses the submission benchmark's harness (``bench.submit``): a fresh database prepared
by the CLI, gunicorn with two sync workers, the load generator collecting the id of
every 201.  One worker is killed while requests are in flight; afterwards every 201 is
stored exactly once, every stored row is whole, a row without a 201 can only be one of
the requests cut off by the kill, and gunicorn's replacement worker takes submissions.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from sqlalchemy import create_engine, select

from bench.submit.__main__ import reconcile, submission_bodies
from bench.submit.loadgen import run_phase
from bench.submit.stack import (
    ROUND_CODE,
    Gunicorn,
    fresh_database,
    keyed_posts,
    prepare_database,
    stored_ids,
)
from surveyapp.models import Response, Round
from surveyapp.questionnaire import builtin_dir, load_questionnaire

pytestmark = pytest.mark.slow


def _database_kind() -> tuple[str, str | None]:
    base = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    return ("postgres", base) if base else ("sqlite", None)


def _rows_are_whole(url: str, answers: int, profile: int) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Response.answers, Response.profile)
                .join(Round, Round.id == Response.round_id)
                .where(Round.code == ROUND_CODE)
            ).all()
    finally:
        engine.dispose()
    for packed_answers, packed_profile in rows:
        assert len(packed_answers) == answers and len(packed_profile) == profile
    return len(rows)


def test_killing_a_worker_mid_request_loses_and_duplicates_nothing(monkeypatch):
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_ENABLED", "0")  # one client address: no limits
    monkeypatch.setenv("SURVEYAPP_ACCESS_LOG", "0")
    kind, base = _database_kind()
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    bodies = submission_bodies(q.definition, 200, seed=11)
    with fresh_database(kind, *(base,) if base else ()) as url:
        key = prepare_database(url)
        posts = keyed_posts(bodies, key)
        with Gunicorn(url, workers=2) as server:
            results = {}

            def load() -> None:
                results["run"] = run_phase(
                    "kill",
                    server.host,
                    server.port,
                    posts,
                    clients=16,
                    seconds=3.0,
                    mode="threads",
                    timeout=10.0,
                    collect_status=201,
                )

            loader = threading.Thread(target=load)
            loader.start()
            time.sleep(1.0)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            loader.join(30)
            run = results["run"]

            # gunicorn replaces the worker; the service goes on
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                pids = server.worker_pids()
                if len(pids) == 2 and victim not in pids:
                    break
                time.sleep(0.1)
            assert victim not in server.worker_pids()
            after = run_phase(
                "after",
                server.host,
                server.port,
                posts[:20],
                clients=2,
                seconds=2.0,
                mode="threads",
                max_requests=20,
                collect_status=201,
            )
        assert after.statuses == {201: 20}

        cut_off = sum(v for k, v in run.statuses.items() if not isinstance(k, int))
        assert set(k for k in run.statuses if isinstance(k, int)) <= {201}, run.statuses
        assert run.statuses.get(201, 0) >= 10  # the run did real work around the kill
        uids, table_rows = stored_ids(url)
        recon = reconcile(run.ids + after.ids, uids, table_rows)
        assert recon.missing == 0 and recon.dup_replied == 0 and recon.dup_stored == 0, recon.line()
        # a committed row whose reply was lost with the worker is possible, no more than that
        assert recon.extra <= cut_off, (recon.line(), run.statuses)
        stored = _rows_are_whole(url, len(q.answer_ids), len(q.respondent))
        assert stored == len(set(run.ids + after.ids)) + recon.extra
