"""Benchmark: does the risk-based draw pay off, and how long do classes and a draw take?

    python -m bench.inspections [--replications 20] [--providers 100000] [--no-save]

1. **Simulation** (fixed seeds; pure: :func:`surveyapp.credit.rules.classify` with the
   shipped rules and :func:`surveyapp.inspections.draw`).  Each replication makes 20,000
   synthetic providers, 10% of them violators (a hidden truth).  What the credit record
   shows depends on that truth: violators get worse ratings (share satisfied ~ Beta(6, 4)
   against Beta(17, 3)), more complaints per rating (30 against 4 per 1,000; Poisson),
   more penalties (15% against 1%), more abnormal listings (10% against 2%), and a past
   inspection (30% of all were inspected in 24 months) failed more often (60% against
   5%); honours go to 5% of the others.  Posterior shares come from
   :func:`analysis.provider_scores.score_providers`.  The risk-based draw samples the
   classes at the default rates (A 5%, B 20%, C 40%, D 80%); the uniform draw takes the
   same number of providers by the same hash ordering regardless of class.  An inspection
   of a violator finds its violation.  Reported: violations found per 100 inspections by
   each draw, their ratio, and the hit rate per class.
2. **Speed** on a SQLite file: ``--providers`` providers (four sectors), one credit event
   per two providers, 3 complaints per 10 providers and 5 ratings per provider; the time of
   :func:`surveyapp.credit.classes.compute_classes` for all of them (goal < 10 s), of
   gathering one sector's draw inputs from the database, and of the draw itself (goal < 1 s).

Figures are printed and written to ``bench/results/inspections.txt``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from analysis.provider_scores import ProviderTally, score_providers
from surveyapp.credit.rules import classify, default_rules
from surveyapp.inspections import DrawInputs, draw

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "inspections.txt"
SEED = 20261206
RATES = {"A": 50, "B": 200, "C": 400, "D": 800}
AS_OF = date(2026, 12, 6)


def synthetic(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray, list[dict]]:
    """Provider ids, the hidden violators, and each provider's indicator values."""
    bad = rng.random(n) < 0.10
    ratings = rng.integers(5, 80, n)
    share = np.where(bad, rng.beta(6, 4, n), rng.beta(17, 3, n))
    satisfied = rng.binomial(ratings, share)
    complaints = rng.poisson(np.where(bad, 30, 4) * ratings / 1000)
    penalties = rng.random(n) < np.where(bad, 0.15, 0.01)
    abnormal = rng.random(n) < np.where(bad, 0.10, 0.02)
    inspected = rng.random(n) < 0.30
    failed = inspected & (rng.random(n) < np.where(bad, 0.60, 0.05))
    honours = ~bad & (rng.random(n) < 0.05)
    months = np.where(inspected, rng.integers(0, 24, n), rng.integers(24, 60, n))
    ids = [f"P{i:06d}" for i in range(n)]
    tallies = [ProviderTally(ids[i], "sim", int(ratings[i]), int(satisfied[i]),
                             int(4 * satisfied[i] + 2 * (ratings[i] - satisfied[i])),
                             int(16 * satisfied[i] + 4 * (ratings[i] - satisfied[i])))
               for i in range(n)]  # fmt: skip
    (scores,) = score_providers(tallies)
    values = []
    for i, s in enumerate(scores.providers):
        values.append({
            "complaints_per_1000_ratings": 1000 * complaints[i] / ratings[i],
            "complaints_12m": int(complaints[i]),
            "failed_inspections_24m": int(failed[i]),
            "penalties_24m": int(penalties[i]),
            "abnormal_listings": int(abnormal[i]),
            "posterior_share": s.posterior_share,
            "low_score_periods": 2 if (s.posterior_share or 1) < 0.6 else 0,
            "months_since_inspection": int(months[i]),
            "honours": int(honours[i]),
        })  # fmt: skip
    return ids, bad, values


