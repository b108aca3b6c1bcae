"""The bulk path of the classes (indicator columns, rules on whole columns, rows stored by
the driver) equals the previous per-provider computation on a mixed data set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select

from surveyapp.credit.classes import CreditSettings, compute_classes, record_classes
from surveyapp.credit.indicators import (
    _complaints,
    _day,
    _events,
    _posterior_shares,
    _windows,
    compute_indicators,
    months_between,
)
from surveyapp.credit.rules import INDICATORS, classify, classify_many, default_rules, load_rules
from surveyapp.models import Complaint, Provider
from surveyapp.models.credit import ClassHistory, ClassOverride
from tests.credit.credit_data import AS_OF, add_providers, credit_code, event, provider_id
from tests.providers.registry_data import rating

RULES = """\
name: {zh: 测试, en: test}
factors:
  - {indicator: penalties_24m, at_least: 1, points: 30, label: {zh: 处罚, en: penalty}}
  - {indicator: penalties_24m, above: 2, points: 20, label: {zh: 多次处罚, en: penalties}}
  - {indicator: posterior_share, below: 0.7, points: 25, label: {zh: 低分, en: low}}
  - {indicator: posterior_share, at_most: 0.5, points: 15, label: {zh: 很低, en: very low}}
  - {indicator: months_since_inspection, at_least: 24, points: 10, label: {zh: 久未查, en: old}}
  - {indicator: honours, at_least: 1, points: -20, label: {zh: 荣誉, en: honour}}
  - {indicator: complaints_per_1000_ratings, above: 50, points: 15, label: {zh: 投诉, en: c}}
