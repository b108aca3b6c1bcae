"""Intake: the one function every channel calls (web form, API, a hotline's file).

:func:`intake` checks every draft first — the rules of :func:`draft_problems`, then
what needs the database (the provider named by its credit code exists; an
``external_id`` is not stored already for its channel, nor given twice) — and stores
all of them in one transaction, or none and raises :class:`IntakeError` listing every
problem by draft and field.  Field names are the complaints file's column names, so
the importer reports them as the file's columns.

Each stored complaint gets a receipt code (``K7Q2-9MZX-4HTB``: 12 characters of 31,
59 random bits) that the complainant uses to follow the case without an account; only
its SHA-256 is stored, so the code is shown once, by the channel that took it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, insert, literal, select, tuple_
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from surveyapp.accounts.service import audit_row
from surveyapp.complaints.deadlines import OpenCase
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.complaints.states import actor_name
from surveyapp.models import AuditLog, Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import (
    COMPLAINT_OUTCOMES,
    COMPLAINT_STATUSES,
    Complaint,
    ComplaintEvent,
)
from surveyapp.sectors import SECTORS
from surveyapp.workdays import china_date

__all__ = [
    "CHANNELS",
    "ComplaintDraft",
    "DraftProblem",
    "IntakeError",
    "Intaken",
    "check_drafts",
    "draft_problems",
    "find_by_receipt",
    "intake",
    "receipt_hash",
]

#: Where complaints come from: the web form, the API, the hotlines 12315 and 12345,
#: another phone line, a letter, a visit, anything else.
CHANNELS = ("web", "api", "12315", "12345", "phone", "letter", "visit", "other")
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
_RECEIPT_LENGTH = 12
# built once per process: intake's rows, their ids back in the order given
_INSERT_COMPLAINTS = insert(cast(Table, Complaint.__table__)).returning(
    Complaint.__table__.c.id, sort_by_parameter_order=True
)
_INSERT_COMPLAINT = insert(cast(Table, Complaint.__table__)).returning(Complaint.__table__.c.id)
_INSERT_EVENTS = insert(cast(Table, ComplaintEvent.__table__))
# the audit rows as surveyapp.accounts.service.audit() writes them, without the unit of
# work's flush at the commit (it ran inside SQLite's write lock, 0.3 ms a complaint)
_INSERT_AUDIT = insert(cast(Table, AuditLog.__table__))


def _values(table: Table, prefix: str, skip: tuple[str, ...]) -> dict[str, Any]:
    """A typed bind parameter ``prefix + column`` for each column of ``table`` but ``skip``."""
    return {c.name: bindparam(prefix + c.name, type_=c.type) for c in table.c if c.name not in skip}


def _insert_one(audited: bool) -> Select:
    """One complaint, its first event and (``audited``) its audit row in one statement
    (PostgreSQL's INSERTs in a WITH): one round trip to the server instead of three."""
    table = cast(Table, Complaint.__table__)
    events, audits = cast(Table, ComplaintEvent.__table__), cast(Table, AuditLog.__table__)
    new = insert(table).values(_values(table, "c_", ("id",))).returning(table.c.id).cte("new")
    event = _values(events, "e_", ("id", "complaint_id"))
    entry = _values(audits, "a_", ("id", "target"))
    stmt = select(new.c.id).add_cte(insert(events).from_select(
        ["complaint_id", *event], select(new.c.id, *event.values())).cte("new_event"))  # fmt: skip
    if not audited:
        return stmt
    return stmt.add_cte(insert(audits).from_select(
        ["target", *entry],
        select(literal("complaint:") + sql_cast(new.c.id, String), *entry.values()),
    ).cte("new_audit"))  # fmt: skip


#: by whether the intake is audited
_INSERT_ONE = {audited: _insert_one(audited) for audited in (True, False)}
_LIMITS = {"external_id": 64, "provider_name": 200, "complainant_name": 64,
           "complainant_phone": 32}  # fmt: skip
_PHONE = re.compile(r"^\+?[0-9][0-9 \-()]*$")
_AMOUNT_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
#: Clocks of the channels may run a little ahead of the server's
_FUTURE_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class ComplaintDraft:
    """A complaint as a channel hands it in (times aware; ``amount`` in yuan).

    The provider is ``provider_id`` (chosen from the registry), else ``credit_code``
    (looked up in the registry), else only ``provider_name`` (free text, matched by
    staff later).  ``status`` and the later fields are for files of cases handled
    elsewhere; a new complaint is ``received``.
    """

    received_at: datetime
    channel: str
    sector: str
    category: str
    description: str
    external_id: str | None = None
    provider_id: int | None = None
    credit_code: str | None = None
    provider_name: str | None = None
    amount: Decimal | None = None
    complainant_name: str | None = None
    complainant_phone: str | None = None
    status: str = "received"
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class DraftProblem:
    """What is wrong with a draft's ``field`` (a column of the complaints file)."""

    field: str
    message: str


class IntakeError(ValueError):
    """Nothing was stored: ``problems`` maps a draft's index to what is wrong with it."""

    def __init__(self, problems: dict[int, list[DraftProblem]]):
        self.problems = problems
        super().__init__(
            "; ".join(
                f"complaint {i + 1}, {p.field}: {p.message}"
                for i, found in sorted(problems.items())
                for p in found
            )
        )


@dataclass(frozen=True)
class Intaken:
    """A stored complaint and its receipt code (shown once, never stored).

    ``case`` is the stored row's plain values that a channel's reply shows (its id,
    status and what its deadlines are counted from, for
    :func:`~surveyapp.complaints.deadlines.case_deadlines`), not an ORM object: building
    and attaching one per complaint cost a web or API intake about a seventh of its CPU.
    A caller that goes on with the case loads it (``session.get(Complaint, case.id)``).
    """

    case: OpenCase
    receipt: str


def receipt_hash(code: str) -> str:
    """SHA-256 of a receipt code as typed (case, spaces and dashes do not matter)."""
    plain = re.sub(r"[\s\-]", "", code).upper()
    return hashlib.sha256(plain.encode("ascii", "replace")).hexdigest()


def _new_receipt() -> str:
    # one uniform draw of the 31**12 codes, its base-31 digits (12 choice() calls: 5x the time)
    n = secrets.randbelow(len(_RECEIPT_ALPHABET) ** _RECEIPT_LENGTH)
    digits = []
    for _ in range(_RECEIPT_LENGTH):
        n, d = divmod(n, len(_RECEIPT_ALPHABET))
        digits.append(_RECEIPT_ALPHABET[d])
    raw = "".join(digits)
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4))


