"""Bulk read of stored responses: a million rows from SQLite and PostgreSQL into analysis.

    python -m bench.dbload [--n 1000000] [--db sqlite|postgres|both] [--loads 5]
    python -m bench.dbload --sqlite URL --postgres URL   # databases bench.dashboard.paths seeded

Inserts ``n`` synthetic catering responses into a fresh database (in bulk, as
bench.dashboard does: executemany on SQLite, COPY on PostgreSQL), then times, in the
same process: (a) loading the round into a ResponseMatrix (``--loads`` times: median,
min and max, alternating with the former loader), (b) ``analysis.run`` on it (index, rate, dimensions overall and by
district, raked to the demo margins), and as the baseline (c) the same analysis on
the matrix already in memory.  The PostgreSQL/SQLite ratio of the median loads is the
issue's figure (goal: within 1.5x).  Prints the figures and writes them to
bench/results/dbload.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, select, text

from analysis import Margins, run
from bench.dashboard.__main__ import bulk_insert, synthetic_rows
from bench.dashboard.paths import _former_load
from surveyapp import create_app
from surveyapp.catalog import publish_questionnaire, questionnaire_of
from surveyapp.demo import population_margins
from surveyapp.extensions import db
from surveyapp.models import Response, Round
from surveyapp.models.base import utcnow
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import load_round_matrix
from surveyapp.rounds.service import create_round

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OUT = Path(__file__).resolve().parents[1] / "results" / "dbload.txt"


def measure(url: str, n: int, loads_wanted: int = 5, existing: bool = False) -> dict[str, Any]:
    """Seed ``url`` (or, ``existing``, use its round ``bench-now`` as bench.dashboard.paths
    seeds it) and time the loads and the analysis."""
    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        insert_s = float("nan")
        if existing:
            round_ = db.session.scalar(select(Round).where(Round.code == "bench-now"))
            q = questionnaire_of(round_.questionnaire_version)
            round_id = round_.id
        else:
            path = builtin_dir() / "catering.yaml"
            q = load_questionnaire(path)
            version = publish_questionnaire(db.session, q, path.read_text("utf-8")).version
            round_ = create_round(db.session, version, "2026Q4", code="bench")
            db.session.commit()
            round_id = round_.id
            stamp_type = db.engine.dialect.type_descriptor(Response.__table__.c.submitted_at.type)
            bind = stamp_type.bind_processor(db.engine.dialect)
            submitted = bind(utcnow()) if bind else utcnow()
            t0 = time.perf_counter()
            bulk_insert(db.engine, synthetic_rows(round_, q, n, 7, submitted))
            insert_s = time.perf_counter() - t0
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as conn:
                    conn.execute(text("ANALYZE response"))
                    conn.commit()
        db.session.expire_all()
        former = []
        spec = scoring_spec(q)
        margins = Margins.from_rows(
            [
                (var, cat, pop)
                for var, cats in population_margins().items()
                for cat, pop in cats.items()
            ]
        )
        loads = []
        for _ in range(max(loads_wanted, 1)):
            db.session.rollback()  # each load in a transaction of its own, as a view's
            round_ = db.session.get(type(round_), round_id)
            t0 = time.perf_counter()
            _former_load(db.session, round_)  # the loader before issue 15, alternating
            former.append(time.perf_counter() - t0)
            db.session.rollback()
            round_ = db.session.get(type(round_), round_id)
            t0 = time.perf_counter()
            q2, matrix = load_round_matrix(db.session, round_)
            loads.append(time.perf_counter() - t0)
            if len(loads) < loads_wanted:
                del matrix
        load_s = statistics.median(loads)
        t0 = time.perf_counter()
        result = run(
            matrix,
            spec,
            margins=margins,
            strata="district",
            by=["district"],
            drivers=False,
            reliability=False,
            items=False,
        )
        compute_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        run(
            matrix,
            spec,
            margins=margins,
            strata="district",
            by=["district"],
            drivers=False,
            reliability=False,
            items=False,
        )
        compute2_s = time.perf_counter() - t0
        assert existing or result.n == n, (result.n, n)
        db.session.remove()
        db.engine.dispose()
    return {
        "insert_s": insert_s,
        "load_s": load_s,
        "loads": loads,
        "former_s": statistics.median(former),
        "compute_s": compute_s,
        "compute_again_s": compute2_s,
        "index": result.index.estimate,
        "n": matrix.n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--loads", type=int, default=5, help="loads of the round to time")
    parser.add_argument("--sqlite", help="an SQLite database bench.dashboard.paths seeded")
    parser.add_argument("--postgres", help="a PostgreSQL database bench.dashboard.paths seeded")
    args = parser.parse_args()
    lines = [
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{time.strftime('%Y-%m-%d %H:%M')} UTC; 2-core VM, shared with other work during the run",
        f"responses: {args.n:,} (catering, {16} items + overall); analysis: raking to district and age margins, "
        "index + rate + dimensions, overall and by district, strata = district",
        "",
        f"{'database':<11}{'insert s':>10}{'former load s':>15}{'load s':>9}{'(min-max)':>13}{'compute s':>11}"
        f"{'load+compute s':>16}{'load / compute':>16}{'index':>9}",
    ]
    targets: list[tuple[str, str, Any]] = []
    if args.sqlite and args.postgres:
        targets = [("SQLite", args.sqlite, None), ("PostgreSQL", args.postgres, None)]
        args.db = "existing"
    if args.db in ("sqlite", "both"):
        targets.append(
            ("SQLite", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db"), None)
        )
    if args.db in ("postgres", "both"):
        name = f"surveyapp_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        targets.append(
            (
                "PostgreSQL",
                make_url(PG_BASE).set(database=name).render_as_string(False),
                (admin, name),
            )
        )
    medians: dict[str, float] = {}
    for label, url, cleanup in targets:
        try:
            f = measure(url, args.n, args.loads, existing=args.db == "existing")
        finally:
            if cleanup:
                admin, name = cleanup
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        spread = f"{min(f['loads']):.2f}-{max(f['loads']):.2f}"
        lines.append(
            f"{label:<11}{f['insert_s']:>10.1f}{f['former_s']:>15.2f}{f['load_s']:>9.2f}{spread:>13}{f['compute_s']:>11.2f}"
            f"{f['load_s'] + f['compute_s']:>16.2f}{f['load_s'] / f['compute_again_s']:>16.2f}{f['index']:>9.3f}"
        )
        medians[label] = f["load_s"]
        print(lines[-1], flush=True)
        lines.append(f"{'':<11}({f['n']:,} responses loaded)")
    if len(medians) == 2:
        ratio = medians["PostgreSQL"] / medians["SQLite"]
        verdict = "met" if ratio <= 1.5 else "NOT met"
        lines.append(
            f"PostgreSQL / SQLite load (medians): {ratio:.2f}x (goal within 1.5x: {verdict})"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak memory of the whole process (both runs): {peak:,.0f} MiB")
    load = os.getloadavg()
    lines.append(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
