"""The dashboard's analysis of a 1,000,000-response round, before and after issue 15's
changes, in one run: cold (nothing kept) and refresh (one new response), on SQLite and
PostgreSQL, with wall and CPU seconds (the machine is shared: the ratio of the two
paths in the same minutes is the figure to trust).

    python -m bench.dashboard.paths --sqlite URL --postgres URL [--runs 3]

Each database is seeded as ``python -m bench.dashboard`` seeds one (a round coded
``bench-now`` of ``--n`` responses) unless it has that round already, and kept (an
empty PostgreSQL database must exist: ``createdb``), so a second run measures at once.

- before: the former loader (all four columns, text rows on PostgreSQL), the round
  read whole on every refresh, item scores computed (detail ``sector``);
- after: :func:`surveyapp.indices.serve_round` as the dashboard calls it (the board's
  detail, the round's rows kept between refreshes, psycopg's binary rows).

Every run checks that the two give the same index, rate and dimensions.  Figures go to
bench/results/dashboard_paths.txt.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

OUT = Path(__file__).resolve().parents[1] / "results" / "dashboard_paths.txt"


def _former_load(session, round_):
    """The loader before issue 15's change (kept here as the baseline)."""
    from surveyapp.catalog import questionnaire_of
    from surveyapp.models.review import COUNTED
    from surveyapp.responses.matrix import build_matrix

    q = questionnaire_of(round_.questionnaire_version)
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.connection.cursor()
    gc.disable()
    try:
        cursor.execute(
            "SELECT coalesce(external_id, uid), answers, profile, "
            "CASE WHEN stamp_trusted THEN duration_seconds END "
            f"FROM response WHERE round_id = {mark} AND review = {mark} ORDER BY id",
            (round_.id, COUNTED),
        )
        rows = cursor.fetchall()
        columns = tuple(zip(*rows, strict=True))
        del rows
    finally:
        cursor.close()
        gc.enable()
    return q, build_matrix(q, round_.period, *columns)


def _add_one(engine, round_) -> None:
    from bench.dashboard.__main__ import bulk_insert, synthetic_rows
    from surveyapp.catalog import questionnaire_of
    from surveyapp.models.base import utcnow

    q = questionnaire_of(round_.questionnaire_version)
    stamp = engine.dialect.type_descriptor(
        round_.__table__.metadata.tables["response"].c.submitted_at.type
    ).bind_processor(engine.dialect)
    now = utcnow() - timedelta(seconds=1)
    bulk_insert(
        engine, synthetic_rows(round_, q, 1, time.time_ns() % 2**31, stamp(now) if stamp else now)
    )


def measure(url: str, runs: int) -> dict[str, list[tuple[float, float]]]:
    import surveyapp.indices.stored as stored_mod
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.indices import AnalysisCache, analyse_round, options_for, serve_round
    from surveyapp.indices.settings import settings_from_config
    from surveyapp.models import Round

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
    settings = settings_from_config(app.config)
    out: dict[str, list[tuple[float, float]]] = {
        "before cold": [], "after cold": [], "before refresh": [], "after refresh": [],
    }  # fmt: skip

    def timed(key, fn):
        db.session.remove()
        t, c = time.perf_counter(), time.process_time()
        value = fn()
        out[key].append((time.perf_counter() - t, time.process_time() - c))
        return value

    def before():
        r = db.session.scalar(select(Round).where(Round.code == "bench-now"))
        real = stored_mod.load_round_matrix
        stored_mod.load_round_matrix = lambda s, rr, rows=None: _former_load(s, rr)
        try:
            return analyse_round(db.session, r, options_for(settings, r, "sector")).result
        finally:
            stored_mod.load_round_matrix = real

    with app.app_context():
        for _ in range(runs):
            cache = AnalysisCache()  # no session scope: a stale view computes in the request

            def after(cache=cache):
                r = db.session.scalar(select(Round).where(Round.code == "bench-now"))
                return serve_round(db.session, r, settings, cache).result

            old = timed("before cold", before)
            new = timed("after cold", after)
            assert (old.index, old.satisfaction_rate, old.dimensions) == (
                new.index, new.satisfaction_rate, new.dimensions
            ), "the two paths disagree"  # fmt: skip
            r = db.session.scalar(select(Round).where(Round.code == "bench-now"))
            _add_one(db.engine, r)
            old = timed("before refresh", before)
            new = timed("after refresh", after)
            assert old.index == new.index and old.n == new.n
        db.session.remove()
        db.engine.dispose()
    return out


