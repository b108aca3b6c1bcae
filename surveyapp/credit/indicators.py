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

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Executable, and_, case, func, or_, select

from analysis.provider_scores import MIN_PROVIDERS, fit_beta_prior
from surveyapp.blas import one_blas_thread
from surveyapp.models import Complaint, Rating
from surveyapp.models.base import DbSession
from surveyapp.models.credit import CreditEvent
from surveyapp.providers.scores import months_before, score_window
from surveyapp.rounds.dates import closes_after, day_start

__all__ = [
    "IndicatorSettings", "Values", "compute_indicators", "indicator_columns", "months_between",
    "read_rows",
]  # fmt: skip

Values = dict[str, float | None]


@dataclass(frozen=True)
class IndicatorSettings:
    window_months: int = 12  # PROVIDER_SCORE_WINDOW_MONTHS
    low_score: float = 0.6  # CREDIT_LOW_SCORE


def months_between(first: date, last: date) -> int:
    """Whole months from ``first`` to ``last`` (2026-01-31 → 2026-02-28 is 0)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    return months - (last.day < first.day)


def read_rows(session: DbSession, query: Executable) -> Sequence[Any]:
    """The rows of a select of columns through the session's connection, without the ORM's
    row loading (a third of the indicators' time at 100,000 providers); pending changes
    are flushed first, as ``session.execute`` would."""
    session.flush()
    return session.connection().execute(query).all()


def _positions(
    ids: np.ndarray, order: np.ndarray, pids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``pids`` stands in ``ids`` (``order`` sorts ``ids``), and which are there."""
    if not len(ids) or not len(pids):
        return np.zeros(len(pids), dtype=np.int64), np.zeros(len(pids), dtype=bool)
    at = np.minimum(np.searchsorted(ids, pids, sorter=order), len(ids) - 1)
    where = order[at]
    return where, ids[where] == pids


def _events(session: DbSession, as_of: date, ids: Collection[int] | None) -> list[tuple]:
    """Per provider with events: failed inspections and penalties in 24 months, current
    abnormal listings and honours, the day of the last inspection (one GROUP BY)."""
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
    return [tuple(row) for row in read_rows(session, query)]


def _complaints(session: DbSession, as_of: date, ids: Collection[int] | None) -> list[tuple]:
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
    return [(pid, int(n)) for pid, n in read_rows(session, query) if pid is not None]


def _windows(session: DbSession, as_of: date, months: int) -> dict[str, Any]:
    """Per (provider, sector of the form): ratings and satisfied ones in the scores' window
    ending on ``as_of`` and in the window before it, in one GROUP BY over both; the sector
    as a number of ``sectors`` (name → number)."""
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
    rows = read_rows(session, query)
    codes: dict[str, int] = {}  # the sectors as numbers: compared and sorted as numbers
    return {
        "provider": np.array([r[0] for r in rows], dtype=np.int64),
        "sector": np.array([codes.setdefault(r[1], len(codes)) for r in rows], dtype=np.int64),
        "sectors": codes,
        "counts": np.array([r[2:] for r in rows], dtype=np.int64).reshape(-1, 4),
    }


def _posterior_shares(sectors: np.ndarray, n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The providers' posterior shares of satisfied ratings, as the scores define them
    (:mod:`analysis.provider_scores`): per sector (``sectors``: numbers) the Beta prior of :func:`fit_beta_prior`
    over its rated providers, the all-sector prior below ``MIN_PROVIDERS`` of them; the
    posterior mean ``(k + α) / (n + α + β)``; NaN without ratings.  Only the means, not
    the intervals, which the classes do not need (the time of 100,000 providers)."""
    out = np.full(n.shape, np.nan)
    rated = n > 0
    if not rated.any():
        return out
    pooled = None
    # one BLAS thread (surveyapp.blas): L-BFGS-B's tiny calls wake OpenBLAS's threads,
    # which on a busy machine cost 3-4 times the fits (4 fits: 0.13 s CPU against 0.4-1.2 s)
    with one_blas_thread():
        for sector in np.unique(sectors[rated]).tolist():
            mine = rated & (sectors == sector)
            if mine.sum() >= MIN_PROVIDERS:
                prior = fit_beta_prior(n[mine], k[mine])
            else:
                pooled = pooled or fit_beta_prior(n[rated], k[rated])
                prior = pooled
            out[mine] = (k[mine] + prior.alpha) / (n[mine] + prior.alpha + prior.beta)
    return out


def _score_arrays(
    session: DbSession, as_of: date, months: int, sector: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every provider rated in the scores' window ending on ``as_of`` or in the one before
    (ids ascending), with its ratings in the window and its lowest posterior share over its
    sectors (that sector's only, given one) in the window and in the one before: NaN where
    it has no ratings in that window."""
    w = _windows(session, as_of, months)
    c = w["counts"]
    now = _posterior_shares(w["sector"], c[:, 0], c[:, 1])
    then = _posterior_shares(w["sector"], c[:, 2], c[:, 3])
    keep = np.ones(len(c), dtype=bool)
    if sector is not None:
        keep = w["sector"] == w["sectors"].get(sector, -1)
    keep &= (c[:, 0] > 0) | (c[:, 2] > 0)
    rated, at = np.unique(w["provider"][keep], return_inverse=True)
    c, now, then = c[keep], now[keep], then[keep]
    n = np.zeros(len(rated))
    share = np.full(len(rated), np.inf)
    previous = np.full(len(rated), np.inf)
    np.add.at(n, at, c[:, 0])
    in_now, in_then = c[:, 0] > 0, c[:, 2] > 0
    np.minimum.at(share, at[in_now], now[in_now])
    np.minimum.at(previous, at[in_then], then[in_then])
    share[np.isinf(share)] = np.nan
    previous[np.isinf(previous)] = np.nan
    return rated, n, share, previous


def _scores(
    session: DbSession, as_of: date, months: int, sector: str | None
) -> tuple[dict[int, tuple[int, float]], dict[int, float]]:
    """Provider id → (ratings in the window, lowest posterior share), and → the lowest
    posterior share in the window before; rated providers only."""
    rated, n, share, previous = _score_arrays(session, as_of, months, sector)
    current: dict[int, tuple[int, float]] = {}
    before: dict[int, float] = {}
    for pid, count, now, then in zip(
        rated.tolist(), n.tolist(), share.tolist(), previous.tolist(), strict=True
    ):
        if now == now:  # not NaN
            current[pid] = (int(count), now)
        if then == then:
            before[pid] = then
    return current, before


def indicator_columns(
    session: DbSession,
    ids: Sequence[int],
    as_of: date,
    settings: IndicatorSettings,
    *,
    sector: str | None = None,
) -> dict[str, np.ndarray]:
    """Every indicator of the providers ``ids`` (database ids), one float array each in the
    order of ``ids``; NaN where a value is unknown (no ratings, never inspected)."""
    size = len(ids)
    pid = np.asarray(ids, dtype=np.int64)
    order = np.argsort(pid, kind="stable")
    where_in = None if size > 5000 else list(ids)  # big sets: all rows, no IN

    events = _events(session, as_of, where_in)
    counts = np.zeros((size, 4))
    last = np.full(size, np.nan)
    if events:
        at, mine = _positions(pid, order, np.array([e[0] for e in events], dtype=np.int64))
        for i in np.flatnonzero(mine).tolist():
            row = events[i]
            counts[at[i]] = [int(v or 0) for v in row[1:5]]
            if row[5] is not None:
                last[at[i]] = months_between(_day(row[5]), as_of)

    complaints = np.zeros(size)
    rows = _complaints(session, as_of, where_in)
    if rows:
        at, mine = _positions(pid, order, np.array([r[0] for r in rows], dtype=np.int64))
        complaints[at[mine]] = np.array([r[1] for r in rows], dtype=np.float64)[mine]

    n = np.zeros(size)
    share = np.full(size, np.nan)
    previous = np.full(size, np.nan)
    rated, n_rated, share_rated, previous_rated = _score_arrays(
        session, as_of, settings.window_months, sector
    )
    at, mine = _positions(pid, order, rated)
    n[at[mine]], share[at[mine]] = n_rated[mine], share_rated[mine]
    previous[at[mine]] = previous_rated[mine]
    low = np.where(share < settings.low_score, np.where(previous < settings.low_score, 2, 1), 0)

    with np.errstate(divide="ignore", invalid="ignore"):
        per_1000 = np.where(n > 0, 1000 * complaints / n, np.nan)
    return {
        "complaints_per_1000_ratings": per_1000,
        "complaints_12m": complaints,
        "failed_inspections_24m": counts[:, 0],
        "penalties_24m": counts[:, 1],
        "abnormal_listings": counts[:, 2],
        "posterior_share": share,
        "low_score_periods": np.where(np.isnan(share), np.nan, low),
        "months_since_inspection": last,
        "honours": counts[:, 3],
    }


#: Indicators that are counts: an int in :func:`compute_indicators`' values (never unknown).
_COUNTS = frozenset(
    ["complaints_12m", "failed_inspections_24m", "penalties_24m", "abnormal_listings", "honours"]
)
_WHOLE = frozenset(["low_score_periods", "months_since_inspection"])


def compute_indicators(
    session: DbSession,
    providers: dict[int, str],
    as_of: date,
    settings: IndicatorSettings,
    *,
    sector: str | None = None,
) -> dict[int, Values]:
    """Every indicator of every provider given (database id → provider key), as numbers
    (``int`` for counts and months, ``None`` when unknown)."""
    ids = list(providers)
    columns = indicator_columns(session, ids, as_of, settings, sector=sector)
    lists = {name: column.tolist() for name, column in columns.items()}
    out: dict[int, Values] = {}
    for i, pid in enumerate(ids):
        values: Values = {}
        for name, column in lists.items():
            value = column[i]
            if value != value:  # NaN: unknown
                values[name] = None
            elif name in _COUNTS or name in _WHOLE:
                values[name] = int(value)
            else:
                values[name] = value
        out[pid] = values
    return out


def _day(value: object) -> date:
    """A MAX() over a date column: a date (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
