"""The hash-retention rule: device and fingerprint hashes are cleared after a round ends.

The one-response-per-device rule needs the HMACs of the device cookie and of
"IP + browser" only while a round takes answers.  Once the round has been closed for
``HASH_RETENTION_DAYS`` (default 30: time to look into suspected ballot stuffing), they
are set to NULL, ``Round.hashes_purged_at`` records when, and an audit row says how
many responses were touched.  The answers, open answers, flags and timestamps stay as
they were, so every estimate computed before the purge is computed the same after it.

Run by cron through ``surveyapp privacy purge``; a second run finds nothing to do.
``surveyapp rounds close`` does not purge: the retention counts from the closing, so at
that moment there is nothing due yet (with ``HASH_RETENTION_DAYS=0`` the next daily run
clears it).  Nothing else reads the hashes (analysis, exports and bulletins never do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update

from surveyapp.accounts.service import audit
from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession

AUDIT_ACTION = "privacy.purge_hashes"


@dataclass(frozen=True)
class PurgedRound:
    code: str
    ended_at: datetime
    responses: int  # responses whose device or fingerprint hash was (or would be) cleared


@dataclass(frozen=True)
class PurgeReport:
    retention_days: int
    dry_run: bool
    rounds: list[PurgedRound] = field(default_factory=list)

    @property
    def responses(self) -> int:
        return sum(r.responses for r in self.rounds)


def round_ended_at(round_: Round) -> datetime:
    """When the round stopped taking answers: its closing date, or earlier if closed by hand."""
    if round_.status == "closed" and round_.closed_at is not None:
        return min(round_.closed_at, round_.closes_at)
    return round_.closes_at


def due_rounds(session: DbSession, now: datetime, retention_days: int) -> list[Round]:
    """Closed rounds, not yet purged, that ended at least ``retention_days`` ago."""
    if retention_days < 0:
        raise ValueError(f"retention_days must be 0 or more, got {retention_days}")
    cutoff = now - timedelta(days=retention_days)
    candidates = session.scalars(
        select(Round)
        .where(Round.hashes_purged_at.is_(None))
        .where(or_(Round.closes_at <= cutoff, Round.status == "closed"))
        .order_by(Round.closes_at, Round.code)
    )
    return [r for r in candidates if r.state(now) == "closed" and round_ended_at(r) <= cutoff]


def purge_expired_hashes(
    session: DbSession,
    now: datetime,
    retention_days: int,
    *,
    dry_run: bool = False,
    actor: str = "cli",
) -> PurgeReport:
    """Clear the hashes of every due round; with ``dry_run`` only count them.

    The caller commits.  One UPDATE per round touches only the two hash columns, and
    one audit row per purged round keeps the count and the retention that applied.
    """
    report = PurgeReport(retention_days=retention_days, dry_run=dry_run)
    has_hash = or_(Response.device_hash.is_not(None), Response.fingerprint_hash.is_not(None))
    for round_ in due_rounds(session, now, retention_days):
        if dry_run:
            count = session.scalar(
                select(func.count())
                .select_from(Response)
                .where(Response.round_id == round_.id, has_hash)
            )
        else:
            result = session.execute(
                update(Response)
                .where(Response.round_id == round_.id, has_hash)
                .values(device_hash=None, fingerprint_hash=None)
                .execution_options(synchronize_session=False)
            )
            count = cast(CursorResult[Any], result).rowcount  # an UPDATE: a cursor result
            round_.hashes_purged_at = now
            audit(
                session,
                actor,
                AUDIT_ACTION,
                f"round:{round_.code}",
                {"responses": count, "retention_days": retention_days},
                at=now,
            )
        report.rounds.append(PurgedRound(round_.code, round_ended_at(round_), int(count or 0)))
    session.flush()
    return report
