"""Staff match a complaint that named its provider by free text to the registry.

A complaint taken with ``provider_name`` only is left out of publicity until it points
at a registered provider.  Matching keeps the name as the complainant gave it, records
a history event (the state unchanged, the provider in the note) and an audit row; a
complaint matched already is refused, so a match is never silently replaced.
"""

from __future__ import annotations

from surveyapp.accounts.service import audit
from surveyapp.complaints.states import actor_name
from surveyapp.models import Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import Complaint, ComplaintEvent

__all__ = ["MatchError", "match_provider", "note_step"]


def note_step(
    session: DbSession,
    complaint: Complaint,
    actor: User | str,
    note: str,
    action: str,
    details: dict[str, object],
) -> None:
    """A step that leaves the state as it is (a match, a handler): a history event and
    an audit row ``action``; flushed, the caller commits."""
    now = utcnow()
    complaint.events.append(
        ComplaintEvent(
            from_status=complaint.status,
            to_status=complaint.status,
            actor=actor_name(actor),
            user_id=actor.id if isinstance(actor, User) else None,
            at=now,
            note=note,
        )
    )
    audit(session, actor, action, f"complaint:{complaint.id}", dict(details), at=now)
    session.flush()


class MatchError(ValueError):
    """The complaint cannot be matched (it points at a provider already)."""


def match_provider(
    session: DbSession, complaint: Complaint, provider: Provider, actor: User | str
) -> None:
    """Point ``complaint`` at ``provider``; the caller commits."""
    if complaint.provider_id is not None:
        raise MatchError(
            f"complaint {complaint.id} is matched already (provider {complaint.provider_id})"
        )
    complaint.provider_id = provider.id
    note_step(session, complaint, actor, f"provider matched: {provider.key} ({provider.name})",
              "complaint.match_provider",
              {"provider": provider.key, "named": complaint.provider_name})  # fmt: skip
