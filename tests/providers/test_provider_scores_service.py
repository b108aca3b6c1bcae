"""``providers scores``' service: the window in China days, the SQL tallies, the sectors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from scipy import stats

from surveyapp.models import Provider
from surveyapp.providers.scores import compute_scores, months_before, score_window
from tests.providers.registry_data import REAL_CODES, rating

A, B, C, D = REAL_CODES


def test_the_window_is_months_of_china_days_up_to_as_of():
    window = score_window(date(2026, 12, 6), 12)
    assert (window.first, window.last) == (date(2025, 12, 7), date(2026, 12, 6))
    # 00:00 China time is 16:00 UTC the day before
    assert window.start == datetime(2025, 12, 6, 16, 0, tzinfo=UTC)
    assert window.end == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    with pytest.raises(ValueError):
        score_window(date(2026, 12, 6), 0)


def _provider(session, code, name, sectors, district="思茅区"):
    p = Provider(credit_code=code, name=name, district=district, service_types=[])
    p.sectors = sectors
    session.add(p)
    session.flush()
    return p


def by_id(scores, sector):
    (sec,) = [s for s in scores.sectors if s.sector == sector]
    return sec, {p.id: p for p in sec.providers}


def test_only_ratings_inside_the_window_count(session):
    p = _provider(session, A, "甲", ["catering"])
    window = score_window(date(2026, 12, 6), 12)
    inside = [window.start, window.end - timedelta(seconds=1), window.start + timedelta(days=100)]
    outside = [window.start - timedelta(seconds=1), window.end]
    for i, at in enumerate(inside + outside):
        session.add(rating(p.id, "catering", 5 if at in inside else 1, at, device=str(i)))
    session.commit()
    _, scores = by_id(compute_scores(session, window), "catering")
    assert (scores[A].n, scores[A].satisfied, scores[A].raw_share) == (3, 3, 1.0)


def test_tallies_per_provider_and_sector_of_the_form(session):
    at = datetime(2026, 11, 1, 4, tzinfo=UTC)
    care = _provider(session, A, "康乐", ["elderly_care", "domestic"])
    food = _provider(session, B, "茶香", ["catering"])
    quiet = _provider(session, C, "无人评", ["catering"])
    stars = {("elderly_care", care): [5, 4, 3, 2], ("domestic", care): [5, 5],
             ("catering", food): [4, 1, 5], ("lodging", food): [2]}  # fmt: skip
    for (sector, p), values in stars.items():
        for i, s in enumerate(values):
            session.add(rating(p.id, sector, s, at, device=f"{sector}{i}"))
    session.commit()
    result = compute_scores(session, score_window(date(2026, 12, 6), 12))
    assert [s.sector for s in result.sectors] == ["elderly_care", "domestic", "catering", "lodging"]
    _, care_scores = by_id(result, "elderly_care")
    assert (care_scores[A].n, care_scores[A].satisfied) == (4, 2)
    _, dom = by_id(result, "domestic")
    assert (dom[A].n, dom[A].satisfied) == (2, 2)
    cat, food_scores = by_id(result, "catering")
    assert (food_scores[B].n, food_scores[B].satisfied) == (3, 2)
    # registered in catering, never rated: listed at the prior, not published
    assert food_scores[C].n == 0 and food_scores[C].raw_share is None
    assert not food_scores[C].published
    assert food_scores[C].posterior_share == pytest.approx(cat.prior.mean)
    # rated with the lodging form without being registered in lodging: listed there
    _, lodging = by_id(result, "lodging")
    assert set(lodging) == {B} and lodging[B].n == 1
    # the posterior is Beta(k + α, n − k + β) of the counted ratings (fewer than 10
    # providers: the prior fitted over all sectors)
    prior = cat.prior
    assert prior.scope == "all sectors"
    a, b = 2 + prior.alpha, 1 + prior.beta
    assert food_scores[B].posterior_share == pytest.approx(a / (a + b))
    assert food_scores[B].ci == pytest.approx(stats.beta.ppf([0.025, 0.975], a, b))
    assert result.labels[B].name == "茶香" and result.labels[B].credit_code == B
    assert quiet.id  # registered


def test_no_providers_no_sectors(session):
    assert compute_scores(session, score_window(date(2026, 12, 6), 12)).sectors == ()


def test_one_scan_counts_both_windows_as_two_scans_would(session):
    from surveyapp.providers.scores import star_counts

    p = _provider(session, A, "甲", ["catering"])
    now = score_window(date(2026, 12, 6), 12)
    past = score_window(months_before(date(2026, 12, 6), 3), 12)
    edges = [now.start, now.end, past.start, past.end]
    moments = [e + timedelta(seconds=s) for e in edges for s in (-1, 0, 1)]
    moments.append(now.start + timedelta(days=40))  # in both windows
    for i, at in enumerate(moments):
        session.add(rating(p.id, "catering", 1 + i % 5, at, device=str(i)))
    session.commit()
    both = star_counts(session, now, past)
    assert both == (star_counts(session, now)[0], star_counts(session, past)[0])
    assert both[0] != both[1] and sum(both[1][(p.id, "catering")].values()) == 7
