"""Staff match a complaint that named its provider by free text to the registry.

A complaint taken with ``provider_name`` only is left out of publicity until it points
at a registered provider.  Matching keeps the name as the complainant gave it, records
a history event (the state unchanged, the provider in the note) and an audit row; a
complaint matched already is refused, so a match is never silently replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import func, or_, select

from surveyapp.accounts.service import audit
from surveyapp.complaints.states import actor_name
from surveyapp.models import Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import Complaint, ComplaintEvent
from surveyapp.providers.registry import provider_by_key

__all__ = [
    "Candidate",
    "MatchError",
    "match_provider",
    "note_step",
    "search_providers",
    "suggest_providers",
    "unmatched",
]

#: How many registry names a fragment search reads before ranking them
_READ = 200
#: The least likeness (difflib ratio) of a suggested name: below it, sharing a place
#: name (思茅) or a trade word is all two names have in common
MIN_LIKENESS = 0.35
#: Words of a shop's name that say nothing about which shop it is
_COMMON = ("有限公司", "公司", "分店", "店", "超市", "宾馆", "酒店", "餐馆", "饭店")


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


@dataclass(frozen=True)
class Candidate:
    """A registry provider offered for a complaint, with how close its name is (0-1)."""

    provider: Provider
    score: float
    same_sector: bool


def _fragments(name: str) -> list[str]:
    """The two-character pieces of ``name`` a shop's registered name is likely to share
    with what a complainant called it (common words like 公司 left out), at most 8."""
    core = name
    for word in _COMMON:
        core = core.replace(word, " ")
    pieces = [p for part in core.split() for p in (part[i : i + 2] for i in range(len(part) - 1))]
    return list(dict.fromkeys(p for p in pieces if len(p) == 2))[:8] or ([name] if name else [])


def _live() -> tuple:
    return (Provider.merged_into_id.is_(None),)


def suggest_providers(
    session: DbSession, name: str, sector: str | None = None, limit: int = 5
) -> list[Candidate]:
    """Registry providers whose names are closest to ``name`` (``difflib`` ratio over
    names sharing a two-character piece with it, at least :data:`MIN_LIKENESS`), those
    of ``sector`` first among equals; merged-away providers never."""
    name = " ".join(name.split())
    pieces = _fragments(name)
    if not pieces:
        return []
    rows = session.scalars(
        select(Provider)
        .where(*_live(), or_(*(Provider.name.contains(p, autoescape=True) for p in pieces)))
        .order_by(func.length(Provider.name), Provider.id)
        .limit(_READ)
    )
    scored = ((p, SequenceMatcher(None, name, p.name).ratio()) for p in rows)
    ranked = [Candidate(p, r, sector in p.sectors) for p, r in scored if r >= MIN_LIKENESS]
    ranked.sort(key=lambda c: (-round(c.score, 2), not c.same_sector, c.provider.name))
    return ranked[:limit]


def search_providers(session: DbSession, text: str, limit: int = 20) -> list[Provider]:
    """The provider of a credit code or registration number, else the providers whose
    name contains ``text`` (shortest names first); merged-away providers never."""
    text = " ".join(text.split())
    if not text:
        return []
    found = provider_by_key(session, text)
    if found is not None and found.merged_into_id is None:
        return [found]
    return list(
        session.scalars(
            select(Provider)
            .where(*_live(), Provider.name.contains(text, autoescape=True))
            .order_by(func.length(Provider.name), Provider.name, Provider.id)
            .limit(limit)
        )
    )


def unmatched(
    session: DbSession, sectors: Sequence[str] | None = None, limit: int = 100
) -> tuple[list[Complaint], int]:
    """Complaints that name their provider by free text only, oldest first (``limit``
    of them), of ``sectors`` (``None``: all), and how many there are in all."""
    where = [Complaint.provider_id.is_(None)]
    if sectors is not None:
        where.append(Complaint.sector.in_(list(sectors)))
    total = session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
    rows = session.scalars(
        select(Complaint).where(*where).order_by(Complaint.received_at, Complaint.id).limit(limit)
    )
    return list(rows), total