classes: {B: 20, C: 40, D: 70}
"""


def _old_indicators(session, ids, as_of, settings, sector=None):
    """The indicators as computed before the columns: dicts assembled provider by provider."""
    events = {row[0]: tuple(row[1:]) for row in _events(session, as_of, ids)}
    complaints = dict(_complaints(session, as_of, ids))
    w = _windows(session, as_of, settings.window_months)
    counts = w["counts"]
    now = _posterior_shares(w["sector"], counts[:, 0], counts[:, 1])
    then = _posterior_shares(w["sector"], counts[:, 2], counts[:, 3])
    names = {code: name for name, code in w["sectors"].items()}
    keep = np.array([sector is None or names[c] == sector for c in w["sector"].tolist()])
    keep = keep.astype(bool).reshape(-1)
    current, previous = {}, {}
    for i in np.flatnonzero(keep).tolist():
        pid = int(w["provider"][i])
        if counts[i, 0] > 0:
            n, share = current.get(pid, (0, 1.0))
            current[pid] = (n + int(counts[i, 0]), min(share, float(now[i])))
        if counts[i, 2] > 0:
            previous[pid] = min(previous.get(pid, 1.0), float(then[i]))
    out = {}
    for pid in ids:
        failed, penalties, abnormal, honours, last = events.get(pid, (0, 0, 0, 0, None))
        n_complaints = complaints.get(pid, 0)
        n, share = current.get(pid, (0, None))
        low = 0
        if share is not None and share < settings.low_score:
            low = 1
            before = previous.get(pid)
            if before is not None and before < settings.low_score:
                low = 2
        out[pid] = {
            "complaints_per_1000_ratings": 1000 * n_complaints / n if n else None,
            "complaints_12m": n_complaints,
            "failed_inspections_24m": int(failed or 0),
            "penalties_24m": int(penalties or 0),
            "abnormal_listings": int(abnormal or 0),
            "posterior_share": share,
            "low_score_periods": low if share is not None else None,
            "months_since_inspection": (
                None if last is None else months_between(_day(last), as_of)
            ),
            "honours": int(honours or 0),
        }
    return out


def _mixed(session):
    """30 providers in two sectors: events of every kind (some repaired), complaints,
    ratings now and before (some low, some none), one override."""
    codes = add_providers(session, 20)
    lodging = []
    for n in range(10):
        code = credit_code(100 + n)
        p = Provider(credit_code=code, name=f"客栈{n}", district="宁洱县", status="open")
        p.sectors = ["lodging", "catering"] if n % 3 == 0 else ["lodging"]
        session.add(p)
        lodging.append(code)
    session.commit()
    codes += lodging
    ids = [provider_id(session, c) for c in codes]
    rng = np.random.default_rng(18)
    k = 0
    for i, code in enumerate(codes):
        for _ in range(int(rng.integers(0, 5))):
            k += 1
            kind = str(rng.choice(["inspection", "penalty", "abnormal", "honour"]))
            on = AS_OF - timedelta(days=int(rng.integers(0, 1200)))
            ended = on + timedelta(days=30) if rng.random() < 0.2 else None
            outcome = str(rng.choice(["合格", "不合格"])) if kind == "inspection" else None
            event(session, code, kind, on, k, outcome=outcome, ended_on=ended)
        for j in range(int(rng.integers(0, 3))):
            received = datetime(2026, 9, 1, 4, tzinfo=UTC) - timedelta(days=40 * j)
            session.add(
                Complaint(
                    external_id=f"fc{i}-{j}", receipt_hash=f"fh{i}-{j}", channel="12315",
                    received_at=received, provider_id=ids[i], sector="catering",
                    category="价格", description="d", status="accepted",
                    accepted_at=received + timedelta(days=1),
                )
            )  # fmt: skip
        if i % 7 == 6:
            continue  # no ratings at all
        good = float(rng.uniform(0.2, 0.95))
        sectors = ["lodging", "catering"] if i >= 20 and (i - 20) % 3 == 0 else None
        sectors = sectors or (["catering"] if i < 20 else ["lodging"])
        for sector in sectors:
            for r in range(int(rng.integers(1, 25))):
                at = datetime(2026, 10, 1, 4, tzinfo=UTC) - timedelta(days=r)
                stars = 5 if rng.random() < good else 2
                session.add(rating(ids[i], sector, stars, at, device=f"{sector}{i}n{r}"))
            if i % 2:
                for r in range(int(rng.integers(1, 10))):
                    at = datetime(2025, 9, 1, 4, tzinfo=UTC) - timedelta(days=r)
                    stars = 5 if rng.random() < good else 1
                    session.add(rating(ids[i], sector, stars, at, device=f"{sector}{i}b{r}"))
    session.add(
        ClassOverride(
            provider_id=ids[3], cls="D", reason="r", bureau="catering",
            expires_on=date(2027, 3, 31), actor="t",
        )
    )  # fmt: skip
    session.commit()
    return ids


def test_classify_many_equals_classify_on_every_kind_of_value():
    rng = np.random.default_rng(7)
    size = 3000
    columns = {}
    for name in INDICATORS:
        values = rng.choice([0.0, 1.0, 2.0, 3.0, 24.0, 50.0, 0.5, 0.7], size)
        values = np.where(rng.random(size) < 0.5, values, rng.uniform(0, 60, size).round(2))
        values[rng.random(size) < 0.2] = np.nan
        columns[name] = values
    del columns["honours"]  # an indicator the columns lack is unknown for every provider
    for rules in (default_rules(), load_rules(RULES)):
        fast = classify_many(columns, rules)
        for i in range(size):
            values = {k: (None if np.isnan(v[i]) else float(v[i])) for k, v in columns.items()}
            assert fast[i] == classify(values, rules), (i, values)
    assert classify_many({}, default_rules()) == []


def test_classes_and_stored_rows_equal_the_previous_computation(app, session):
    ids = _mixed(session)
    settings = CreditSettings.from_config(app.config)
    for rules in (settings.rules, load_rules(RULES)):
        for sector in (None, "catering", "lodging"):
            mine = CreditSettings(rules, settings.indicators, settings.rates_per_mille)
            classes = compute_classes(session, mine, AS_OF, sector=sector)
            keys = {p.provider_id for p in classes}
            old = _old_indicators(session, sorted(keys), AS_OF, settings.indicators, sector)
            assert compute_indicators(
                session, {pid: "" for pid in sorted(keys)}, AS_OF, settings.indicators,
                sector=sector,
            ) == old  # fmt: skip
            for p in classes:
                assert p.computed == classify(old[p.provider_id], rules)
                assert p.cls == ("D" if p.provider_id == ids[3] else p.computed.cls)
    classes = compute_classes(session, settings, AS_OF)
    assert len(classes) == 30 and {p.computed.cls for p in classes} > {"A"}
    assert record_classes(session, "2026Q4", classes) == 30
    assert record_classes(session, "2026Q4", classes) == 30  # replaces, never duplicates
    stored = {h.provider_id: h for h in session.scalars(select(ClassHistory))}
    assert len(stored) == 30
    for p in classes:
        h = stored[p.provider_id]
        assert (h.period, h.cls, h.computed, h.points) == (
            "2026Q4", p.cls, p.computed.cls, p.computed.points,
        )  # fmt: skip
        assert h.factors == [f.as_json() for f in p.computed.factors]
        assert h.recorded_at.tzinfo is not None
