"""Entering the values of plan indicators: one value, or a CSV file all or nothing.

A value is what the responsible bureau reports for an indicator and a period, with
the source it comes from.  Nothing is overwritten: a second value for the same
indicator and period is a correction, a new :class:`~surveyapp.models.PlanValue` row
that supersedes the current one, and each is in the audit log (``plan_value.enter``,
``plan_value.correct``; a file also ``plan_value.import``).  An indicator bound to a
computed value (``bound_to`` in its plan file) takes no entered value.

:func:`enter_value` is what a form or the API calls; :func:`read_values` and
:func:`import_values` are ``surveyapp plans values import``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from surveyapp.accounts.service import audit
from surveyapp.csv_safe import restore_cell
from surveyapp.models import PlanValue, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.providers.registry_file import read_detected
from surveyapp.responses.importer import ImportFailed, ImportProblem
from surveyapp.rounds.dates import period_days

from .catalogue import Plan

__all__ = [
    "COLUMNS",
    "NOTE_MAX",
    "EntryError",
    "ImportOutcome",
    "ValueEntry",
    "check_entry",
    "current_values",
    "enter_value",
    "period_span",
    "import_values",
    "read_values",
    "value_history",
]

#: The columns of a values file, with their Chinese aliases.
COLUMNS: dict[str, str] = {
    "plan": "方案",
    "indicator": "指标",
    "period": "期间",
    "value": "数值",
    "note": "来源说明",
}
_HEADER = {**{c: c for c in COLUMNS}, **{zh: c for c, zh in COLUMNS.items()}}
NOTE_MAX = 500


class EntryError(ValueError):
    """A value that cannot be entered; ``field`` is the input it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ValueEntry:
    """One value to enter, checked against the plans (``row``: its file's row, if any)."""

    plan_id: str
    indicator_id: str
    period: str
    value: float
    note: str
    row: int | None = None


def period_span(period: str) -> tuple[date, date] | None:
    """First and last day of a period like ``2025``, ``2025H2``, ``2025Q4`` or ``2025M12``
    (:func:`surveyapp.rounds.dates.period_days`); ``None`` for anything else — the year
    0000 included, which no calendar has."""
    try:
        return period_days(period)
    except ValueError:
        return None


def _raced(entry: ValueEntry | None) -> EntryError:
    what = "values" if entry is None else f"{entry.indicator_id} {entry.period}"
    return EntryError("value", f"{what} changed while this was entered: nothing stored, try again")


def _clip(text: str) -> str:
    """A value as a problem quotes it: its first 40 characters."""
    return text if len(text) <= 40 else text[:40] + "…"


def check_entry(
    plans: Sequence[Plan], plan_id: str, indicator_id: str, period: str, value: Any, note: str
) -> ValueEntry:
    """The entry, or :class:`EntryError` naming the first field that is wrong."""
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        raise EntryError(
            "plan", f"no plan {_clip(plan_id)!r} (one of {', '.join(p.id for p in plans)})"
        )
    indicator = plan.indicator(indicator_id)
    if indicator is None:
        raise EntryError("indicator", f"plan {plan_id!r} has no indicator {_clip(indicator_id)!r}")
    if indicator.bound_to is not None:
        raise EntryError(
            "indicator",
            f"{indicator_id!r} is computed ({indicator.bound_to.kind}), not entered",
        )
    if period_span(period) is None:
        raise EntryError(
            "period", f"{_clip(period)!r} is not a period like 2025, 2025H2, 2025Q4 or 2025M12"
        )
    given = value
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            raise EntryError("value", f"{_clip(given)!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        shown = _clip(given) if isinstance(given, str) else given
        raise EntryError("value", f"{shown!r} is not a number")
    note = note.strip()
    if not note:
        raise EntryError("note", "say where the value comes from (来源说明)")
    if len(note) > NOTE_MAX:
        raise EntryError("note", f"longer than {NOTE_MAX} characters")
    if "\x00" in note:
        raise EntryError("note", "holds a NUL character (a binary file?)")
    return ValueEntry(plan_id, indicator_id, period, float(value), note)


def _current(
    session: DbSession, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], PlanValue]:
    """The current row of each (plan, indicator, period) of ``keys`` that has one."""
    wanted = set(keys)
    plan_ids = sorted({k[0] for k in wanted})
    if not plan_ids:
        return {}
    rows = current_values(session, plan_ids)
    return {k: row for k, row in rows.items() if k in wanted}


def current_values(
    session: DbSession, plan_ids: Iterable[str]
) -> dict[tuple[str, str, str], PlanValue]:
    """(plan, indicator, period) → the current row (the one no correction supersedes)."""
    later = aliased(PlanValue)
    query = select(PlanValue).where(
        PlanValue.plan_id.in_(sorted(set(plan_ids))),
        ~select(later.id).where(later.supersedes_id == PlanValue.id).exists(),
    )
    return {(r.plan_id, r.indicator_id, r.period): r for r in session.scalars(query)}


def value_history(
    session: DbSession, plan_id: str, indicator_id: str, period: str
) -> list[PlanValue]:
    """Every value entered for the indicator and period, the first first (the last is current)."""
    query = (
        select(PlanValue)
        .where(
            PlanValue.plan_id == plan_id,
            PlanValue.indicator_id == indicator_id,
            PlanValue.period == period,
        )
        .order_by(PlanValue.id)
    )
    return list(session.scalars(query))


