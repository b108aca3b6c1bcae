"""A provider's credit record (信用记录): events imported or entered, credit repair,
overrides of the class, and the one timeline a bureau reads.

The timeline joins what is stored here (:class:`~surveyapp.models.credit.CreditEvent`:
inspections, penalties, abnormal-operation listings, honours) with what is read from
its own table, never copied: the provider's complaints.  Every change (an import, a
repair, an override) is audited.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from surveyapp.accounts.service import audit
from surveyapp.credit.csvfile import (
    ImportFailed,
    ImportProblem,
    parse_day,
    providers_by_key,
    read_rows,
)
from surveyapp.models import Complaint, Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.credit import (
    CREDIT_EVENT_KINDS,
    INSPECTION_OUTCOMES,
    PUBLIC_KINDS,
    RISK_CLASSES,
    ClassOverride,
    CreditEvent,
)
from surveyapp.rounds.dates import china_today

__all__ = [
    "EVENT_COLUMNS",
    "CreditError",
    "EventDraft",
    "EventsFile",
    "TimelineEntry",
    "end_event",
    "import_events",
    "override_class",
    "read_events",
    "timeline",
]

EVENT_REQUIRED = ("kind", "occurred_on", "source", "external_id")
EVENT_OPTIONAL = ("outcome", "description", "public")
EVENT_IDS = ("credit_code", "registration_no")
EVENT_COLUMNS = (*EVENT_IDS, *EVENT_REQUIRED, *EVENT_OPTIONAL)
_KINDS = {
    **{k: k for k in CREDIT_EVENT_KINDS},
    **dict.fromkeys(("检查", "抽查", "检查结果", "抽查结果"), "inspection"),
    **dict.fromkeys(("行政处罚", "处罚"), "penalty"),
    **dict.fromkeys(("经营异常", "经营异常名录", "列入经营异常名录"), "abnormal"),
    **dict.fromkeys(("荣誉", "示范企业", "品牌认证"), "honour"),
}
_YES = {"yes": True, "true": True, "1": True, "是": True, "公开": True,
        "no": False, "false": False, "0": False, "否": False, "不公开": False, "": False}  # fmt: skip


class CreditError(ValueError):
    """An operation on the record that cannot be done; the message says why."""


@dataclass(frozen=True)
class EventDraft:
    row: int
    key: str
    key_column: str  # credit_code or registration_no: where the file named the provider
    kind: str
    occurred_on: date
    source: str
    external_id: str
    outcome: str | None
    description: str | None
    public: bool


@dataclass(frozen=True)
class EventsFile:
    name: str
    encoding: str
    drafts: tuple[EventDraft, ...]
    ignored: tuple[str, ...]


def _draft(number: int, values: dict[str, str], problems: list[ImportProblem]) -> EventDraft | None:
    def bad(column: str, message: str) -> None:
        problems.append(ImportProblem(number, column, message))

    before = len(problems)
    key = values.get("credit_code") or values.get("registration_no") or ""
    if not key:
        bad("credit_code", "give the provider's credit_code or registration_no")
    kind = _KINDS.get(values["kind"].lower())
    if kind is None:
        bad("kind", f"{values['kind']!r} is not one of inspection, penalty, abnormal, honour")
    day = None
    try:
        day = parse_day(values["occurred_on"])
    except ValueError as exc:
        bad("occurred_on", str(exc))
    for column in ("source", "external_id"):
        if not values[column]:
            bad(column, "must not be empty")
        elif len(values[column]) > 64:
            bad(column, "is longer than 64 characters")
    outcome = values.get("outcome") or None
    if kind == "inspection" and outcome not in INSPECTION_OUTCOMES:
        bad("outcome", "an inspection's outcome is 合格 or 不合格")
    elif kind is not None and kind != "inspection" and outcome:
        bad("outcome", "only an inspection has an outcome")
    public = _YES.get(values.get("public", "").lower())
    if public is None:
        bad("public", f"{values['public']!r} is not yes or no (是/否)")
    elif public and kind is not None and kind not in PUBLIC_KINDS:
        bad("public", "only penalties and honours are public by law")
    if len(problems) > before or kind is None or day is None:
        return None
    key_column = "credit_code" if values.get("credit_code") else "registration_no"
    return EventDraft(number, key, key_column, kind, day, values["source"], values["external_id"],
                      outcome, values.get("description") or None, bool(public))  # fmt: skip


def read_events(
    session: DbSession, path: str | os.PathLike[str], *, name: str | None = None
) -> EventsFile:
    """Read and check a whole events file, also against the database (the providers are
    registered, the source's numbers not stored yet nor repeated in the file)."""
    file = read_rows(path, EVENT_REQUIRED, EVENT_OPTIONAL, name=name, one_of=EVENT_IDS)
    problems: list[ImportProblem] = []
    drafts = [d for number, values in file.rows if (d := _draft(number, values, problems))]
    providers = providers_by_key(session, (d.key for d in drafts))
    seen: dict[tuple[str, str], int] = {}
    stored = _stored_ids(session, {d.source for d in drafts})
    for d in drafts:
        if d.key not in providers:
            problems.append(ImportProblem(d.row, d.key_column, f"{d.key} is not in the registry"))
        ident = (d.source, d.external_id)
        if ident in seen:
            problems.append(
                ImportProblem(d.row, "external_id", f"repeats row {seen[ident]} ({d.source})")
            )
        elif ident in stored:
            problems.append(
                ImportProblem(d.row, "external_id", f"already imported from {d.source}")
            )
        seen.setdefault(ident, d.row)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, EVENT_COLUMNS.index(p.column)
                                     if p.column in EVENT_COLUMNS else 99))  # fmt: skip
        raise ImportFailed(file.name, problems)
    return EventsFile(file.name, file.encoding, tuple(drafts), file.ignored)


