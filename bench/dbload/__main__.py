"""Bulk read of stored responses: a million rows from SQLite and PostgreSQL into analysis.

    python -m bench.dbload [--n 1000000] [--db sqlite|postgres|both]

Inserts ``n`` synthetic catering responses into a fresh database, then times, in the
same process: (a) loading the round into a ResponseMatrix, (b) ``analysis.run`` on it
(index, rate, dimensions overall and by district, raked to the demo margins), and as
the baseline (c) the same analysis on the matrix already in memory.  Prints the
figures and writes them to bench/results/dbload.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import secrets
import sqlite3
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, make_url, text

from analysis import Margins, run
from surveyapp import create_app
from surveyapp.catalog import publish_questionnaire
from surveyapp.demo import population_margins
from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.models.base import utcnow
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import load_round_matrix
from surveyapp.rounds.service import create_round

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OUT = Path(__file__).resolve().parents[1] / "results" / "dbload.txt"


def _fill(session, round_, q, n: int, rng: np.random.Generator) -> None:
    k = len(q.answer_ids)
    district_values = q.respondent_question("district").values
    latent = rng.normal(3.9, 0.6, n)
    scores = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.6, (n, k))), 1, 5).astype(np.uint8)
    scores[rng.random((n, k)) < 0.04] = 255
    scores[:, -1] = np.clip(np.rint(latent + rng.normal(0, 0.4, n)), 1, 5)
    profile = np.column_stack([rng.integers(0, len(qq.values), n) for qq in q.respondent]).astype(
        np.uint8
    )
    durations = rng.lognormal(np.log(170), 0.4, n)
    now = utcnow()
    batch = 20_000
    for start in range(0, n, batch):
        stop = min(n, start + batch)
        records = [
            {
                "uid": secrets.token_hex(16),
                "round_id": round_.id,
                "questionnaire_version_id": round_.questionnaire_version_id,
                "submitted_at": now - timedelta(seconds=i),
                "duration_seconds": float(durations[i]),
                "channel": "web",
                "district": district_values[profile[i, 0]],
                "answers": scores[i].tobytes(),
                "profile": profile[i].tobytes(),
            }
            for i in range(start, stop)
        ]
        session.execute(insert(Response), records)
        session.commit()


def measure(url: str, n: int) -> dict[str, float]:
    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        path = builtin_dir() / "catering.yaml"
        q = load_questionnaire(path)
        version = publish_questionnaire(db.session, q, path.read_text("utf-8")).version
        round_ = create_round(db.session, version, "2026Q4", code="bench")
        db.session.commit()
        t0 = time.perf_counter()
        _fill(db.session, round_, q, n, np.random.default_rng(7))
        insert_s = time.perf_counter() - t0
        db.session.expire_all()
        spec = scoring_spec(q)
        margins = Margins.from_rows(
            [
                (var, cat, pop)
                for var, cats in population_margins().items()
                for cat, pop in cats.items()
            ]
        )
        t0 = time.perf_counter()
        q2, matrix = load_round_matrix(db.session, round_)
        load_s = time.perf_counter() - t0
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
        assert result.n == n, (result.n, n)
        db.session.remove()
        db.engine.dispose()
    return {
        "insert_s": insert_s,
        "load_s": load_s,
        "compute_s": compute_s,
        "compute_again_s": compute2_s,
        "index": result.index.estimate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    lines = [
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d')}",
        f"responses: {args.n:,} (catering, {16} items + overall); analysis: raking to district and age margins, "
        "index + rate + dimensions, overall and by district, strata = district",
        "",
        f"{'database':<11}{'insert s':>10}{'load s':>9}{'compute s':>11}{'load+compute s':>16}"
        f"{'load / compute':>16}{'index':>9}",
    ]
    targets = []
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
    for label, url, cleanup in targets:
        try:
            f = measure(url, args.n)
        finally:
            if cleanup:
                admin, name = cleanup
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        lines.append(
            f"{label:<11}{f['insert_s']:>10.1f}{f['load_s']:>9.2f}{f['compute_s']:>11.2f}"
            f"{f['load_s'] + f['compute_s']:>16.2f}{f['load_s'] / f['compute_again_s']:>16.2f}{f['index']:>9.3f}"
        )
        print(lines[-1], flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak memory of the whole process (both runs): {peak:,.0f} MiB")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
