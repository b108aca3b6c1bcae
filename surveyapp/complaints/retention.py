"""Clearing the complainant's name and phone a retention period after a case ends.

The name and phone are for mediation.  Once a case has been closed or refused for
``COMPLAINT_PII_RETENTION_DAYS`` they are set to NULL and ``pii_cleared_at`` records
when; the rest of the case (what happened, category, outcome, history) stays, so
publicity and counts are the same before and after.  One audit row says how many
cases were cleared.  Run daily by ``surveyapp complaints purge``; a second run finds
nothing to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update

from surveyapp.accounts.service import audit
from surveyapp.models.base import DbSession
from surveyapp.models.complaint import Complaint

__all__ = ["purge_complainant_data"]

AUDIT_ACTION = "complaint.purge_pii"


def _due(now: datetime, retention_days: int) -> tuple:
    if retention_days < 0:
        raise ValueError(f"retention_days must be 0 or more, got {retention_days}")
    return (
        Complaint.status.in_(("closed", "not_accepted")),
        Complaint.closed_at <= now - timedelta(days=retention_days),
        Complaint.pii_cleared_at.is_(None),
        or_(Complaint.complainant_name.is_not(None), Complaint.complainant_phone.is_not(None)),
    )


def purge_complainant_data(
    session: DbSession,
    now: datetime,
    retention_days: int,
    *,
    dry_run: bool = False,
    actor: str = "cli",
) -> int:
    """Clear the name and phone of every case ended ``retention_days`` ago; return how
    many cases (with ``dry_run``, would be).  The caller commits."""
    due = _due(now, retention_days)
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(Complaint).where(*due)) or 0)
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Complaint)
            .where(*due)
            .values(complainant_name=None, complainant_phone=None, pii_cleared_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    count = result.rowcount
    if count:
        audit(session, actor, AUDIT_ACTION, "complaints",
              {"cases": count, "retention_days": retention_days}, at=now)  # fmt: skip
    return count
