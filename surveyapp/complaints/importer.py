"""The complaints file (``surveyapp complaints import FILE.csv``), all or nothing.

Columns (``../shared/spec/supervision.md``, section Complaints), in any order:

==================  =========================================================================
column              meaning
==================  =========================================================================
external_id         required: the source's own number, unique per channel
received_at         required: a date (``2026-09-30``, ``2026/9/30``) or a date-time
                    (``2026-09-30 14:05``, ``2026-09-30T14:05:00+08:00``); China time
                    unless it carries an offset
channel             required: ``web``, ``api``, ``12315``, ``12345``, ``phone``, ``letter``,
                    ``visit`` or ``other``
credit_code         the provider's unified social credit code, registered in the registry
provider_name       the provider as named (required when there is no credit_code)
sector              required: a sector code or its Chinese name (餐饮服务, 餐饮)
category            required: one of the configured categories (价格, 商品质量 …)
description         required: what happened
amount              optional: yuan (``1200``, ``1,200.50``, ``¥80``)
complainant_name    optional
complainant_phone   optional
status              optional: ``received`` (default), ``accepted``, ``not_accepted``,
                    ``mediation``, ``closed`` (or 待受理, 已受理, 不予受理, 调解中, 已办结)
accepted_at         the day of acceptance (needed from ``accepted`` on)
closed_at           the day the case ended (``closed``, ``not_accepted``)
outcome             ``和解成功``, ``未达成和解`` or ``终止`` (``closed`` only)
reason              optional: why not accepted, or how it was closed
==================  =========================================================================

The file is UTF-8 (with or without a byte-order mark) or GBK/GB18030, told apart as
the provider registry's are (:func:`surveyapp.providers.registry_file.read_detected`),
with the one CSV reader, so row N is the file's line N (header = 1).  Every
problem of every row is reported with its row and column before anything is stored;
then :func:`surveyapp.complaints.drafts.intake` stores all rows in one transaction.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from surveyapp.complaints.drafts import (
    ComplaintDraft,
    IntakeError,
    Intaken,
    check_drafts,
    draft_problems,
    intake,
)
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.csv_safe import restore_cell
from surveyapp.i18n import CHINA_TZ
from surveyapp.models import User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.providers.registry_file import read_detected, sector_code
from surveyapp.responses.importer import ImportFailed, ImportProblem

__all__ = ["COLUMNS", "ComplaintsFile", "import_complaints", "parse_time", "read_complaints"]

REQUIRED = ("external_id", "received_at", "channel", "sector", "category", "description")
OPTIONAL = ("credit_code", "provider_name", "amount", "complainant_name", "complainant_phone",
            "status", "accepted_at", "closed_at", "outcome", "reason")  # fmt: skip
COLUMNS = REQUIRED + OPTIONAL
_TIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_STATUS = {
    **{s: s for s in ("received", "accepted", "not_accepted", "mediation", "closed")},
    **dict.fromkeys(("待受理", "已接收", "已登记"), "received"),
    "已受理": "accepted",
    "不予受理": "not_accepted",
    "调解中": "mediation",
    **dict.fromkeys(("已办结", "办结", "已关闭"), "closed"),
}
_MONEY_MARKS = re.compile(r"[¥￥元,，\s]")


def parse_time(text: str) -> datetime:
    """A date (00:00 China time) or a date-time (China time unless it has an offset)
    as a UTC instant; ``ValueError`` with a sentence for anything else."""
    match = _TIME.match(text)
    if match is not None:
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in match.groups())
        try:
            moment = datetime(y, m, d, hh, mm, ss, tzinfo=CHINA_TZ)
        except ValueError:
            raise ValueError(f"{text!r} is not a day or time of the calendar") from None
        return moment.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date like 2026-09-30 or a time like 2026-09-30 14:05"
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA_TZ)).astimezone(UTC)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(_MONEY_MARKS.sub("", text))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount in yuan") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount in yuan")
    return value


@dataclass(frozen=True)
class ComplaintsFile:
    """A complaints file read and checked whole: its drafts with their rows."""

    name: str
    encoding: str
    rows: tuple[int, ...]
    drafts: tuple[ComplaintDraft, ...]
    ignored: tuple[str, ...]  # columns that are none of COLUMNS


class _Row:
    """One row's cells, turned into a draft while noting each bad cell."""

    def __init__(self, number: int, values: dict[str, str], problems: list[ImportProblem]):
        self.number, self.values, self.problems = number, values, problems
        self.ok = True

    def bad(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.number, column, message))
        self.ok = False

    def text(self, column: str) -> str | None:
        return self.values.get(column) or None

    def time(self, column: str) -> datetime | None:
        raw = self.text(column)
        if raw is None:
            return None
        try:
            return parse_time(raw)
        except ValueError as exc:
            self.bad(column, str(exc))
            return None

    def draft(self) -> tuple[ComplaintDraft | None, bool]:
        """The row's draft and whether every cell was good; a draft whose bad cells are
        left empty when only they were bad (its other fields are still worth checking),
        none without a time of receipt."""
        for column in REQUIRED:
            if not self.text(column):
                self.bad(column, "is empty")
        received = self.time("received_at")
        accepted, closed = self.time("accepted_at"), self.time("closed_at")
        raw_sector = self.text("sector")
        sector = sector_code(raw_sector) if raw_sector else None
        if raw_sector and sector is None:
            self.bad("sector", f"unknown sector {raw_sector!r}")
        amount = None
        if self.text("amount"):
            try:
                amount = _amount(self.values["amount"])
            except ValueError as exc:
                self.bad("amount", str(exc))
        raw_status = self.text("status") or "received"
        status = _STATUS.get(raw_status, _STATUS.get(raw_status.lower(), ""))
        if not status:
            self.bad("status", f"unknown status {raw_status!r}")
        if received is None:
            return None, False
        draft = ComplaintDraft(
            received_at=received,
            channel=self.values.get("channel", ""),
            sector=sector or "",
            category=self.values.get("category", ""),
            description=self.values.get("description", ""),
            external_id=self.values.get("external_id", ""),
            credit_code=(self.text("credit_code") or "").upper().replace(" ", "") or None,
            provider_name=self.text("provider_name"),
            amount=amount,
            complainant_name=self.text("complainant_name"),
            complainant_phone=self.text("complainant_phone"),
            status=status or "received",
            accepted_at=accepted,
            closed_at=closed,
            outcome=self.text("outcome"),
            reason=self.text("reason"),
        )
        return draft, self.ok


