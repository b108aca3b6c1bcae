"""The anomaly panel of one round (the numbers; the page is :mod:`.anomalies`): what a bureau needs to see a stuffing wave on the day.

- responses per hour over the last :data:`HOURS` hours against the round's usual rate
  (its counted and held responses per hour since it opened);
- the share of counted responses with a fraud signal, per signal;
- the index with and without the responses with a signal (same analysis path as every
  published figure: :func:`surveyapp.indices.analyse_round`);
- the review waves, held ones first, with their size and who decided them when.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Response, ReviewWave, Round, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.review import COUNTED, HELD, REJECTED
from surveyapp.review.signals import review_counts

#: How many recent hours the panel shows.
HOURS = 48


@dataclass(frozen=True)
class Wave:
    id: int
    label: str
    state: str
    responses: int
    first_at: datetime | None
    last_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None

    @property
    def held(self) -> bool:
        return self.state == HELD


@dataclass(frozen=True)
class IndexPair:
    """The index (and n) over counted responses, and over those without any signal."""

    all: float | None
    n_all: int
    without: float | None
    n_without: int


@dataclass(frozen=True)
class Panel:
    round: Round
    sector: str
    hours: tuple[tuple[datetime, int], ...]  # (hour start, UTC; responses stored)
    usual_per_hour: float  # stored responses per hour since the round opened
    counts: dict[str, int]  # review_counts: held, rejected, signals, signal_<name>
    counted: int
    index: IndexPair
    waves: tuple[Wave, ...]

    @property
    def share_flagged(self) -> float | None:
        """The share (0..1) of counted responses with a fraud signal."""
        return self.counts.get("signals", 0) / self.counted if self.counted else None

    @property
    def busy_hours(self) -> tuple[tuple[datetime, int], ...]:
        """The hours with at least one response."""
        return tuple((hour, n) for hour, n in self.hours if n)

    @property
    def peak(self) -> int:
        return max((n for _, n in self.hours), default=0)


def _hours(session: DbSession, round_: Round, now: datetime) -> tuple[tuple[datetime, int], ...]:
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=HOURS)
    stamps = session.scalars(
        select(Response.submitted_at).where(
            Response.round_id == round_.id,
            Response.review != REJECTED,
            Response.submitted_at >= start,
        )
    )
    buckets = [0] * HOURS
    for stamp in stamps:
        slot = int((stamp - start).total_seconds() // 3600)
        if 0 <= slot < HOURS:
            buckets[slot] += 1
    return tuple((start + timedelta(hours=i), n) for i, n in enumerate(buckets))


def _usual(session: DbSession, round_: Round, now: datetime) -> float:
    total = session.scalar(
        select(func.count(Response.id)).where(
            Response.round_id == round_.id, Response.review != REJECTED
        )
    )
    until = min(now, round_.closes_at)
    hours = max((until - round_.opens_at).total_seconds() / 3600, 1.0)
    return (total or 0) / hours


def _index(session: DbSession, round_: Round, settings: AnalysisSettings) -> IndexPair:
    options = options_for(settings, round_, "index")
    every = analyse_round(session, round_, options)
    clean = analyse_round(session, round_, dataclasses.replace(options, without_signals=True))

    def value(stored) -> tuple[float | None, int]:
        r = stored.result
        return (None, 0) if r is None else (float(r.index.estimate), int(r.n))

    a, n_a = value(every)
    b, n_b = value(clean)
    return IndexPair(a, n_a, b, n_b)


def _waves(session: DbSession, round_: Round) -> tuple[Wave, ...]:
    sizes = {
        wave_id: (n, first, last)
        for wave_id, n, first, last in session.execute(
            select(
                Response.wave_id,
                func.count(Response.id),
                func.min(Response.submitted_at),
                func.max(Response.submitted_at),
            )
            .where(Response.round_id == round_.id, Response.wave_id.is_not(None))
            .group_by(Response.wave_id)
        )
    }
    rows = session.execute(
        select(ReviewWave, User.username)
        .outerjoin(User, User.id == ReviewWave.decided_by_id)
        .where(ReviewWave.round_id == round_.id)
        .order_by((ReviewWave.state == HELD).desc(), ReviewWave.id.desc())
    ).all()
    out = []
    for wave, who in rows:
        n, first, last = sizes.get(wave.id, (0, None, None))
        out.append(
            Wave(wave.id, wave.source_label, wave.state, int(n), first, last, wave.decided_at, who)
        )
    return tuple(out)


def build_panel(
    session: DbSession, round_: Round, settings: AnalysisSettings, now: datetime | None = None
) -> Panel:
    now = now or utcnow()
    counts = review_counts(session, round_.id)
    index = _index(session, round_, settings)
    counted = session.scalar(
        select(func.count(Response.id)).where(
            Response.round_id == round_.id, Response.review == COUNTED
        )
    )
    return Panel(
        round=round_,
        sector=round_.questionnaire_version.sector,
        hours=_hours(session, round_, now),
        usual_per_hour=_usual(session, round_, now),
        counts=counts,
        counted=int(counted or 0),
        index=index,
        waves=_waves(session, round_),
    )