def _store(
    session: DbSession,
    entry: ValueEntry,
    previous: PlanValue | None,
    actor: User | str,
    now: datetime,
    ip: str | None,
    file: str | None,
) -> PlanValue | None:
    if previous is not None and previous.value == entry.value and previous.note == entry.note:
        return None  # the same value and source again: nothing to correct
    row = PlanValue(
        plan_id=entry.plan_id,
        indicator_id=entry.indicator_id,
        period=entry.period,
        value=entry.value,
        note=entry.note,
        entered_by=actor.username if isinstance(actor, User) else str(actor),
        user_id=actor.id if isinstance(actor, User) else None,
        entered_at=now,
        supersedes_id=None if previous is None else previous.id,
    )
    session.add(row)
    details: dict[str, Any] = {"value": entry.value, "note": entry.note}
    if previous is not None:
        details["previous"] = {"value": previous.value, "note": previous.note, "id": previous.id}
    if file is not None:
        details.update(file=file, row=entry.row)
    action = "plan_value.enter" if previous is None else "plan_value.correct"
    target = f"plan:{entry.plan_id}/{entry.indicator_id}/{entry.period}"
    audit(session, actor, action, target, details, ip=ip, at=now)
    return row


def enter_value(
    session: DbSession,
    plans: Sequence[Plan],
    actor: User | str,
    *,
    plan_id: str,
    indicator_id: str,
    period: str,
    value: Any,
    note: str,
    ip: str | None = None,
    now: datetime | None = None,
) -> PlanValue | None:
    """Enter (or correct) one value and commit; ``None`` when it repeats the current
    value and note.  :class:`EntryError` for a bad field, before anything is written."""
    entry = check_entry(plans, plan_id, indicator_id, period, value, note)
    key = (entry.plan_id, entry.indicator_id, entry.period)
    try:
        row = _store(
            session, entry, _current(session, [key]).get(key), actor, now or utcnow(), ip, None
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _raced(entry) from None
    except BaseException:
        session.rollback()
        raise
    return row


def read_values(
    path: str | os.PathLike[str], plans: Sequence[Plan], *, name: str | None = None
) -> list[ValueEntry]:
    """Read and check a values file; :class:`ImportFailed` with every problem.

    Columns plan, indicator, period, value, note (or 方案, 指标, 期间, 数值, 来源说明);
    UTF-8, or GBK/GB18030 as Excel on a Chinese system saves it (detected as for the
    provider registry)."""
    file = name or os.fspath(path)
    table = read_detected(path, file)[1]
    columns: dict[str, str] = {}
    problems: list[ImportProblem] = []
    for header in table.header:
        column = _HEADER.get(header) or _HEADER.get(header.lower())
        if column is None:
            problems.append(
                ImportProblem(1, header, f"unknown column (the columns: {', '.join(COLUMNS)})")
            )
        elif column in columns:
            problems.append(ImportProblem(1, header, f"is the same column as {columns[column]!r}"))
        else:
            columns[column] = header
    for column, alias in COLUMNS.items():
        if column not in columns:
            problems.append(ImportProblem(1, column, f"the column is missing (or {alias})"))
    if problems:
        raise ImportFailed(file, problems)
    if table.n == 0:
        raise ImportFailed(file, [ImportProblem(2, "", "the file has no data rows")])
    cells = {c: table.text(h) for c, h in columns.items()}
    entries: list[ValueEntry] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, row in enumerate(table.rows.tolist()):
        get = {c: restore_cell(str(cells[c][i])).strip() for c in cells}.__getitem__
        try:
            entry = check_entry(
                plans, get("plan"), get("indicator"), get("period"), get("value"), get("note")
            )
        except EntryError as exc:
            problems.append(ImportProblem(row, columns[exc.field], exc.message))
            continue
        key = (entry.plan_id, entry.indicator_id, entry.period)
        if key in seen:
            problems.append(
                ImportProblem(
                    row,
                    columns["indicator"],
                    f"{key[1]} {key[2]} is given already on row {seen[key]}",
                )
            )
            continue
        seen[key] = row
        entries.append(ValueEntry(*key, entry.value, entry.note, row))
    if problems:
        raise ImportFailed(file, problems)
    return entries


@dataclass(frozen=True)
class ImportOutcome:
    entered: int
    corrected: int
    unchanged: int


def import_values(
    session: DbSession, entries: Sequence[ValueEntry], actor: User | str, *, file: str
) -> ImportOutcome:
    """Store the entries of a checked file (:func:`read_values`) in one transaction and
    commit; nothing is stored if anything fails."""
    now = utcnow()
    current = _current(session, ((e.plan_id, e.indicator_id, e.period) for e in entries))
    entered = corrected = 0
    try:
        for entry in entries:
            previous = current.get((entry.plan_id, entry.indicator_id, entry.period))
            if _store(session, entry, previous, actor, now, None, file) is not None:
                entered += previous is None
                corrected += previous is not None
        outcome = ImportOutcome(entered, corrected, len(entries) - entered - corrected)
        audit(session, actor, "plan_value.import", f"file:{file}",
              {"rows": len(entries), "entered": entered, "corrected": corrected,
               "unchanged": outcome.unchanged}, at=now)  # fmt: skip
        session.commit()
    except IntegrityError:  # rolled back: another entry started or corrected a chain first
        session.rollback()
        raise _raced(None) from None
    except BaseException:
        session.rollback()
        raise
    return outcome
