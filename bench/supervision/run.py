"""Speed of the supervision work around the draw, as ratios to the classes in the same run.

    python -m bench.supervision [--providers 100000] [--no-save]

On the inspections benchmark's data (:func:`bench.inspections.run._fill`: providers in
four sectors, credit events, complaints, five ratings a provider, 60 inspectors; SQLite
file) two ratings a provider in the window before and, for one provider in ten, ten
1-star ratings in each window (the ones to signal), it times, against computing every provider's class (the baseline, the same
machine and run):

* the rating signals of every provider: a first run (raising every signal) and a second
  one (nothing to do: idempotent);
* one sector's draw with every result entered (one :func:`enter_results` call) and its
  publication (PDF and CSV of the whole list);
* the bureau's list of plans with their progress.

Figures go to ``bench/results/supervision.txt`` unless ``--no-save``.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from bench.inspections.run import AS_OF, SEED, _fill

RESULTS = Path(__file__).resolve().parents[1] / "results" / "supervision.txt"


def _timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def _window_before(session, n: int, rng: np.random.Generator) -> None:
    """Two ratings a provider in the scores' window before (the fill's span one year):
    a provider needs both windows for a signal."""
    from datetime import UTC, date, datetime

    from sqlalchemy import insert

    from surveyapp.models import Rating

    sectors = ["catering", "lodging", "retail", "domestic"]
    then, now = datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    stars = rng.choice([1, 2, 3, 4, 5], 2 * n, p=[0.1, 0.1, 0.15, 0.3, 0.35])
    session.execute(insert(Rating), [
        {"provider_id": j % n + 1, "sector": sectors[j % n % 4], "form_id": "f",
         "form_version": 1, "answers": b"\x05", "overall": int(stars[j]),
         "window_start": date(2025, 11, 1), "created_at": then - timedelta(days=j % 300)}
        for j in range(2 * n)
    ])  # fmt: skip
    # one provider in ten rated badly in both windows: the ones to signal
    bad = [p for p in range(1, n + 1) if p % 10 == 0]
    session.execute(insert(Rating), [
        {"provider_id": p, "sector": sectors[(p - 1) % 4], "form_id": "f", "form_version": 1,
         "answers": b"\x01", "overall": 1, "window_start": date(2025, 11, 1),
         "created_at": at - timedelta(days=k)}
        for p in bad for at in (then, now) for k in range(10)
    ])  # fmt: skip
    session.commit()


def speed(providers: int) -> list[str]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.credit.classes import CreditSettings, compute_classes
    from surveyapp.credit.signals import update_signals
    from surveyapp.extensions import db
    from surveyapp.inspections import draw
    from surveyapp.inspections.publication import plans_of, publish_results
    from surveyapp.inspections.service import (
        ResultDraft,
        enter_results,
        gather_inputs,
        store_plan,
    )

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": f"sqlite:///{tmp}/b.db"})
        with app.app_context():
            upgrade()
            s = db.session
            _fill(s, providers, np.random.default_rng(SEED))
            _window_before(s, providers, np.random.default_rng(SEED + 1))
            settings = CreditSettings.from_config(app.config)
            low = settings.indicators  # the default threshold, 0.6
            _, classes_s = _timed(lambda: compute_classes(s, settings, AS_OF))
            first, first_s = _timed(lambda: update_signals(s, low, AS_OF, "bench"))
            second, second_s = _timed(lambda: update_signals(s, low, AS_OF, "bench"))
            inputs = gather_inputs(s, settings, "catering", "2026Q4", [], AS_OF)
            plan = store_plan(s, draw(inputs, SEED), "bench")
            drafts = [
                ResultDraft(n, e["id"], AS_OF - timedelta(days=n % 20),
                            "不合格" if n % 7 == 0 else "合格",
                            "卫生不达标" if n % 7 == 0 else None, tuple(e["inspectors"]))
                for n, e in enumerate(plan.plan["drawn"])
            ]  # fmt: skip
            _, enter_s = _timed(lambda: enter_results(s, plan, drafts, "bench", via="csv"))
            edition, publish_s = _timed(lambda: publish_results(s, plan, "bench"))
            s.commit()
            _, list_s = _timed(lambda: plans_of(s, ["catering"]))
            pdf_kb, pages = len(edition.pdf) // 1024, edition.pdf.count(b"/Type /Page\n")
            s.remove()
            db.engine.dispose()
    return [
        f"supervision speed (SQLite file, {providers:,} providers, {5 * providers:,} ratings; "
        f"{platform.machine()}, 2-core VM shared with other work during the run)",
        f"baseline: classes of every provider {classes_s:.2f} s",
        f"rating signals, first run ({len(first.raised):,} raised): {first_s:.2f} s "
        f"= {first_s / classes_s:.2f} x the classes",
        f"rating signals, second run (raised {len(second.raised)}, idempotent): {second_s:.2f} s "
        f"= {second_s / classes_s:.2f} x",
        f"results of one sector's draw entered ({len(drafts):,}, one call): {enter_s:.2f} s "
        f"= {enter_s / classes_s:.2f} x",
        f"its publication (PDF {pdf_kb:,} KB, CSV, {len(drafts):,} lines): {publish_s:.2f} s "
        f"= {publish_s / classes_s:.2f} x" + (f"; {pages} pages" if pages else ""),
        f"the bureau's plans with their progress: {list_s * 1000:.1f} ms",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--providers", type=int, default=100_000)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    lines = speed(args.providers)
    print("\n".join(lines))
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0