def read_complaints(
    session: DbSession,
    path: str | os.PathLike[str],
    settings: ComplaintSettings,
    *,
    name: str | None = None,
    now: datetime | None = None,
) -> ComplaintsFile:
    """Read and check the whole file, also against the database (credit codes in the
    registry, external ids not stored yet); raise :class:`ImportFailed` with every
    problem, by row and column."""
    file = name or os.fspath(path)
    encoding, table = read_detected(path, file)
    header = [h.strip() for h in table.header]
    missing = [c for c in REQUIRED if c not in header]
    if "credit_code" not in header and "provider_name" not in header:
        missing.append("credit_code or provider_name")
    if missing:
        raise ImportFailed(file, [ImportProblem(1, c, "column is missing") for c in missing])
    if table.n == 0:
        raise ImportFailed(file, [ImportProblem(2, "", "the file has no data rows")])
    cells = {h.strip(): table.text(h) for h in table.header if h.strip() in COLUMNS}
    problems: list[ImportProblem] = []
    rows: list[int] = []
    drafts: list[ComplaintDraft] = []
    for i, number in enumerate(table.rows.tolist()):
        values = {c: restore_cell(str(cells[c][i] or "")).strip() for c in cells}
        draft, complete = _Row(number, values, problems).draft()
        if draft is not None and complete:
            rows.append(number)
            drafts.append(draft)
        elif draft is not None:  # the other cells' problems too, all in one report
            named = {p.column for p in problems if p.row == number}
            problems.extend(
                ImportProblem(number, p.field, p.message)
                for p in draft_problems(draft, settings, now or utcnow())
                if p.field not in named
            )
    for index, found in check_drafts(session, drafts, settings, now).items():
        problems.extend(ImportProblem(rows[index], p.field, p.message) for p in found)
    if problems:
        problems.sort(
            key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 99)
        )
        raise ImportFailed(file, problems)
    ignored = tuple(h for h in header if h not in COLUMNS)
    return ComplaintsFile(file, encoding, tuple(rows), tuple(drafts), ignored)


def import_complaints(
    session: DbSession,
    complaints: ComplaintsFile,
    actor: User | str,
    settings: ComplaintSettings,
    *,
    now: datetime | None = None,
) -> list[Intaken]:
    """Store every complaint of a checked file in one transaction (or none)."""
    try:
        return intake(
            session, complaints.drafts, actor, settings, now=now or utcnow(), source=complaints.name
        )
    except IntakeError as exc:  # changed since it was read: same report, by row
        raise ImportFailed(
            complaints.name,
            [
                ImportProblem(complaints.rows[i], p.field, p.message)
                for i, found in exc.problems.items()
                for p in found
            ],
        ) from None
