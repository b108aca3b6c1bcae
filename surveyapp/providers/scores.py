"""Providers' scores: the ratings of the rolling window counted in SQL, then estimated.

The window is the last ``PROVIDER_SCORE_WINDOW_MONTHS`` months (default 12) up to and
including a China day (today, or ``--as-of``): with ``as_of = 2026-12-06`` and 12 months,
ratings made from 2025-12-07 00:00 to 2026-12-06 23:59:59 China time.  One GROUP BY over
``rating`` (a scan of its covering index ``ix_rating_provider_sector_created``) counts,
per provider, sector of the rating form and overall stars, the counted ratings (not
those held for review or rejected); from them come the number of ratings, the satisfied
ones (4 or 5 stars), and the sums of stars and of squared stars; :func:`analysis.provider_scores.score_providers`
does the estimation (one prior per sector, the all-sector prior below 10 providers).

Every provider registered in a sector is listed in it (with ``n = 0`` when nobody rated
it in the window), and so is a provider rated with a sector's form without being
registered in that sector: ratings belong to the sector of the form used.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from analysis.provider_scores import ProviderLabel, ProviderTally, SectorScores, score_providers
from surveyapp.models import Provider, ProviderSector, Rating
from surveyapp.models.base import DbSession
from surveyapp.models.review import COUNTED
from surveyapp.rounds.dates import closes_after, day_start
from surveyapp.sectors import sector_sort_key

__all__ = [
    "ProviderScores",
    "ScoreWindow",
    "StarCounts",
    "compute_scores",
    "score_window",
    "star_counts",
]


@dataclass(frozen=True)
class ScoreWindow:
    """Ratings made in ``[start, end)`` (UTC) count: the China days ``first``..``last``."""

    first: date
    last: date
    start: datetime
    end: datetime


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def score_window(as_of: date, months: int) -> ScoreWindow:
    """The ``months`` months up to and including the China day ``as_of``."""
    if months < 1:
        raise ValueError("the scores' window must be at least one month")
    first = months_before(as_of, months) + timedelta(days=1)
    return ScoreWindow(first, as_of, day_start(first), closes_after(as_of))


@dataclass(frozen=True)
class ProviderScores:
    """Every sector's scores (all sectors, whatever is printed) and the providers' labels."""

    window: ScoreWindow
    sectors: tuple[SectorScores, ...]
    labels: dict[str, ProviderLabel]


StarCounts = dict[tuple[int, str], dict[int, int]]


def star_counts(
    session: DbSession, window: ScoreWindow, other: ScoreWindow | None = None
) -> tuple[StarCounts, StarCounts]:
    """(provider id, sector) → overall stars → number of counted ratings in ``window``
    (and in ``other``, else empty): one GROUP BY over the covering index.  The tallies
    (:func:`_tallies`) and the published pages' distribution of stars both come from it
    (one scan, not two); so do the last period's (``other``: the same scan, each group
    split by the two windows' bounds)."""
    spans = [window] if other is None else [window, other]
    start, end = min(w.start for w in spans), max(w.end for w in spans)
    flags: list[Any] = [
        case((and_(Rating.created_at >= w.start, Rating.created_at < w.end), 1), else_=0)
        for w in spans
    ]
    query = (
        select(Rating.provider_id, Rating.sector, Rating.overall, *flags, func.count())
        .where(Rating.created_at >= start, Rating.created_at < end, Rating.review == COUNTED)
        .group_by(Rating.provider_id, Rating.sector, Rating.overall, *flags)
    )
    outs: tuple[StarCounts, StarCounts] = ({}, {})
    for pid, sector, stars, *inside, count in session.execute(query):
        for out, yes in zip(outs, inside, strict=False):
            if yes:
                per = out.setdefault((pid, sector), {})
                per[int(stars)] = per.get(int(stars), 0) + int(count)
    return outs


def _tallies(counts: StarCounts) -> dict[tuple[int, str], tuple[int, int, int, int]]:
    """(provider id, sector) → (n, satisfied, Σ stars, Σ stars²): what ``count(*)``,
    ``sum(overall >= 4)``, ``sum(overall)`` and ``sum(overall²)`` give, from the counts."""
    out = {}
    for key, per in counts.items():
        n = sum(per.values())
        k = sum(c for v, c in per.items() if v >= 4)
        out[key] = (
            n,
            k,
            sum(v * c for v, c in per.items()),
            sum(v * v * c for v, c in per.items()),
        )
    return out


def compute_scores(
    session: DbSession, window: ScoreWindow, min_n: int = 5, counts: StarCounts | None = None
) -> ProviderScores:
    """Count the window's ratings and estimate every sector's providers' scores
    (published from ``min_n`` ratings: the setting ``PROVIDER_MIN_RATINGS``); ``counts``:
    the window's :func:`star_counts` when the caller has them already."""
    counted = _tallies(star_counts(session, window)[0] if counts is None else counts)
    members = {
        (pid, sector)
        for pid, sector in session.execute(
            select(ProviderSector.provider_id, ProviderSector.sector)
        )
    }
    wanted = members | set(counted)
    ids = {pid for pid, _ in wanted}
    listed = session.execute(
        select(Provider.id, Provider.credit_code, Provider.registration_no, Provider.name,
               Provider.district).order_by(Provider.district, Provider.name, Provider.id)
    )  # fmt: skip
    keys: dict[int, str] = {}
    labels: dict[str, ProviderLabel] = {}
    for pid, credit_code, registration_no, name, district in listed:
        if pid in ids:
            keys[pid] = credit_code or registration_no or ""
            labels[keys[pid]] = ProviderLabel(credit_code, name, district)
    order = {pid: i for i, pid in enumerate(keys)}
    rows = sorted(wanted, key=lambda key: (sector_sort_key(key[1]), order[key[0]]))
    tallies = [
        ProviderTally(keys[pid], sector, *counted.get((pid, sector), (0, 0, 0, 0)))
        for pid, sector in rows
    ]
    return ProviderScores(window, score_providers(tallies, min_n=min_n), labels)


def only_sector(sectors: Sequence[SectorScores], sector: str | None) -> list[SectorScores]:
    """The sectors to print: all, or the one asked for."""
    return [s for s in sectors if sector is None or s.sector == sector]