def simulation(replications: int) -> tuple[list[str], float]:
    rules = default_rules()
    found_risk, found_uniform, size_total = [], [], 0
    per_class: dict[str, list[int]] = {c: [0, 0] for c in "ABCD"}  # violators, providers
    class_hits: dict[str, list[int]] = {c: [0, 0] for c in "ABCD"}  # found, drawn
    for r in range(replications):
        rng = np.random.default_rng(SEED + r)
        ids, bad, values = synthetic(rng, 20_000)
        truth = dict(zip(ids, bad.tolist(), strict=True))
        classes = {pid: classify(v, rules).cls for pid, v in zip(ids, values, strict=True)}
        for pid, cls in classes.items():
            per_class[cls][0] += truth[pid]
            per_class[cls][1] += 1
        inspectors = [f"I{k:03d}" for k in range(200)]
        risk = draw(DrawInputs("sim", "2026Q4", classes, RATES, inspectors), SEED + r)
        drawn = [d["id"] for d in risk.drawn + risk.unassigned]
        for d in risk.drawn + risk.unassigned:
            class_hits[d["class"]][0] += truth[d["id"]]
            class_hits[d["class"]][1] += 1
        size = len(drawn)
        # uniform: one class for all, the same number taken by the same hash ordering
        rate = -(-size * 1000 // len(ids))
        flat = draw(DrawInputs("sim", "2026Q4", dict.fromkeys(ids, "A"), {"A": rate},
                               inspectors), SEED + r)  # fmt: skip
        uniform = [d["id"] for d in flat.drawn + flat.unassigned][:size]
        found_risk.append(sum(truth[p] for p in drawn))
        found_uniform.append(sum(truth[p] for p in uniform))
        size_total += size
    per100_risk = 100 * sum(found_risk) / size_total
    per100_uniform = 100 * sum(found_uniform) / size_total
    ratio = per100_risk / per100_uniform
    lines = [
        f"simulation: {replications} replications x 20,000 providers, 10% violators; "
        f"{size_total / replications:,.0f} inspections a replication (rates A 5%, B 20%, C 40%, D 80%)",
        f"violations found per 100 inspections: risk-based {per100_risk:.1f}, "
        f"uniform {per100_uniform:.1f}; ratio {ratio:.2f}",
        "per class: providers (share), violators among them, hit rate of its inspections",
    ]
    total = sum(v[1] for v in per_class.values())
    for c in "ABCD":
        v, n = per_class[c]
        hit, drawn_n = class_hits[c]
        lines.append(
            f"  {c}: {n / replications:8,.0f} ({n / total:5.1%})  violators {v / max(n, 1):5.1%}"
            f"  hit rate {hit / max(drawn_n, 1):5.1%} of {drawn_n / replications:,.0f} inspections"
        )
    return lines, ratio


def _fill(session, n: int, rng: np.random.Generator) -> None:
    from sqlalchemy import insert

    from surveyapp.models import Complaint, Provider, ProviderSector, Rating
    from surveyapp.models.credit import CreditEvent, Inspector

    now = datetime(2026, 12, 1, tzinfo=UTC)
    sectors = ["catering", "lodging", "retail", "domestic"]
    session.execute(insert(Provider), [
        {"id": i + 1, "credit_code": None, "registration_no": f"R{i:08d}", "name": f"店{i}",
         "district": ("思茅区", "宁洱县", "墨江县")[i % 3], "service_types": [],
         "status": "open", "created_at": now, "updated_at": now}
        for i in range(n)
    ])  # fmt: skip
    session.execute(insert(ProviderSector), [
        {"provider_id": i + 1, "sector": sectors[i % 4]} for i in range(n)
    ])  # fmt: skip
    kinds = rng.choice(["inspection", "penalty", "abnormal", "honour"], n // 2)
    days = rng.integers(0, 1500, n // 2)
    session.execute(insert(CreditEvent), [
        {"provider_id": int(2 * j + 1), "kind": str(k), "occurred_on": AS_OF - timedelta(int(d)),
         "source": "bench", "external_id": f"E{j}", "public": False, "created_at": now,
         "outcome": ("不合格" if j % 3 == 0 else "合格") if k == "inspection" else None}
        for j, (k, d) in enumerate(zip(kinds.tolist(), days.tolist(), strict=True))
    ])  # fmt: skip
    who = rng.integers(1, n + 1, 3 * n // 10)
    session.execute(insert(Complaint), [
        {"external_id": f"C{j}", "receipt_hash": f"h{j}", "channel": "12315",
         "received_at": now - timedelta(days=j % 300), "provider_id": int(p),
         "sector": "catering", "category": "价格", "description": "d", "status": "accepted",
         "accepted_at": now - timedelta(days=j % 300), "created_at": now}
        for j, p in enumerate(who.tolist())
    ])  # fmt: skip
    stars = rng.choice([1, 2, 3, 4, 5], 5 * n, p=[0.04, 0.04, 0.12, 0.35, 0.45])
    for start in range(0, 5 * n, 100_000):
        session.execute(insert(Rating), [
            {"provider_id": j % n + 1, "sector": sectors[j % n % 4], "form_id": "f",
             "form_version": 1, "answers": b"\x05", "overall": int(stars[j]),
             "window_start": date(2026, 11, 1), "created_at": now - timedelta(days=j % 360)}
            for j in range(start, min(start + 100_000, 5 * n))
        ])  # fmt: skip
    session.execute(insert(Inspector), [
        {"code": f"I{k:03d}", "name": f"人{k}", "active": True, "updated_at": now}
        for k in range(60)
    ])  # fmt: skip
    session.commit()


def speed(providers: int) -> list[str]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.credit.classes import CreditSettings, compute_classes
    from surveyapp.extensions import db
    from surveyapp.inspections.service import gather_inputs

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            t0 = time.perf_counter()
            _fill(db.session, providers, np.random.default_rng(SEED))
            fill_s = time.perf_counter() - t0
            settings = CreditSettings.from_config(app.config)
            t0 = time.perf_counter()
            classes = compute_classes(db.session, settings, AS_OF)
            classes_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            inputs = gather_inputs(db.session, settings, "catering", "2026Q4", [], AS_OF)
            gather_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            plan = draw(inputs, SEED)
            draw_s = time.perf_counter() - t0
            db.session.remove()
            db.engine.dispose()
    counts = {c: sum(p.cls == c for p in classes) for c in "ABCD"}
    return [
        f"speed (SQLite file): {providers:,} providers, {providers // 2:,} credit events, "
        f"{3 * providers // 10:,} complaints, {5 * providers:,} ratings (filled in {fill_s:.1f} s)",
        f"credit classes of all {len(classes):,} providers: {classes_s:.2f} s "
        f"(goal < 10 s: {'met' if classes_s < 10 else 'NOT met'}); classes {counts}",
        f"one sector's draw inputs from the database ({len(inputs.providers):,} providers, "
        f"their classes recomputed): {gather_s:.2f} s",
        f"the draw itself ({len(plan.drawn):,} drawn, 2 of 60 inspectors each): {draw_s:.3f} s "
        f"(goal < 1 s: {'met' if draw_s < 1 else 'NOT met'})",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.inspections")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--providers", type=int, default=100_000)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    sim, _ = simulation(args.replications)
    lines = [
        "bench/inspections: risk classes and the 双随机 draw (surveyapp.credit, surveyapp.inspections)",
        f"date {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; machine: {os.cpu_count()} cores, "
        f"shared with other jobs (load average {load:.1f}); Python {platform.python_version()}",
        *sim,
        *speed(args.providers),
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if not args.no_save:
        OUT.write_text(text, encoding="utf-8")
    return 0