def seed(url: str, n: int) -> None:
    """A round ``bench-now`` of ``n`` responses (and a previous one of 20,000) in
    ``url``, as bench.dashboard seeds it, unless it is there already."""
    from flask_migrate import upgrade

    from bench.dashboard.__main__ import bulk_insert, synthetic_rows
    from surveyapp import create_app
    from surveyapp.catalog import publish_questionnaire
    from surveyapp.demo import population_margins, previous_quarter
    from surveyapp.extensions import db
    from surveyapp.models import Round
    from surveyapp.models.base import utcnow
    from surveyapp.questionnaire import builtin_dir, load_questionnaire
    from surveyapp.rounds.service import create_round, current_quarter

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
    with app.app_context():
        upgrade()
        if db.session.scalar(select(Round).where(Round.code == "bench-now")) is not None:
            return
        path = builtin_dir() / "catering.yaml"
        q = load_questionnaire(path)
        version = publish_questionnaire(db.session, q, path.read_text("utf-8")).version
        now, period = utcnow(), current_quarter()
        before = create_round(
            db.session, version, previous_quarter(period), code="bench-before",
            opens_at=now - timedelta(days=200), closes_at=now - timedelta(days=100),
        )  # fmt: skip
        current = create_round(db.session, version, period, code="bench-now")
        before.margins = current.margins = population_margins()
        db.session.commit()
        stamp = db.engine.dialect.type_descriptor(
            db.metadata.tables["response"].c.submitted_at.type
        ).bind_processor(db.engine.dialect)
        at = stamp(now) if stamp else now
        bulk_insert(db.engine, synthetic_rows(before, q, 20_000, 5, at))
        bulk_insert(db.engine, synthetic_rows(current, q, n, 7, at))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE response"))
                conn.commit()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", required=True)
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=1_000_000, help="responses, when seeding")
    args = parser.parse_args()
    results = {}
    for label, url in (("SQLite", args.sqlite), ("PostgreSQL", args.postgres)):
        seed(url, args.n)
        results[label] = measure(url, args.runs)
        print(label, results[label], flush=True)
    load = os.getloadavg()
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M')} UTC; 2-core VM, shared with other work during the "
        f"run (load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end); "
        f"{args.n:,} responses in the round; {args.runs} runs, medians (wall s / CPU s)",
        "",
        f"{'database':<11}{'path':<8}{'cold wall':>10}{'cold CPU':>10}{'refresh wall':>14}"
        f"{'refresh CPU':>13}",
    ]
    for label, res in results.items():
        for path in ("before", "after"):
            cold, refresh = res[f"{path} cold"], res[f"{path} refresh"]
            lines.append(
                f"{label:<11}{path:<8}{statistics.median(w for w, _ in cold):>10.2f}"
                f"{statistics.median(c for _, c in cold):>10.2f}"
                f"{statistics.median(w for w, _ in refresh):>14.2f}"
                f"{statistics.median(c for _, c in refresh):>13.2f}"
            )
        for kind in ("cold", "refresh"):
            b = statistics.median(w for w, _ in res[f"before {kind}"])
            a = statistics.median(w for w, _ in res[f"after {kind}"])
            lines.append(f"{label:<11}{kind} after/before (wall): {a / b:.2f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