def find_by_receipt(session: DbSession, code: str) -> Complaint | None:
    """The complaint whose receipt code is ``code``, or ``None``."""
    return session.scalar(select(Complaint).where(Complaint.receipt_hash == receipt_hash(code)))


def _stages(draft: ComplaintDraft) -> list[DraftProblem]:
    """The later fields agree with the status and come in order."""
    problems = []
    status, accepted, closed = draft.status, draft.accepted_at, draft.closed_at
    if status not in COMPLAINT_STATUSES:
        return [DraftProblem("status", f"{status!r} is not one of {', '.join(COMPLAINT_STATUSES)}")]
    if status in ("accepted", "mediation", "closed") and accepted is None:
        problems.append(DraftProblem("accepted_at", f"status {status} needs the day of acceptance"))
    if status in ("received", "not_accepted") and accepted is not None:
        problems.append(DraftProblem("accepted_at", f"a case {status} has no acceptance"))
    if status in ("closed", "not_accepted") and closed is None:
        problems.append(DraftProblem("closed_at", f"status {status} needs the day it ended"))
    if status not in ("closed", "not_accepted") and closed is not None:
        problems.append(DraftProblem("closed_at", f"a case {status} has not ended"))
    if status == "closed" and draft.outcome not in COMPLAINT_OUTCOMES:
        problems.append(
            DraftProblem("outcome", f"status closed needs one of {', '.join(COMPLAINT_OUTCOMES)}")
        )
    if status != "closed" and draft.outcome:
        problems.append(DraftProblem("outcome", f"a case {status} has no outcome"))
    # compared as China days: a file may give a time of receipt and only the day of
    # acceptance (00:00 of the same day)
    if accepted is not None and china_date(accepted) < china_date(draft.received_at):
        problems.append(DraftProblem("accepted_at", "is before received_at"))
    start = accepted or draft.received_at
    if closed is not None and china_date(closed) < china_date(start):
        problems.append(
            DraftProblem("closed_at", f"is before {'accepted_at' if accepted else 'received_at'}")
        )
    return problems


