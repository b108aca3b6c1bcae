"""Responses held for review: one source beyond the per-source threshold in a round.

The threshold is the one setting ``RATELIMIT_BURST`` (default ``100/10minutes``): when
a source already has that many responses stored in the round within the window, the
next one is stored with ``review = "held"`` in the source's open wave.  The count is
of *stored responses* (never of page posts), taken in the database, so every worker
and server sees the same figure.  A bureau of the round's sector (or an admin) then
releases the wave (its responses are counted) or rejects it (they stay out), in one
audited action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from limits import parse
from sqlalchemy import CursorResult, func, select, update

from surveyapp.accounts.service import audit
from surveyapp.models import Response, ReviewWave, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.review import COUNTED, HELD, REJECTED, RELEASED

DECISIONS = {"release": RELEASED, "reject": REJECTED}


@dataclass(frozen=True)
class Threshold:
    """At most ``count`` responses per source within ``seconds`` are counted at once."""

    count: int
    seconds: int


def parse_threshold(rate: str) -> Threshold:
    """``"100/10minutes"`` -> Threshold(100, 600)."""
    item = parse(rate)
    return Threshold(int(item.amount), int(item.get_expiry()))


@dataclass(frozen=True)
class Origin:
    """Where a submission came from, reduced to what holds and signals need.

    ``source`` is the rate-limit source (an address HMAC, or ``key:<id>``); ``None``
    (a trusted address, an import) is never held.  ``address`` is the raw client
    address: only the HMAC of its prefix is stored.  ``label`` is what a reviewer sees.
    """

    source: str | None = None
    address: str | None = None
    threshold: Threshold | None = None
    label: str = ""
    channel_key_id: int | None = None


def hold_state(
    session: DbSession,
    round_id: int,
    source_hash: str | None,
    origin: Origin | None,
    now: datetime,
) -> tuple[str, int | None]:
    """``("counted", None)`` or ``("held", wave id)`` for a response about to be stored.

    Runs in the caller's transaction (the wave is flushed, not committed), so a refused
    submission leaves no empty wave behind.
    """
    if origin is None or origin.threshold is None or source_hash is None:
        return COUNTED, None
    since = now - timedelta(seconds=origin.threshold.seconds)
    recent = session.scalar(
        select(func.count(Response.id)).where(
            Response.round_id == round_id,
            Response.source_hash == source_hash,
            Response.submitted_at >= since,
        )
    )
    if (recent or 0) < origin.threshold.count:
        return COUNTED, None
    wave_id = session.scalar(
        select(ReviewWave.id)
        .where(
            ReviewWave.round_id == round_id,
            ReviewWave.source_hash == source_hash,
            ReviewWave.state == HELD,
        )
        .order_by(ReviewWave.id.desc())
        .limit(1)
    )
    if wave_id is None:
        wave = ReviewWave(
            round_id=round_id,
            source_hash=source_hash,
            source_label=(origin.label or "?")[:120],
            channel_key_id=origin.channel_key_id,
            state=HELD,
            opened_at=now,
        )
        session.add(wave)
        session.flush()
        wave_id = wave.id
    return HELD, wave_id


class WaveDecisionError(ValueError):
    """A wave that cannot be decided (unknown, already decided, not the user's sector);
    ``code`` names why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def decide_wave(
    session: DbSession,
    wave_id: int,
    action: str,
    user: User,
    sector: str,
    *,
    round_id: int | None = None,
    ip: str | None = None,
) -> int:
    """Release or reject every held response of a wave in one transaction, audited.

    ``sector`` is the sector of the wave's round (``round_id``, checked when given): a
    bureau may decide only its own sectors' waves, an admin any.  Returns how many responses changed.  Raises
    :class:`WaveDecisionError` without changing anything otherwise.
    """
    if action not in DECISIONS:
        raise WaveDecisionError("unknown_action")
    if user.role not in ("admin", "bureau") or not user.may_see_sector(sector):
        raise WaveDecisionError("forbidden")
    wave = session.get(ReviewWave, wave_id, with_for_update=True)
    if wave is None or (round_id is not None and wave.round_id != round_id):
        raise WaveDecisionError("unknown_wave")
    if wave.state != HELD:
        raise WaveDecisionError("already_decided")
    now = utcnow()
    new_review = COUNTED if action == "release" else REJECTED
    result = session.execute(
        update(Response)
        .where(Response.wave_id == wave.id, Response.review == HELD)
        .values(review=new_review)
    )
    changed = cast(CursorResult[Any], result).rowcount  # an UPDATE: a cursor result
    wave.state = DECISIONS[action]
    wave.decided_at = now
    wave.decided_by_id = user.id
    audit(
        session,
        user,
        f"review.{action}",
        f"wave:{wave.id}",
        {"round_id": wave.round_id, "responses": int(changed or 0), "source": wave.source_label},
        ip=ip,
        at=now,
    )
    session.commit()
    return int(changed or 0)


def review_version(session: DbSession, round_id: int) -> tuple[int, int]:
    """(waves, decided waves) of a round: changes when a wave is released or rejected,
    which changes the analysed set while the response count stays the same."""
    total, decided = session.execute(
        select(
            func.count(ReviewWave.id),
            func.count(ReviewWave.decided_at),
        ).where(ReviewWave.round_id == round_id)
    ).one()
    return int(total or 0), int(decided or 0)
