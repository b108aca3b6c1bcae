"""Providers' published scores, kept up to date in the database for pages and the API.

Nothing about a provider is estimated per request.  :func:`refresh_published_scores`
counts the rolling window's ratings (:func:`surveyapp.providers.scores.compute_scores`:
one GROUP BY over the covering index, then :func:`analysis.provider_scores.score_providers`)
plus the overall stars' distribution, and replaces the rows of ``provider_score`` (one
per provider and sector) and the one ``provider_score_state`` row in the caller's
transaction.  Readers take rows:

- :func:`published_scores` — a provider's rows, by sector;
- :func:`score_state` — when and from what the table was computed;
- :func:`directory_page` — one page of the public directory (filters, sort, paging).

When to recompute (:func:`refresh_due`): no state yet, another China day (the window
moved), another window length or minimum, a rating newer than the last one counted
(the largest rating id: one read of the primary key), or the table older than
:data:`MAX_AGE` (a replaced rating keeps its id).  :class:`ScoreKeeper` does it in a
background thread with a database session of its own; only the very first view, when
nothing is stored, computes in the request.  Across processes a claim on the state row
(``refresh_started_at``) lets one worker recompute while the others keep serving the
stored rows.

Cost (50,000 providers, 5,000,000 ratings; README *Provider pages*,
``python -m bench.provider_pages``): a page reads the state row, the largest rating id and
its own rows through indexes — the directory's two orders are stored as positions
(``rank_score``, ``rank_n``) at the refresh, so a page walks an index and stops after its
rows (about 10-35 ms a page on SQLite and PostgreSQL); the refresh is two scans of the
ratings' covering index plus the estimation (about 7-11 s).

The dashboard and the API of the other provider pages read the same rows
(:func:`published_scores`, :func:`directory_page` or the model
:class:`~surveyapp.models.provider_page.PublishedScore` directly), so every page shows
the same number.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, insert, or_, select, update

from surveyapp.indices.cache import SessionScope
from surveyapp.models import Provider, Rating
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.provider_page import PublishedScore, PublishedScoreState
from surveyapp.providers.scores import compute_scores, score_window

__all__ = [
    "MAX_AGE",
    "DirectoryPage",
    "DirectoryRow",
    "ScoreKeeper",
    "ScoreSettings",
    "directory_districts",
    "directory_page",
    "published_scores",
    "refresh_due",
    "refresh_published_scores",
    "score_state",
]

logger = logging.getLogger(__name__)

#: Recompute at least this often even without a new rating (a replaced rating keeps its id).
MAX_AGE = timedelta(minutes=10)
#: A claim on the refresh older than this is taken to be a crashed worker's.
CLAIM_TIMEOUT = timedelta(minutes=5)
_STATE_ID = 1

Sort = Literal["score", "n"]


@dataclass(frozen=True)
class ScoreSettings:
    """What the scores are computed with: the window's length and the minimum to publish
    (settings ``PROVIDER_SCORE_WINDOW_MONTHS`` and ``PROVIDER_MIN_RATINGS``)."""

    months: int = 12
    min_n: int = 5


def _distributions(session: DbSession, start: datetime, end: datetime) -> dict:
    """(provider id, sector) → ratings with 1..5 overall stars in ``[start, end)``."""
    query = (
        select(Rating.provider_id, Rating.sector, Rating.overall, func.count())
        .where(Rating.created_at >= start, Rating.created_at < end)
        .group_by(Rating.provider_id, Rating.sector, Rating.overall)
    )
    out: dict[tuple[int, str], list[int]] = {}
    for pid, sector, stars, count in session.execute(query):
        if 1 <= stars <= 5:
            out.setdefault((pid, sector), [0] * 5)[stars - 1] = int(count)
    return out


def _rank(rows: list[dict], names: dict[int, str]) -> None:
    """Set each row's positions in the directory's two orders (ties by name, then id):
    by score — published scores highest first, then the unpublished by name alone, so a
    hidden score shows through no order — and by number of ratings, most first."""

    def by_score(r: dict) -> tuple:
        shown = r["published"] and r["posterior_share"] is not None
        return (0 if shown else 1, -r["posterior_share"] if shown else 0.0,
                names.get(r["provider_id"], ""), r["provider_id"], r["sector"])  # fmt: skip

    def by_n(r: dict) -> tuple:
        return (-r["n"], names.get(r["provider_id"], ""), r["provider_id"], r["sector"])

    for column, key in (("rank_score", by_score), ("rank_n", by_n)):
        for position, row in enumerate(sorted(rows, key=key)):
            row[column] = position


def refresh_published_scores(
    session: DbSession, as_of: date, settings: ScoreSettings, now: datetime | None = None
) -> PublishedScoreState:
    """Recompute every provider's score over the window ending on the China day
    ``as_of`` and replace the stored rows; the caller commits.

    The largest rating id is read *before* counting, so a rating committed while this
    runs makes the next :func:`refresh_due` true rather than being lost.
    """
    last_id = int(session.scalar(select(func.max(Rating.id))) or 0)
    window = score_window(as_of, settings.months)
    scores = compute_scores(session, window, settings.min_n)
    ids = {
        credit or registration: pid
        for pid, credit, registration in session.execute(
            select(Provider.id, Provider.credit_code, Provider.registration_no)
        )
    }
    spread = _distributions(session, window.start, window.end)
    rows = []
    priors: dict[str, dict[str, object]] = {}
    for sector in scores.sectors:
        if sector.prior is not None:
            priors[sector.sector] = {
                "alpha": sector.prior.alpha,
                "beta": sector.prior.beta,
                "scope": sector.prior.scope,
            }
        for p in sector.providers:
            pid = ids[p.id]
            rows.append(
                {
                    "provider_id": pid,
                    "sector": sector.sector,
                    "n": p.n,
                    "satisfied": p.satisfied,
                    "published": p.published,
                    "posterior_share": p.posterior_share,
                    "share_low": p.ci[0] if p.ci else None,
                    "share_high": p.ci[1] if p.ci else None,
                    "posterior_stars": p.posterior_stars,
                    "stars_low": p.stars_ci[0] if p.stars_ci else None,
                    "stars_high": p.stars_ci[1] if p.stars_ci else None,
                    "distribution": spread.get((pid, sector.sector), [0] * 5),
                }
            )
    _rank(rows, {ids[key]: label.name for key, label in scores.labels.items()})
    session.execute(delete(PublishedScore))
    for i in range(0, len(rows), 5000):
        session.execute(insert(PublishedScore), rows[i : i + 5000])
    state = session.get(PublishedScoreState, _STATE_ID)
    if state is None:
        state = PublishedScoreState(id=_STATE_ID)
        session.add(state)
    state.computed_at = now or utcnow()
    state.as_of = as_of
    state.months = settings.months
    state.min_n = settings.min_n
    state.last_rating_id = last_id
    state.ratings = sum(r["n"] for r in rows)
    state.priors = priors
    state.refresh_started_at = None
    session.flush()
    return state


def score_state(session: DbSession) -> PublishedScoreState | None:
    """What the stored scores were computed from, or None before the first refresh."""
    return session.get(PublishedScoreState, _STATE_ID)


def refresh_due(
    session: DbSession,
    state: PublishedScoreState | None,
    as_of: date,
    settings: ScoreSettings,
    now: datetime | None = None,
) -> bool:
    """Whether the stored scores are out of date (see the module docstring)."""
    if state is None:
        return True
    if (state.as_of, state.months, state.min_n) != (as_of, settings.months, settings.min_n):
        return True
    if (now or utcnow()) - state.computed_at > MAX_AGE:
        return True
    return int(session.scalar(select(func.max(Rating.id))) or 0) != state.last_rating_id


def _claim(session: DbSession, now: datetime) -> bool:
    """Mark the refresh as taken by this process, unless another holds a fresh claim."""
    stmt = (
        update(PublishedScoreState)
        .where(
            PublishedScoreState.id == _STATE_ID,
            or_(
                PublishedScoreState.refresh_started_at.is_(None),
                PublishedScoreState.refresh_started_at < now - CLAIM_TIMEOUT,
            ),
        )
        .values(refresh_started_at=now)
    )
    taken = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return taken


class ScoreKeeper:
    """Keeps ``provider_score`` up to date for one process: :meth:`ensure` is called by
    every page view; it computes in the request only when nothing is stored, else starts
    (at most) one background refresh and returns at once."""

    def __init__(self, session_scope: SessionScope, settings: ScoreSettings) -> None:
        self.session_scope = session_scope
        self.settings = settings
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None  # the running refresh (tests join it)

    def ensure(self, session: DbSession, as_of: date) -> PublishedScoreState:
        """The stored state, recomputed first if there is none; a stale one starts a
        background refresh."""
        state = score_state(session)
        if state is None:
            state = refresh_published_scores(session, as_of, self.settings)
            session.commit()
            return state
        if refresh_due(session, state, as_of, self.settings):
            self._start(as_of)
        return state

    def _start(self, as_of: date) -> None:
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(
                target=self._run, args=(as_of,), name="provider-scores", daemon=True
            )
            self.thread.start()

    def _run(self, as_of: date) -> None:
        try:
            with self.session_scope() as session:
                if not _claim(session, utcnow()):
                    return
                try:
                    refresh_published_scores(session, as_of, self.settings)
                    session.commit()
                except Exception:
                    session.rollback()
                    session.execute(
                        update(PublishedScoreState)
                        .where(PublishedScoreState.id == _STATE_ID)
                        .values(refresh_started_at=None)
                    )
                    session.commit()
                    raise
        except Exception:  # a background thread has nobody to raise to
            logger.exception("provider scores: the background refresh failed")


def published_scores(session: DbSession, provider_id: int) -> list[PublishedScore]:
    """A provider's stored rows, one per sector (the catalogue's order is the caller's)."""
    stmt = select(PublishedScore).where(PublishedScore.provider_id == provider_id)
    return list(session.scalars(stmt.order_by(PublishedScore.sector)))


