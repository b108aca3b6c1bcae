"""The handling of a case as a state machine, each step audited with its actor.

::

    received ──► accepted ──► mediation ──► closed (和解成功 / 未达成和解 / 终止)
        │            └──────────────────────► closed (终止 only: withdrawn before mediation)
        └──► not_accepted (with a reason)

``not_accepted`` and ``closed`` are final.  Any other step is refused with
:class:`TransitionError` naming the state and the steps allowed from it.  A step
writes a :class:`~surveyapp.models.complaint.ComplaintEvent` (the case's history) and
an audit row (``complaint.<state>``); the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from surveyapp.accounts.service import audit
from surveyapp.models import User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import COMPLAINT_OUTCOMES, Complaint, ComplaintEvent

__all__ = ["FINAL", "TRANSITIONS", "TransitionError", "actor_name", "transition"]

#: The steps allowed from each state
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("accepted", "not_accepted"),
    "accepted": ("mediation", "closed"),
    "mediation": ("closed",),
    "not_accepted": (),
    "closed": (),
}
FINAL = tuple(s for s, steps in TRANSITIONS.items() if not steps)
#: The one outcome of closing a case that never went to mediation
_CLOSED_UNMEDIATED = "终止"


class TransitionError(ValueError):
    """A step the rules do not allow; the message says why and what is allowed."""


def actor_name(actor: User | str) -> str:
    return actor.username if isinstance(actor, User) else str(actor)


def _check(complaint: Complaint, to: str, outcome: str | None, note: str | None) -> None:
    now_state = complaint.status
    allowed = TRANSITIONS.get(now_state, ())
    if to not in allowed:
        steps = ", ".join(allowed) if allowed else "none: the case is final"
        raise TransitionError(
            f"complaint {complaint.id}: cannot go from {now_state} to {to} (allowed: {steps})"
        )
    if to == "closed":
        if outcome not in COMPLAINT_OUTCOMES:
            raise TransitionError(
                f"complaint {complaint.id}: closing needs an outcome "
                f"({', '.join(COMPLAINT_OUTCOMES)}), got {outcome!r}"
            )
        if now_state == "accepted" and outcome != _CLOSED_UNMEDIATED:
            raise TransitionError(
                f"complaint {complaint.id}: a case closed without mediation can only end "
                f"{_CLOSED_UNMEDIATED}, not {outcome}"
            )
    elif outcome is not None:
        raise TransitionError(f"complaint {complaint.id}: only closing takes an outcome")
    if to in ("not_accepted", "closed") and not (note or "").strip():
        raise TransitionError(f"complaint {complaint.id}: {to} needs a reason")


def transition(
    session: DbSession,
    complaint: Complaint,
    to: str,
    actor: User | str,
    *,
    note: str | None = None,
    outcome: str | None = None,
    at: datetime | None = None,
) -> ComplaintEvent:
    """Move ``complaint`` to state ``to`` as ``actor`` did at ``at`` (default now).

    ``not_accepted`` and ``closed`` need a reason (``note``); ``closed`` needs an
    ``outcome``.  Raises :class:`TransitionError` and changes nothing when the step is
    not allowed.  The caller commits.
    """
    _check(complaint, to, outcome, note)
    at = at or utcnow()
    last = complaint.closed_at or complaint.accepted_at or complaint.received_at
    if at < last:
        raise TransitionError(
            f"complaint {complaint.id}: {to} at {at.isoformat()} is before the case's "
            f"last step ({last.isoformat()})"
        )
    before = complaint.status
    complaint.status = to
    if to == "accepted":
        complaint.accepted_at = at
    if to in FINAL:
        complaint.closed_at = at
        complaint.reason = note.strip() if note else None
    if to == "closed":
        complaint.outcome = outcome
    event = ComplaintEvent(
        from_status=before,
        to_status=to,
        actor=actor_name(actor),
        user_id=actor.id if isinstance(actor, User) else None,
        at=at,
        note=note,
    )
    complaint.events.append(event)
    details = {"from": before, "to": to, **({"outcome": outcome} if outcome else {})}
    audit(session, actor, f"complaint.{to}", f"complaint:{complaint.id}", details, at=at)
    session.flush()
    return event