def _decimals(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def draft_problems(
    draft: ComplaintDraft, settings: ComplaintSettings, now: datetime
) -> list[DraftProblem]:
    """Everything wrong with ``draft`` that needs no database, field by field."""
    problems = []
    if draft.channel not in CHANNELS:
        problems.append(
            DraftProblem("channel", f"{draft.channel!r} is not one of {', '.join(CHANNELS)}")
        )
    if draft.received_at.tzinfo is None:
        problems.append(DraftProblem("received_at", "has no time zone"))
        return problems  # the order checks below compare aware times
    if draft.received_at > now + _FUTURE_SLACK:
        problems.append(DraftProblem("received_at", "is in the future"))
    if draft.sector not in {s.code for s in SECTORS}:
        problems.append(DraftProblem("sector", f"unknown sector {draft.sector!r}"))
    if draft.category not in settings.categories:
        problems.append(
            DraftProblem(
                "category",
                f"unknown category {draft.category!r} (one of {', '.join(settings.categories)})",
            )
        )
    if not draft.description.strip():
        problems.append(DraftProblem("description", "is empty: say what happened"))
    if draft.provider_id is None and not draft.credit_code and not draft.provider_name:
        problems.append(DraftProblem("provider_name", "no provider: give credit_code or a name"))
    for name, limit in _LIMITS.items():
        value = getattr(draft, name)
        if value and len(value) > limit:
            problems.append(DraftProblem(name, f"longer than {limit} characters"))
    if draft.complainant_phone and not _PHONE.match(draft.complainant_phone):
        problems.append(DraftProblem("complainant_phone", "is not a phone number"))
    amount = draft.amount
    if amount is not None and (
        not amount.is_finite() or amount < 0 or amount > _AMOUNT_MAX or _decimals(amount) > 2
    ):
        problems.append(
            DraftProblem("amount", f"{amount} is not an amount in yuan (0 or more, 2 decimals)")
        )
    naive = [
        f
        for f in ("accepted_at", "closed_at")
        if getattr(draft, f) and not getattr(draft, f).tzinfo
    ]
    if naive:
        return problems + [DraftProblem(f, "has no time zone") for f in naive]
    return problems + _stages(draft)


def _resolve_providers(
    session: DbSession, drafts: Sequence[ComplaintDraft], problems: dict[int, list[DraftProblem]]
) -> dict[int, int | None]:
    """Each draft's provider id; a credit code or id not in the registry is a problem."""
    codes = {d.credit_code for d in drafts if d.provider_id is None and d.credit_code}
    ids = {d.provider_id for d in drafts if d.provider_id is not None}
    by_code: dict[str, int] = {}
    known_ids: set[int] = set()
    chunk = 500  # SQL parameter limits
    code_list, id_list = sorted(codes), sorted(ids)
    for start in range(0, len(code_list), chunk):
        part = code_list[start : start + chunk]
        rows = session.execute(
            select(Provider.credit_code, Provider.id).where(Provider.credit_code.in_(part))
        )
        by_code.update({code: pid for code, pid in rows if code})
    for start in range(0, len(id_list), chunk):
        known_ids.update(
            session.scalars(
                select(Provider.id).where(Provider.id.in_(id_list[start : start + chunk]))
            )
        )
    resolved: dict[int, int | None] = {}
    for i, d in enumerate(drafts):
        if d.provider_id is not None:
            if d.provider_id not in known_ids:
                problems.setdefault(i, []).append(
                    DraftProblem("provider_id", f"no provider {d.provider_id} in the registry")
                )
            resolved[i] = d.provider_id
        elif d.credit_code:
            if d.credit_code not in by_code:
                problems.setdefault(i, []).append(
                    DraftProblem(
                        "credit_code", f"no provider with credit code {d.credit_code} registered"
                    )
                )
            resolved[i] = by_code.get(d.credit_code)
        else:
            resolved[i] = None
    return resolved


def _duplicates(
    session: DbSession, drafts: Sequence[ComplaintDraft], problems: dict[int, list[DraftProblem]]
) -> None:
    """An external id given twice for a channel, or stored already."""
    first: dict[tuple[str, str], int] = {}
    for i, d in enumerate(drafts):
        if not d.external_id:
            continue
        key = (d.channel, d.external_id)
        if key in first:
            problems.setdefault(i, []).append(
                DraftProblem(
                    "external_id",
                    f"{d.external_id} of channel {d.channel} is given twice "
                    f"(complaint {first[key] + 1} too)",
                )
            )
        else:
            first[key] = i
    keys = sorted(first)
    for start in range(0, len(keys), 250):
        part = keys[start : start + 250]
        stored = session.execute(
            select(Complaint.channel, Complaint.external_id).where(
                tuple_(Complaint.channel, Complaint.external_id).in_(part)
            )
        )
        for channel, external in stored:
            problems.setdefault(first[(channel, external or "")], []).append(
                DraftProblem("external_id", f"{external} of channel {channel} is stored already")
            )


def _checked(
    session: DbSession, drafts: Sequence[ComplaintDraft], settings: ComplaintSettings, now: datetime
) -> tuple[dict[int, list[DraftProblem]], dict[int, int | None]]:
    problems: dict[int, list[DraftProblem]] = {}
    for i, draft in enumerate(drafts):
        found = draft_problems(draft, settings, now)
        if found:
            problems[i] = found
    providers = _resolve_providers(session, drafts, problems)
    _duplicates(session, drafts, problems)
    return {i: problems[i] for i in sorted(problems)}, providers


def check_drafts(
    session: DbSession,
    drafts: Sequence[ComplaintDraft],
    settings: ComplaintSettings,
    now: datetime | None = None,
) -> dict[int, list[DraftProblem]]:
    """Every problem :func:`intake` would refuse ``drafts`` for, by draft index; stores
    nothing."""
    return _checked(session, drafts, settings, now or utcnow())[0]


def _write(
    conn: Connection,
    rows: list[dict[str, Any]],
    events: list[dict[str, Any]],
    audits: list[dict[str, Any]],
) -> list[int]:
    """INSERT the complaints, their events and audit rows (none: not audited); the
    complaints' ids in order."""
    if len(rows) == 1 and conn.dialect.name == "postgresql":
        params = {f"c_{k}": v for k, v in rows[0].items()}
        params |= {f"e_{k}": v for k, v in events[0].items()}
        params |= {f"a_{k}": v for entry in audits for k, v in entry.items() if k != "target"}
        return [conn.execute(_INSERT_ONE[bool(audits)], params).scalar_one()]
    # one complaint (the web form, the API): plain executes, not the batches' executemany
    one = len(rows) == 1
    if one:
        ids = [conn.execute(_INSERT_COMPLAINT, rows[0]).scalar_one()]
    else:
        ids = list(conn.execute(_INSERT_COMPLAINTS, rows).scalars())
    for cid, event in zip(ids, events, strict=True):
        event["complaint_id"] = cid
    conn.execute(_INSERT_EVENTS, events[0] if one else events)
    if audits:
        for cid, entry in zip(ids, audits, strict=True):
            entry["target"] = f"complaint:{cid}"
        conn.execute(_INSERT_AUDIT, audits[0] if one else audits)
    return ids


def intake(
    session: DbSession,
    drafts: Sequence[ComplaintDraft],
    actor: User | str,
    settings: ComplaintSettings,
    *,
    now: datetime | None = None,
    source: str | None = None,
) -> list[Intaken]:
    """Store every draft, or none: raise :class:`IntakeError` with every problem.

    Each complaint gets a receipt code and a first history event (its state as taken
    in, by ``actor``); an intake by staff (``actor`` an account, or a file: ``source``)
    also an audit row ``complaint.intake`` each.  Commits.

    A resident's web form or a channel's API post (``actor`` ``"web"``, ``"api:<key>"``,
    no ``source``) writes no audit row, as survey responses and ratings from the same
    channels write none: the case's first event records the channel and key already, and
    the audit log stays the record of what staff did (a hotline's posts would otherwise
    push every staff action off the admin's list of the latest entries within minutes).
    """
    now = now or utcnow()
    problems, providers = _checked(session, drafts, settings, now)
    if problems:
        raise IntakeError(problems)
    user_id = actor.id if isinstance(actor, User) else None
    rows = [
        {
            "external_id": d.external_id or None,
            "receipt_hash": "",
            "channel": d.channel,
            "received_at": d.received_at,
            "provider_id": providers[i],
            "provider_name": d.provider_name or None,
            "sector": d.sector,
            "category": d.category,
            "description": d.description.strip(),
            "amount": d.amount,
            "complainant_name": d.complainant_name or None,
            "complainant_phone": d.complainant_phone or None,
            "status": d.status,
            "accepted_at": d.accepted_at,
            "closed_at": d.closed_at,
            "outcome": d.outcome or None,
            "reason": d.reason or None,
            "pii_cleared_at": None,
            "created_at": now,
            "handler_id": None,
        }
        for i, d in enumerate(drafts)
    ]
    codes = [_new_receipt() for _ in drafts]
    for row, code in zip(rows, codes, strict=True):
        row["receipt_hash"] = receipt_hash(code)
    events = [
        {
            "from_status": None,
            "to_status": d.status,
            "actor": actor_name(actor),
            "user_id": user_id,
            "at": now,
            "note": f"intake ({d.channel}{', ' + source if source else ''})",
        }
        for d in drafts
    ]
    audited = isinstance(actor, User) or source is not None
    audits = [
        audit_row(actor, "complaint.intake", None,  # the target is the id, known once written
                  {"channel": d.channel, "external_id": d.external_id or None,
                   "status": d.status} | ({"source": source} if source else {}), at=now)
        for d in drafts
        if audited
    ]  # fmt: skip
    try:
        # Core statements, not the unit of work's flushes, and nothing else between the
        # first INSERT and the commit: SQLite's write lock is held that long
        ids = _write(session.connection(), rows, events, audits)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return [Intaken(_case(cid, row), code) for cid, row, code in zip(ids, rows, codes, strict=True)]


def _case(cid: int, row: dict[str, Any]) -> OpenCase:
    """The stored row ``row`` (id ``cid``) as the plain values of a reply."""
    return OpenCase(
        id=cid,
        external_id=row["external_id"],
        channel=row["channel"],
        status=row["status"],
        received_at=row["received_at"],
        accepted_at=row["accepted_at"],
        sector=row["sector"],
        category=row["category"],
        provider_id=row["provider_id"],
        handler_id=row["handler_id"],
    )