@dataclass(frozen=True)
class DirectoryRow:
    """One provider in one sector on a directory page."""

    provider: Provider
    score: PublishedScore


@dataclass(frozen=True)
class DirectoryPage:
    rows: tuple[DirectoryRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def directory_page(
    session: DbSession,
    *,
    sector: str | None = None,
    district: str | None = None,
    name: str | None = None,
    sort: Sort = "score",
    page: int = 1,
    per_page: int = 20,
) -> DirectoryPage:
    """Providers (one row per provider and sector) filtered by sector, district and part
    of the name, sorted by posterior share of satisfied ratings (published scores first,
    highest first; unpublished ones by name, so their hidden score leaks through no
    order) or by number of ratings (most first)."""
    filters = []
    if sector:
        filters.append(PublishedScore.sector == sector)
    if district:
        filters.append(Provider.district == district)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        filters.append(Provider.name.like(f"%{escaped}%", escape="\\"))
    base = select(Provider, PublishedScore).join(
        PublishedScore, PublishedScore.provider_id == Provider.id
    )
    counted = select(func.count()).select_from(PublishedScore)
    if district or name:  # the provider's own columns: join it for the count too
        counted = counted.join(Provider, PublishedScore.provider_id == Provider.id)
    if filters:
        base = base.where(*filters)
        counted = counted.where(*filters)
    order = PublishedScore.rank_n if sort == "n" else PublishedScore.rank_score
    page = max(1, page)
    total = int(session.scalar(counted) or 0)
    stmt = base.order_by(order).limit(per_page).offset((page - 1) * per_page)
    rows = tuple(DirectoryRow(p, s) for p, s in session.execute(stmt))
    return DirectoryPage(rows, total, page, per_page)


def directory_districts(session: DbSession) -> list[str]:
    """The registry's districts, for the directory's filter (by name; read from the
    district index)."""
    stmt = select(Provider.district).distinct().order_by(Provider.district)
    return list(session.scalars(stmt))
