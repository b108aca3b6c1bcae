"""Each indicator of the credit record, computed in bulk from events, complaints and ratings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from surveyapp.credit.indicators import IndicatorSettings, compute_indicators, months_between
from surveyapp.models import Complaint
from tests.credit.credit_data import AS_OF, add_providers, event, provider_id
from tests.providers.registry_data import rating

SETTINGS = IndicatorSettings(window_months=12, low_score=0.6)


def _values(session, codes):
    ids = {provider_id(session, c): c for c in codes}
    found = compute_indicators(session, ids, AS_OF, SETTINGS)
    return {ids[pid]: v for pid, v in found.items()}


def test_months_between():
    assert months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert months_between(date(2023, 12, 6), date(2026, 12, 6)) == 36
    assert months_between(date(2023, 12, 7), date(2026, 12, 6)) == 35


def test_event_indicators_count_the_window_and_skip_repaired_events(session):
    a, b = add_providers(session, 2)
    event(session, a, "penalty", date(2025, 1, 10), 1)
    event(session, a, "penalty", date(2024, 12, 6), 2)  # 24 months back: outside
    event(session, a, "penalty", date(2026, 3, 1), 3, ended_on=date(2026, 6, 1))  # repaired
    event(session, a, "penalty", date(2026, 11, 1), 4, ended_on=date(2026, 12, 20))  # later
    event(session, a, "inspection", date(2025, 6, 1), 5, outcome="不合格")
    event(session, a, "inspection", date(2026, 2, 1), 6, outcome="合格")
    event(session, a, "abnormal", date(2020, 1, 1), 7)  # old, still listed
    event(session, a, "honour", date(2026, 12, 7), 8)  # tomorrow: not yet
    event(session, b, "honour", date(2025, 1, 1), 9)
    event(session, b, "abnormal", date(2025, 1, 1), 10, ended_on=date(2025, 5, 1))
    values = _values(session, [a, b])
    assert values[a]["penalties_24m"] == 2
    assert values[a]["failed_inspections_24m"] == 1
    assert values[a]["abnormal_listings"] == 1
    assert values[a]["honours"] == 0
    assert values[a]["months_since_inspection"] == 10  # 2026-02-01 → 2026-12-06
    assert values[b]["honours"] == 1 and values[b]["abnormal_listings"] == 0
    assert values[b]["months_since_inspection"] is None  # never inspected: unknown
    assert values[b]["penalties_24m"] == 0


def _complaint(code_id: int, n: int, received: datetime, status: str, accepted: bool):
    return Complaint(
        external_id=f"c{n}", receipt_hash=f"h{n}", channel="12315", received_at=received,
        provider_id=code_id, sector="catering", category="价格", description="d",
        status=status, accepted_at=received + timedelta(days=1) if accepted else None,
    )  # fmt: skip


def test_complaints_and_ratings(session):
    a, b = add_providers(session, 2)
    ida, idb = provider_id(session, a), provider_id(session, b)
    recent = datetime(2026, 10, 1, 4, tzinfo=UTC)
    session.add_all(
        [
            _complaint(ida, 1, recent, "accepted", True),
            _complaint(ida, 2, recent, "closed", True),
            _complaint(ida, 3, recent, "not_accepted", False),  # never counts
            _complaint(ida, 4, datetime(2025, 11, 1, tzinfo=UTC), "closed", True),  # >12 m
        ]
    )
    # a: 40 ratings, 10 satisfied (low score); b: 40 ratings, 38 satisfied
    for k in range(40):
        at = recent - timedelta(days=k)
        session.add(rating(ida, "catering", 5 if k < 10 else 2, at, device=f"a{k}"))
        session.add(rating(idb, "catering", 5 if k < 38 else 1, at, device=f"b{k}"))
    # the window before: a low there too
    for k in range(20):
        at = recent - timedelta(days=400 + k)
        session.add(rating(ida, "catering", 1, at, device=f"old{k}"))
    session.commit()
    values = _values(session, [a, b])
    assert values[a]["complaints_12m"] == 2
    assert values[a]["complaints_per_1000_ratings"] == 2 / 40 * 1000
    assert values[b]["complaints_per_1000_ratings"] == 0
    assert values[a]["posterior_share"] < 0.6 < values[b]["posterior_share"]
    assert values[a]["low_score_periods"] == 2
    assert values[b]["low_score_periods"] == 0


def test_a_provider_without_ratings_has_unknown_rating_indicators(session):
    (a,) = add_providers(session, 1)
    values = _values(session, [a])
    assert values[a]["posterior_share"] is None
    assert values[a]["complaints_per_1000_ratings"] is None
    assert values[a]["low_score_periods"] is None
    assert values[a]["complaints_12m"] == 0


def test_posterior_share_is_the_providers_score(session):
    """The classes' posterior shares equal those of ``providers scores`` (one definition),
    for a sector with its own prior and one that falls back to the all-sector prior."""
    from surveyapp.providers.scores import compute_scores, score_window

    codes = add_providers(session, 14)
    rng_stars = [5, 4, 2, 1, 3, 5, 5, 4]
    for n, code in enumerate(codes):
        pid = provider_id(session, code)
        sector = "catering" if n < 12 else "lodging"
        for k in range(3 + n):
            stars = rng_stars[(n + k) % len(rng_stars)]
            at = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(hours=n * 50 + k)
            session.add(rating(pid, sector, stars, at, device=f"{n}-{k}"))
    session.commit()
    values = _values(session, codes)
    scores = compute_scores(session, score_window(AS_OF, 12))
    expected = {p.id: p.posterior_share for s in scores.sectors for p in s.providers if p.n}
    assert len(expected) == 14
    for code in codes:
        assert abs(values[code]["posterior_share"] - expected[code]) < 1e-12
