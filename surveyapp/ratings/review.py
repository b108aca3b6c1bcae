"""Ratings held for review: a source's burst, released or rejected as one wave.

:func:`surveyapp.ratings.submit.submit_rating` stores a rating beyond the per-source
threshold (``RATELIMIT_BURST``, the survey's) with ``review = "held"`` in the source's
open wave of the sector.  Held and rejected ratings count in no score, no distribution,
no comment list.  A bureau of the wave's sector, or an admin, decides the whole wave in
one audited action (``rating.release`` / ``rating.reject``), as the survey's held
responses are decided (:func:`surveyapp.review.holds.decide_wave`, whose decisions and
refusal codes this reuses).  A decision makes the stored scores due for a refresh (the
counted set changed while the largest rating id did not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from surveyapp.accounts.service import audit
from surveyapp.models import Provider, Rating, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.provider_rating import RatingWave
from surveyapp.models.review import COUNTED, HELD, REJECTED
from surveyapp.review.holds import DECISIONS, WaveDecisionError

__all__ = ["HeldWave", "decide_rating_wave", "held_waves"]


@dataclass(frozen=True)
class HeldWave:
    """A wave waiting for a decision, as a reviewer sees it."""

    id: int
    sector: str
    source_label: str
    opened_at: datetime
    ratings: int
    providers: tuple[str, ...]  # names of the providers rated (at most 5)
    mean_stars: float | None


def held_waves(session: DbSession, sector: str) -> list[HeldWave]:
    """The sector's waves still held, oldest first, with their ratings' count and stars."""
    waves = list(
        session.scalars(
            select(RatingWave)
            .where(RatingWave.sector == sector, RatingWave.state == HELD)
            .order_by(RatingWave.opened_at, RatingWave.id)
        )
    )
    out = []
    for wave in waves:
        count, mean = session.execute(
            select(func.count(Rating.id), func.avg(Rating.overall)).where(
                Rating.wave_id == wave.id, Rating.review == HELD
            )
        ).one()
        names = session.scalars(
            select(Provider.name)
            .join(Rating, Rating.provider_id == Provider.id)
            .where(Rating.wave_id == wave.id, Rating.review == HELD)
            .group_by(Provider.name)
            .order_by(func.count(Rating.id).desc(), Provider.name)
            .limit(5)
        )
        out.append(
            HeldWave(
                wave.id,
                wave.sector,
                wave.source_label,
                wave.opened_at,
                int(count or 0),
                tuple(names),
                None if mean is None else float(mean),
            )
        )
    return out


def decide_rating_wave(
    session: DbSession,
    wave_id: int,
    action: str,
    user: User,
    *,
    sector: str | None = None,
    ip: str | None = None,
) -> int:
    """Release (counted) or reject every held rating of a wave, audited; the caller
    commits.  ``sector``, when given, must be the wave's (the page's address).  Raises
    :class:`WaveDecisionError` (``unknown_action``, ``unknown_wave``, ``forbidden``,
    ``already_decided``) without changing anything; returns how many ratings changed."""
    if action not in DECISIONS:
        raise WaveDecisionError("unknown_action")
    wave = session.get(RatingWave, wave_id, with_for_update=True)
    if wave is None or (sector is not None and wave.sector != sector):
        raise WaveDecisionError("unknown_wave")
    if user.role not in ("admin", "bureau") or not user.may_see_sector(wave.sector):
        raise WaveDecisionError("forbidden")
    if wave.state != HELD:
        raise WaveDecisionError("already_decided")
    now = utcnow()
    result = session.execute(
        update(Rating)
        .where(Rating.wave_id == wave.id, Rating.review == HELD)
        .values(review=COUNTED if action == "release" else REJECTED)
    )
    changed = int(cast(CursorResult[Any], result).rowcount or 0)
    wave.state = DECISIONS[action]
    wave.decided_at = now
    wave.decided_by_id = user.id
    details = {"sector": wave.sector, "ratings": changed, "source": wave.source_label}
    audit(session, user, f"rating.{action}", f"rating_wave:{wave.id}", details, ip=ip, at=now)
    return changed
