"""The indicators of :data:`surveyapp.credit.rules.INDICATORS`, for every provider at once.

Computed as of a China day from three sources, in a few grouped queries whatever the
number of providers (never one query per provider):

* the credit events (one GROUP BY over ``credit_event``): failed inspections and
  penalties of the last 24 months, current abnormal-operation listings and honours,
  the last inspection — an event counts from its day until it is repaired or ended;
* the complaints (one GROUP BY over ``complaint``): complaints *accepted* (accepted,
  in mediation or closed after acceptance) received in the last 12 months; a complaint
  not accepted never counts;
* the ratings (one GROUP BY over ``rating`` for the scores' window ending on the day and
  the window before it): the posterior share of satisfied ratings as the providers'
  scores define it (the same prior fit, :mod:`analysis.provider_scores`; only the means),
  and in how many of these two consecutive windows it was below the low-score threshold
  (``CREDIT_LOW_SCORE``).

A provider scored in several sectors takes its lowest posterior share (``sector``
given: that sector's).  A provider with no ratings in the window has no posterior
share and no complaints-per-1,000-ratings: unknown, never guessed; one never
inspected has no months since inspection.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from analysis.provider_scores import MIN_PROVIDERS, fit_beta_prior
from surveyapp.models import Complaint, Rating
from surveyapp.models.base import DbSession
from surveyapp.models.credit import CreditEvent
from surveyapp.providers.scores import months_before, score_window
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


def _windows(session: DbSession, as_of: date, months: int) -> dict[str, np.ndarray]:
    """Per (provider, sector of the form): ratings and satisfied ones in the scores' window
    ending on ``as_of`` and in the window before it, in one GROUP BY over both."""
    now, before = score_window(as_of, months), score_window(months_before(as_of, months), months)
    in_now = Rating.created_at >= now.start
    good = Rating.overall >= 4
    query = (
        select(
            Rating.provider_id,
            Rating.sector,
            func.sum(case((in_now, 1), else_=0)),
            func.sum(case((and_(in_now, good), 1), else_=0)),
            func.sum(case((in_now, 0), else_=1)),
            func.sum(case((and_(~in_now, good), 1), else_=0)),
        )
        .where(Rating.created_at >= before.start, Rating.created_at < now.end)
        .group_by(Rating.provider_id, Rating.sector)
    )
    rows = session.execute(query).all()
    return {
        "provider": np.array([r[0] for r in rows], dtype=np.int64),
        "sector": np.array([r[1] for r in rows], dtype=object),
        "counts": np.array([r[2:] for r in rows], dtype=np.int64).reshape(-1, 4),
    }


def _posterior_shares(sectors: np.ndarray, n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The providers' posterior shares of satisfied ratings, as the scores define them
    (:mod:`analysis.provider_scores`): per sector the Beta prior of :func:`fit_beta_prior`
    over its rated providers, the all-sector prior below ``MIN_PROVIDERS`` of them; the
    posterior mean ``(k + α) / (n + α + β)``; NaN without ratings.  Only the means, not
    the intervals, which the classes do not need (the time of 100,000 providers)."""
    out = np.full(n.shape, np.nan)
    rated = n > 0
    if not rated.any():
        return out
    pooled = None
    for sector in np.unique(sectors[rated]):
        mine = rated & (sectors == sector)
        if mine.sum() >= MIN_PROVIDERS:
            prior = fit_beta_prior(n[mine], k[mine])
        else:
            pooled = pooled or fit_beta_prior(n[rated], k[rated])
            prior = pooled
        out[mine] = (k[mine] + prior.alpha) / (n[mine] + prior.alpha + prior.beta)
    return out


def _scores(
    session: DbSession, as_of: date, months: int, sector: str | None
) -> tuple[dict[int, tuple[int, float]], dict[int, float]]:
    """Provider id → (ratings in the window, lowest posterior share), and → the lowest
    posterior share in the window before; rated providers only."""
    w = _windows(session, as_of, months)
    counts = w["counts"]
    now = _posterior_shares(w["sector"], counts[:, 0], counts[:, 1])
    then = _posterior_shares(w["sector"], counts[:, 2], counts[:, 3])
    keep = np.ones(len(now), dtype=bool) if sector is None else w["sector"] == sector
    current: dict[int, tuple[int, float]] = {}
    previous: dict[int, float] = {}
    for i in np.flatnonzero(keep).tolist():
        pid = int(w["provider"][i])
        if counts[i, 0] > 0:
            n, share = current.get(pid, (0, 1.0))
            current[pid] = (n + int(counts[i, 0]), min(share, float(now[i])))
        if counts[i, 2] > 0:
            previous[pid] = min(previous.get(pid, 1.0), float(then[i]))
    return current, previous


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
    now_scores, then_scores = _scores(session, as_of, settings.window_months, sector)
    out: dict[int, Values] = {}
    for pid in providers:
        failed, penalties, abnormal, honours, last = events.get(pid, (0, 0, 0, 0, None))
        n_complaints = complaints.get(pid, 0)
        n, share = now_scores.get(pid, (0, None))
        low = 0
        if share is not None and share < settings.low_score:
            low = 1
            previous = then_scores.get(pid)
            if previous is not None and previous < settings.low_score:
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
