"""Benchmark: every class, a draw and the credit pages at 100,000 providers.

    python -m bench.credit [--db sqlite|postgres|both] [--providers 100000] [--requests 40] [--no-save]

On a SQLite file and on a fresh PostgreSQL database (``surveyapp_bench_credit_<hex>`` on
the server of ``SURVEYAPP_BENCH_POSTGRES``, default the test server; created and dropped by
the bench), each filled as :mod:`bench.inspections` fills it (``--providers`` providers
in four sectors, one credit event per two providers, 3 complaints per 10 providers,
5 ratings per provider, 60 inspectors), plus a record of 12 events for each provider
whose page is asked for:

1. :func:`surveyapp.credit.classes.compute_classes` for every provider (goal < 10 s),
   then :func:`~surveyapp.credit.classes.record_classes` of the period (the class
   history the pages read), each with the CPU seconds of this process beside the wall
   time (the machine is shared: wall time alone says as much about the others' load);
2. one sector's draw inputs gathered from the database, then
   :func:`surveyapp.inspections.draw` on them, three times (goal < 1 s, the median),
   beside a fixed reference task of the same kind timed before and after (its ratio
   does not depend on how loaded the shared machine is);
3. ``--requests`` requests of a provider's credit-record page
   ``/dashboard/credit/providers/<id>`` (goal < 200 ms, the median), of the sector page
   and of ``/healthz`` as the baseline of the same run (the app's own per-request cost),
   all through Flask's test client as an administrator.

Figures are printed and written to ``bench/results/credit.txt``; medians, with the
baseline's ratio, since the machine is shared, and the load average before each database.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.inspections.run import AS_OF, SEED, _fill

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "credit.txt"
PERIOD = "2026Q4"
EVENTS_PER_PAGE = 12
PG_BASE = os.environ.get(
    "SURVEYAPP_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _clocked(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and process CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _timed(fn, times: int) -> tuple[float, object]:
    """The median wall time of ``times`` calls, and the last result."""
    spent, result = [], None
    for _ in range(times):
        t0 = time.perf_counter()
        result = fn()
        spent.append(time.perf_counter() - t0)
    return statistics.median(spent), result


def _reference() -> None:
    """A fixed pure-Python task of the draw's kind (100,000 SHA-256 digests, sorted): its
    time in the same run says how loaded the machine was when the others were timed."""
    prefix = hashlib.sha256(b"20261206:R00000001:")
    digests = []
    for n in range(100_000):
        h = prefix.copy()
        h.update(b"I%03d" % (n % 1000))
        digests.append(h.digest())
    digests.sort()


def _records(session, ids: list[int]) -> None:
    """A dozen events of every kind for each provider whose page is asked for."""
    from sqlalchemy import insert

    from surveyapp.models.credit import CreditEvent

    kinds = ["inspection", "penalty", "abnormal", "honour"]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    session.execute(insert(CreditEvent), [
        {"provider_id": pid, "kind": kinds[k % 4], "occurred_on": AS_OF - timedelta(days=40 * k),
         "source": "bench-page", "external_id": f"P{pid}-{k}", "public": k % 4 == 1,
         "outcome": ("不合格" if k % 8 == 0 else "合格") if k % 4 == 0 else None,
         "description": "bench", "created_at": now}
        for pid in ids for k in range(EVENTS_PER_PAGE)
    ])  # fmt: skip
    session.commit()


def run(label: str, url: str, providers: int, requests: int) -> list[str]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.accounts.service import create_user
    from surveyapp.credit.classes import CreditSettings, compute_classes, record_classes
    from surveyapp.extensions import db
    from surveyapp.inspections import draw
    from surveyapp.inspections.service import gather_inputs

    rng = np.random.default_rng(SEED)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        url = url.replace("{tmp}", tmp)
        app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            t0 = time.perf_counter()
            _fill(db.session, providers, rng)
            pages = sorted(
                rng.choice(np.arange(1, providers + 1), requests, replace=False).tolist()
            )
            _records(db.session, pages)
            fill_s = time.perf_counter() - t0
            settings = CreditSettings.from_config(app.config)
            classes_s, classes_cpu, classes = _clocked(
                lambda: compute_classes(db.session, settings, AS_OF)
            )
            record_s, record_cpu, _ = _clocked(lambda: record_classes(db.session, PERIOD, classes))
            gather_s, gather_cpu, inputs = _clocked(
                lambda: gather_inputs(db.session, settings, "catering", "2027Q1", [], AS_OF)
            )
            ref_before, _ = _timed(_reference, 5)
            cpu0 = time.process_time()
            draw_s, plan = _timed(lambda: draw(inputs, SEED), 3)
            draw_cpu = (time.process_time() - cpu0) / 3
            ref_s = statistics.median([ref_before, _timed(_reference, 5)[0]])
            user, _ = create_user(
                db.session, "bench", "admin", "correct horse battery", must_change_password=False
            )
            db.session.commit()
            ident = user.get_id()
            keys = {c.provider_id: c.key for c in classes}
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = ident, True
        status: set[int] = set()

        def get(path: str) -> float:
            t0 = time.perf_counter()
            response = client.get(path)
            spent = time.perf_counter() - t0
            status.add(response.status_code)
            response.close()
            return spent

        get("/healthz")  # warm: templates compiled, connections opened
        get(f"/dashboard/credit/providers/{keys[pages[0]]}")
        base = statistics.median(get("/healthz") for _ in range(requests))
        page = statistics.median(get(f"/dashboard/credit/providers/{keys[p]}") for p in pages)
        sector = statistics.median(get("/dashboard/credit/catering") for _ in range(3))
        with app.app_context():
            db.engine.dispose()
    assert status == {200}, status
    counts = {c: sum(p.cls == c for p in classes) for c in "ABCD"}
    return [
        f"{label} (load average {load:.1f} before the fill): {providers:,} providers, {providers // 2:,} credit events (+ "
        f"{EVENTS_PER_PAGE} for each of the {requests} pages asked for), "
        f"{3 * providers // 10:,} complaints, {5 * providers:,} ratings (filled in {fill_s:.1f} s)",
        f"every provider's class: {classes_s:.2f} s wall, {classes_cpu:.2f} s CPU (goal < 10 s: "
        f"{'met' if classes_s < 10 else 'NOT met'}); classes {counts}",
        f"the period's class rows stored ({len(classes):,}): {record_s:.2f} s wall, "
        f"{record_cpu:.2f} s CPU",
        f"one sector's draw inputs from the database ({len(inputs.providers):,} providers, "
        f"classes recomputed): {gather_s:.2f} s wall, {gather_cpu:.2f} s CPU",
        f"the draw ({len(plan.drawn):,} drawn, 2 of 60 inspectors each), median of 3: "
        f"{draw_s:.3f} s wall, {draw_cpu:.3f} s CPU (goal < 1 s: "
        f"{'met' if draw_s < 1 else 'NOT met'}); "
        f"{draw_s / ref_s:.1f} times the reference task (100,000 SHA-256 and a sort in "
        f"Python: {1000 * ref_s:.0f} ms in this run)",
        f"credit-record page, median of {requests} providers: {1000 * page:.1f} ms (goal < 200 ms:"
        f" {'met' if page < 0.2 else 'NOT met'}); baseline /healthz {1000 * base:.1f} ms, "
        f"ratio {page / base:.1f}",
        f"a sector's page ({providers // 4:,} providers: distribution, movers, hit rates), "
        f"median of 3: "
        f"{1000 * sector:.0f} ms",
    ]


def _on_postgres(providers: int, requests: int) -> list[str]:
    """The same run on a PostgreSQL database of its own, dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    name = f"surveyapp_bench_credit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_BASE).set(database=name).render_as_string(False)
        return run("PostgreSQL", url, providers, requests)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.credit")
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--providers", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    lines = [
        "bench/credit: the credit pages, every class and a draw (surveyapp.credit, credit_web)",
        f"date {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; machine: {os.cpu_count()} "
        f"cores, shared with other jobs (load average {load:.1f}); Python "
        f"{platform.python_version()}",
    ]
    if args.db in ("sqlite", "both"):
        lines += run("SQLite file", "sqlite:///{tmp}/bench.db", args.providers, args.requests)
    if args.db in ("postgres", "both"):
        lines += _on_postgres(args.providers, args.requests)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if not args.no_save:
        OUT.write_text(text, encoding="utf-8")
    return 0
