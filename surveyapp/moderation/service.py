"""The moderation queue: decisions on free texts, and what of them may be published.

A publication (a bulletin now; complaint publicity and provider pages later) collects
its texts with how many people wrote each (normalised text → count), asks
:func:`review` for one :class:`Entry` per distinct text — its publishable form
(:mod:`.text`), count and decision — and prints only :func:`approved` entries.  A text
nobody decided on is *pending*; :class:`Tally` counts the entries for the edition's
inputs and its printed line.  :func:`decide` records approvals and rejections (a
rejection needs a reason), one audit row per text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from surveyapp.accounts.service import audit
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.moderation import ModerationDecision
from surveyapp.models.user import User

from .text import normalise, publishable, text_key

__all__ = [
    "Entry",
    "Kind",
    "ModerationError",
    "Status",
    "Tally",
    "approved",
    "count_texts",
    "decide",
    "review",
    "tally",
]

#: The kinds of text moderated: residents' answers to an open question now; provider
#: comments and replies and operators' explanations will be kinds of their own.
Kind = Literal["suggestion", "explanation"]
Status = Literal["pending", "approved", "rejected"]
Decision = Literal["approved", "rejected"]
#: The longest rejection reason kept.
MAX_REASON = 500


class ModerationError(ValueError):
    """A decision cannot be recorded as asked; the message says why (one line)."""


@dataclass(frozen=True)
class Entry:
    """One distinct text of a queue: its key, its publishable form (masked, links and
    contact details removed: ``removed`` of them), how many wrote it, and the decision."""

    key: str
    text: str
    count: int
    status: Status
    removed: int = 0
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @property
    def printable(self) -> bool:
        """Approved, and something is left to print once links and contacts are gone."""
        return self.status == "approved" and bool(self.text.strip(" […]"))


@dataclass(frozen=True)
class Tally:
    """How a set of texts stands: distinct ``texts`` (from ``responses`` answers),
    ``reviewed`` = ``approved`` + ``rejected``, ``pending``; ``approved_responses``
    is how many answers the approved texts stand for."""

    texts: int = 0
    responses: int = 0
    reviewed: int = 0
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    approved_responses: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "texts": self.texts,
            "responses": self.responses,
            "reviewed": self.reviewed,
            "approved": self.approved,
            "rejected": self.rejected,
            "pending": self.pending,
            "approved_responses": self.approved_responses,
        }


def count_texts(texts: Iterable[str]) -> dict[str, int]:
    """Normalised text → how many of ``texts`` have it (blank ones left out)."""
    out: dict[str, int] = {}
    for raw in texts:
        text = normalise(raw)
        if text:
            out[text] = out.get(text, 0) + 1
    return out


def review(
    session: DbSession,
    kind: Kind,
    counts: Mapping[str, int],
    *,
    pinned: Mapping[str, Decision] | None = None,
) -> list[Entry]:
    """One entry per text of ``counts`` (normalised text → how many wrote it), most
    frequent first, with its decision (``pinned``: key → decision instead of the stored
    ones, for a published edition rendered again)."""
    keyed = {text_key(t): (t, n) for t, n in counts.items()}
    decided: dict[str, tuple[Status, str | None, str | None, datetime | None]]
    if pinned is not None:
        decided = {k: (s, None, None, None) for k, s in pinned.items()}
    else:
        decided = {
            d.text_key: (_status(d.status), d.reason, d.decided_by, d.decided_at)
            for d in _decisions(session, kind, keyed)
        }
    out = []
    for key, (text, n) in keyed.items():
        shown = publishable(text)
        status, reason, by, at = decided.get(key, ("pending", None, None, None))
        out.append(Entry(key, shown.text, n, status, shown.removed, reason, by, at))
    out.sort(key=lambda e: (-e.count, e.text, e.key))
    return out


def _status(value: str) -> Status:
    return "approved" if value == "approved" else "rejected"


def _decisions(session: DbSession, kind: Kind, keys: Iterable[str]) -> list[ModerationDecision]:
    keys = list(keys)
    found: list[ModerationDecision] = []
    for i in range(0, len(keys), 500):  # bound the IN list
        stmt = select(ModerationDecision).where(
            ModerationDecision.kind == kind, ModerationDecision.text_key.in_(keys[i : i + 500])
        )
        found.extend(session.scalars(stmt))
    return found


def approved(entries: Iterable[Entry], limit: int | None = None) -> list[Entry]:
    """The entries that may be printed (approved, something left), most frequent first."""
    out = [e for e in entries if e.printable]
    return out if limit is None else out[: max(limit, 0)]


def tally(entries: Sequence[Entry]) -> Tally:
    approved_ = [e for e in entries if e.status == "approved"]
    rejected = sum(1 for e in entries if e.status == "rejected")
    return Tally(
        texts=len(entries),
        responses=sum(e.count for e in entries),
        reviewed=len(approved_) + rejected,
        approved=len(approved_),
        rejected=rejected,
        pending=sum(1 for e in entries if e.status == "pending"),
        approved_responses=sum(e.count for e in approved_),
    )


def decide(
    session: DbSession,
    kind: Kind,
    entries: Sequence[Entry],
    decision: Decision,
    *,
    actor: User | str,
    reason: str | None = None,
    scope: str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """Approve or reject ``entries`` (from :func:`review`); a rejection needs a reason.

    Entries already so decided are left alone; a changed decision replaces the old one.
    One audit row per text (``moderation.approve`` / ``moderation.reject``).  Returns how
    many texts changed; the caller commits.
    """
    if decision not in ("approved", "rejected"):
        raise ModerationError(f"decision {decision!r}: choose approved or rejected")
    reason = " ".join((reason or "").split()) or None
    if decision == "rejected" and reason is None:
        raise ModerationError("a rejection needs a reason")
    if reason is not None and len(reason) > MAX_REASON:
        raise ModerationError(f"the reason is longer than {MAX_REASON} characters")
    if decision == "approved":
        reason = None
    now = now or utcnow()
    stored = {d.text_key: d for d in _decisions(session, kind, [e.key for e in entries])}
    who = actor.username if isinstance(actor, User) else str(actor)
    changed = 0
    for entry in {e.key: e for e in entries}.values():
        row = stored.get(entry.key)
        if row is not None and row.status == decision and row.reason == reason:
            continue
        previous = row.status if row is not None else "pending"
        if row is None:
            row = ModerationDecision(kind=kind, text_key=entry.key)
            session.add(row)
        row.text = entry.text
        row.status = decision
        row.reason = reason
        row.scope = scope
        row.decided_by_id = actor.id if isinstance(actor, User) else None
        row.decided_by = who[:64]
        row.decided_at = now
        details = {"kind": kind, "count": entry.count, "previous": previous, "scope": scope}
        if reason is not None:
            details["reason"] = reason
        verb = "approve" if decision == "approved" else "reject"
        audit(
            session, actor, f"moderation.{verb}", f"{kind}:{entry.key[:16]}", details, ip=ip, at=now
        )
        changed += 1
    session.flush()
    return changed