def _stored_ids(session: DbSession, sources: set[str]) -> set[tuple[str, str]]:
    if not sources:
        return set()
    query = select(CreditEvent.source, CreditEvent.external_id).where(
        CreditEvent.source.in_(sorted(sources))
    )
    return {(s, e) for s, e in session.execute(query)}


def import_events(
    session: DbSession, events: EventsFile, actor: User | str, *, now: datetime | None = None
) -> int:
    """Store every event of a checked file in one transaction, with one audit row."""
    now = now or utcnow()
    providers = providers_by_key(session, (d.key for d in events.drafts))
    try:
        for d in events.drafts:
            session.add(
                CreditEvent(
                    provider_id=providers[d.key].id, kind=d.kind, occurred_on=d.occurred_on,
                    source=d.source, external_id=d.external_id, outcome=d.outcome,
                    description=d.description, public=d.public, created_at=now,
                )
            )  # fmt: skip
        audit(session, actor, "credit.events_import", f"file:{events.name}",
              {"events": len(events.drafts)}, at=now)  # fmt: skip
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(events.drafts)


def end_event(
    session: DbSession,
    event_id: int,
    on: date,
    reason: str,
    actor: User | str,
    *,
    now: datetime | None = None,
) -> CreditEvent:
    """Credit repair (信用修复) or an honour withdrawn: the event stops counting on ``on``."""
    event = session.get(CreditEvent, event_id)
    if event is None:
        raise CreditError(f"no credit event {event_id}")
    if not reason.strip():
        raise CreditError("a repair needs a reason")
    if event.ended_on is not None:
        raise CreditError(f"event {event_id} already ended on {event.ended_on.isoformat()}")
    if on < event.occurred_on:
        raise CreditError(f"the end {on.isoformat()} is before the event "
                          f"({event.occurred_on.isoformat()})")  # fmt: skip
    event.ended_on, event.end_reason = on, reason.strip()
    audit(session, actor, "credit.repair", f"credit_event:{event_id}",
          {"ended_on": on.isoformat(), "reason": reason.strip()}, at=now)  # fmt: skip
    session.commit()
    return event


def override_class(
    session: DbSession,
    key: str,
    cls: str,
    reason: str,
    expires_on: date,
    bureau: str,
    actor: User | str,
    *,
    now: datetime | None = None,
) -> ClassOverride:
    """A bureau sets a provider's class until ``expires_on`` (the last day it holds)."""
    now = now or utcnow()
    provider = providers_by_key(session, [key]).get(key)
    if provider is None:
        raise CreditError(f"{key} is not in the registry")
    if cls not in RISK_CLASSES:
        raise CreditError(f"class {cls!r} is not one of A, B, C, D")
    if not reason.strip():
        raise CreditError("an override needs a reason")
    if expires_on < china_today(now):
        raise CreditError(f"the expiry {expires_on.isoformat()} has passed")
    row = ClassOverride(provider_id=provider.id, cls=cls, reason=reason.strip(), bureau=bureau,
                        expires_on=expires_on, actor=_name(actor), created_at=now)  # fmt: skip
    session.add(row)
    audit(session, actor, "credit.override", f"provider:{key}",
          {"class": cls, "reason": reason.strip(), "expires_on": expires_on.isoformat(),
           "bureau": bureau}, at=now)  # fmt: skip
    session.commit()
    return row


def _name(actor: User | str) -> str:
    return actor.username if isinstance(actor, User) else str(actor)


@dataclass(frozen=True)
class TimelineEntry:
    """One dated line of the record: stored events and complaints read from their table."""

    on: date
    kind: str  # inspection, penalty, abnormal, honour, complaint
    source: str
    detail: dict[str, Any]
    counts: bool  # still counted on the day asked for (not repaired, not ended)
    public: bool

    def as_json(self) -> dict[str, Any]:
        return {"on": self.on.isoformat(), "kind": self.kind, "source": self.source,
                "counts": self.counts, "public": self.public, **self.detail}  # fmt: skip


def timeline(
    session: DbSession, provider: Provider, as_of: date, *, public_only: bool = False
) -> list[TimelineEntry]:
    """The provider's record up to ``as_of``, newest first; ``public_only``: what the
    public may see (events marked public, no complaints)."""
    entries: list[TimelineEntry] = []
    events = select(CreditEvent).where(
        CreditEvent.provider_id == provider.id, CreditEvent.occurred_on <= as_of
    )
    for e in session.scalars(events):
        if public_only and not e.public:
            continue
        detail: dict[str, Any] = {"id": e.id, "external_id": e.external_id,
                                  "outcome": e.outcome, "description": e.description}  # fmt: skip
        if e.ended_on is not None and e.ended_on <= as_of:
            detail.update(ended_on=e.ended_on.isoformat(), end_reason=e.end_reason)
        entries.append(TimelineEntry(e.occurred_on, e.kind, e.source, detail,
                                     e.counts_on(as_of), e.public))  # fmt: skip
    if not public_only:
        complaints = select(Complaint).where(Complaint.provider_id == provider.id)
        for c in session.scalars(complaints):
            day = china_today(c.received_at)
            if day > as_of:
                continue
            detail = {"id": c.id, "external_id": c.external_id, "status": c.status,
                      "category": c.category, "outcome": c.outcome}  # fmt: skip
            entries.append(TimelineEntry(day, "complaint", c.channel, detail,
                                         c.status != "not_accepted", False))  # fmt: skip
    entries.sort(key=lambda e: (e.on, e.kind, e.source), reverse=True)
    return entries
