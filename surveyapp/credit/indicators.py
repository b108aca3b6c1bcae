"""The indicators of :data:`surveyapp.credit.rules.INDICATORS`, for every provider at once.

Computed as of a China day from three sources, in a few grouped queries whatever the
number of providers (never one query per provider):

* the credit events (one GROUP BY over ``credit_event``): failed inspections and
  penalties of the last 24 months, current abnormal-operation listings and honours,
  the last inspection — an event counts from its day until it is repaired or ended;
* the complaints (one GROUP BY over ``complaint``): complaints *accepted* (accepted,
  in mediation or closed after acceptance) received in the last 12 months; a complaint
  not accepted never counts;
* the ratings (:func:`surveyapp.providers.scores.compute_scores`, the providers'
  scores over the scores' window ending on the day, and over the window before it):
  the posterior share of satisfied ratings, and in how many of these two consecutive
  windows it was below the low-score threshold (``CREDIT_LOW_SCORE``).

A provider scored in several sectors takes its lowest posterior share (``sector``
given: that sector's).  A provider with no ratings in the window has no posterior
share and no complaints-per-1,000-ratings: unknown, never guessed; one never
inspected has no months since inspection.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from surveyapp.models import Complaint
from surveyapp.models.base import DbSession
from surveyapp.models.credit import CreditEvent
from surveyapp.providers.scores import compute_scores, months_before, score_window
from surveyapp.rounds.dates import closes_after, day_start

__all__ = ["IndicatorSettings", "Values", "compute_indicators", "months_between"]

Values = dict[str, float | None]


@dataclass(frozen=True)
class IndicatorSettings:
    window_months: int = 12  # PROVIDER_SCORE_WINDOW_MONTHS
    low_score: float = 0.6  # CREDIT_LOW_SCORE


def months_between(first: date, last: date) -> int:
    """Whole months from ``first`` to ``last`` (2026-01-31 → 2026-02-28 is 0)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    return months - (last.day < first.day)


def _events(session: DbSession, as_of: date, ids: Collection[int] | None) -> dict[int, tuple]:
    since = months_before(as_of, 24)
    live = and_(
        CreditEvent.occurred_on <= as_of,
        or_(CreditEvent.ended_on.is_(None), CreditEvent.ended_on > as_of),
    )
    recent = and_(live, CreditEvent.occurred_on > since)

    def count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((and_(*conditions), 1), else_=0))

    inspected = and_(CreditEvent.kind == "inspection", CreditEvent.occurred_on <= as_of)
    query = select(
        CreditEvent.provider_id,
        count(recent, CreditEvent.kind == "inspection", CreditEvent.outcome == "不合格"),
        count(recent, CreditEvent.kind == "penalty"),
        count(live, CreditEvent.kind == "abnormal"),
        count(live, CreditEvent.kind == "honour"),
        func.max(case((inspected, CreditEvent.occurred_on), else_=None)),
    ).group_by(CreditEvent.provider_id)
    if ids is not None:
        query = query.where(CreditEvent.provider_id.in_(list(ids)))
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def _complaints(session: DbSession, as_of: date, ids: Collection[int] | None) -> dict[int, int]:
    start = day_start(months_before(as_of, 12) + timedelta(days=1))
    query = (
        select(Complaint.provider_id, func.count())
        .where(
            Complaint.provider_id.is_not(None),
            Complaint.accepted_at.is_not(None),
            Complaint.status != "not_accepted",
            Complaint.received_at >= start,
            Complaint.received_at < closes_after(as_of),
        )
        .group_by(Complaint.provider_id)
    )
    if ids is not None:
        query = query.where(Complaint.provider_id.in_(list(ids)))
    return {pid: int(n) for pid, n in session.execute(query) if pid is not None}


def _scores(
    session: DbSession, as_of: date, months: int, sector: str | None
) -> dict[str, tuple[int, float]]:
    """Provider key → (ratings in the window, lowest posterior share), rated ones only."""
    found: dict[str, tuple[int, float]] = {}
    for scores in compute_scores(session, score_window(as_of, months)).sectors:
        if sector is not None and scores.sector != sector:
            continue
        for p in scores.providers:
            if p.n == 0 or p.posterior_share is None:
                continue
            n, share = found.get(p.id, (0, 1.0))
            found[p.id] = (n + p.n, min(share, p.posterior_share))
    return found


def compute_indicators(
    session: DbSession,
    providers: dict[int, str],
    as_of: date,
    settings: IndicatorSettings,
    *,
    sector: str | None = None,
) -> dict[int, Values]:
    """Every indicator of every provider given (database id → provider key)."""
    ids = None if len(providers) > 5000 else list(providers)  # big sets: all rows, no IN
    events = _events(session, as_of, ids)
    complaints = _complaints(session, as_of, ids)
    now_scores = _scores(session, as_of, settings.window_months, sector)
    before = months_before(as_of, settings.window_months)
    then_scores = _scores(session, before, settings.window_months, sector)
    out: dict[int, Values] = {}
    for pid, key in providers.items():
        failed, penalties, abnormal, honours, last = events.get(pid, (0, 0, 0, 0, None))
        n_complaints = complaints.get(pid, 0)
        n, share = now_scores.get(key, (0, None))
        low = 0
        if share is not None and share < settings.low_score:
            low = 1
            previous = then_scores.get(key)
            if previous is not None and previous[1] < settings.low_score:
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


def _day(value: object) -> date:
    """A MAX() over a date column: a date (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
