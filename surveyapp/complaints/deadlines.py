"""Deadlines in working days, and the cases overdue or due soon.

``accept_by`` is the last China day on which the acceptance decision is due:
``accept_days`` working days after the day of receipt (that day not counted);
``close_by`` is ``close_days`` working days after the day of acceptance (not counted).
Both follow the loaded holiday calendar with its make-up working days
(:mod:`surveyapp.workdays`); past its last year they are provisional.  Deadlines are
computed, never stored, so loading next year's calendar moves them at once.

A deadline only grows with the day it counts from, so "overdue" and "due within N
working days" are ranges of that day: the queries turn them into one indexed
comparison on ``received_at`` or ``accepted_at`` whatever the number of cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, func, select

from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.models.base import DbSession
from surveyapp.models.complaint import Complaint
from surveyapp.rounds.dates import china_today, day_start
from surveyapp.workdays import Deadline, WorkCalendar, china_date

__all__ = [
    "CaseDeadlines",
    "OpenCase",
    "case_deadlines",
    "due_soon",
    "list_complaints",
    "open_case_counts",
    "open_cases",
    "overdue",
]

#: States waiting for the acceptance decision, and for the case to be closed
_DECIDING = ("received",)
_HANDLING = ("accepted", "mediation")


@dataclass(frozen=True)
class CaseDeadlines:
    accept_by: Deadline
    close_by: Deadline | None  # once accepted

    def late(self, complaint: Complaint | OpenCase, today: date) -> bool:
        """The step the case waits for is past its deadline."""
        if complaint.status in _DECIDING:
            return self.accept_by.day < today
        if complaint.status in _HANDLING and self.close_by is not None:
            return self.close_by.day < today
        return False


def case_deadlines(
    complaint: Complaint | OpenCase, calendar: WorkCalendar, settings: ComplaintSettings
) -> CaseDeadlines:
    accept_by = calendar.add_working_days(china_date(complaint.received_at), settings.accept_days)
    close_by = None
    if complaint.accepted_at is not None:
        close_by = calendar.add_working_days(china_date(complaint.accepted_at), settings.close_days)
    return CaseDeadlines(accept_by, close_by)


def _last_start(calendar: WorkCalendar, n: int, before: date) -> date:
    """The last day ``d`` whose deadline ``d + n`` working days falls before ``before``.

    That deadline is before ``before`` exactly when ``n`` working days lie after ``d``
    and before ``before``: ``d`` is the day before the ``n``-th working day counted
    back from the day before ``before`` (one walk back, not a deadline per day)."""
    day = before - timedelta(days=1)
    if n == 0:
        return day
    counted = 0
    while True:
        counted += calendar.is_workday(day)
        if counted == n:
            return day - timedelta(days=1)
        day -= timedelta(days=1)


def _window(
    column, calendar: WorkCalendar, n: int, first_due: date | None, last_due: date
) -> tuple:
    """Conditions on ``column`` (an instant counted from its China day) for a deadline
    from ``first_due`` (``None``: any) to ``last_due``, both included."""
    one = timedelta(days=1)
    last_start = _last_start(calendar, n, last_due + one)
    conditions = [column < day_start(last_start + one)]
    if first_due is not None:
        conditions.append(column >= day_start(_last_start(calendar, n, first_due) + one))
    return tuple(conditions)


def _conditions(
    calendar: WorkCalendar, settings: ComplaintSettings, first_due: date | None, last_due: date
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The cases waiting for acceptance, and for closing, due from ``first_due``
    (``None``: any) to ``last_due``."""
    deciding = and_(
        Complaint.status.in_(_DECIDING),
        *_window(Complaint.received_at, calendar, settings.accept_days, first_due, last_due),
    )
    handling = and_(
        Complaint.status.in_(_HANDLING),
        *_window(Complaint.accepted_at, calendar, settings.close_days, first_due, last_due),
    )
    return deciding, handling


def _cases(
    session: DbSession,
    calendar: WorkCalendar,
    settings: ComplaintSettings,
    first_due: date | None,
    last_due: date,
) -> list[Complaint]:
    # two queries, each on its (status, day) index: SQLite's planner would rather scan
    # the whole table in received_at order than sort an OR of the two
    found = [
        c
        for where in _conditions(calendar, settings, first_due, last_due)
        for c in session.scalars(select(Complaint).where(where))
    ]
    return sorted(found, key=lambda c: (c.received_at, c.id))


def overdue(
    session: DbSession, now: datetime, calendar: WorkCalendar, settings: ComplaintSettings
) -> list[Complaint]:
    """Open cases whose pending step (acceptance, closing) was due before today, whole
    (the command line's list shows every field); the pages use :func:`open_cases`."""
    return _cases(session, calendar, settings, None, china_today(now) - timedelta(days=1))


def due_soon(
    session: DbSession,
    now: datetime,
    calendar: WorkCalendar,
    settings: ComplaintSettings,
    within: int = 3,
) -> list[Complaint]:
    """Open cases due today or within the next ``within`` working days (not overdue)."""
    today = china_today(now)
    return _cases(session, calendar, settings, today, calendar.add_working_days(today, within).day)


@dataclass(frozen=True)
class OpenCase:
    """A line of the overdue and due-soon lists: what the lists and
    :func:`case_deadlines` read, nothing of the complainant."""

    id: int
    external_id: str | None
    channel: str
    status: str
    received_at: datetime
    accepted_at: datetime | None
    sector: str
    category: str
    provider_id: int | None
    handler_id: int | None


_OPEN_COLUMNS = tuple(getattr(Complaint, f.name) for f in fields(OpenCase))


def _due_range(
    now: datetime,
    calendar: WorkCalendar,
    due: Literal["overdue", "soon"],
    within: int,
) -> tuple[date | None, date]:
    today = china_today(now)
    if due == "overdue":
        return None, today - timedelta(days=1)
    return today, calendar.add_working_days(today, within).day


def open_cases(
    session: DbSession,
    now: datetime,
    calendar: WorkCalendar,
    settings: ComplaintSettings,
    due: Literal["overdue", "soon"],
    *,
    sectors: Collection[str] | None = None,
    within: int = 3,
    limit: int | None = None,
) -> list[OpenCase]:
    """The cases :func:`overdue` (``due="overdue"``) or :func:`due_soon` finds, of
    ``sectors`` only (``None``: all), as plain rows in the order received; with
    ``limit``, the first ``limit`` of them only (a page: how many there are in all, per
    sector or per handler, is :func:`open_case_counts`).

    The lists of the bureau's pages and dashboard: a select of the columns shown, not
    whole objects (building a million-row table's objects is what made the list slow,
    README "Speed"), each of its two queries on its (status, day) index."""
    first_due, last_due = _due_range(now, calendar, due, within)
    found: list[OpenCase] = []
    deciding, handling = _conditions(calendar, settings, first_due, last_due)
    for where in (deciding, handling):
        query = select(*_OPEN_COLUMNS).where(where)
        if sectors is not None:
            query = query.where(_of_sectors(sectors))
        if limit is not None and where is deciding:
            # read in the order of its (status, received_at) index and cut there; the
            # cases being handled are found on (status, accepted_at) and sorted here:
            # asked to sort them, PostgreSQL walks every case in the order received
            query = query.order_by(Complaint.received_at, Complaint.id).limit(limit)
        found += (OpenCase(*row) for row in session.execute(query))
    found.sort(key=lambda c: (c.received_at, c.id))
    return found if limit is None else found[:limit]


def open_case_counts(
    session: DbSession,
    now: datetime,
    calendar: WorkCalendar,
    settings: ComplaintSettings,
    due: Literal["overdue", "soon"],
    by: Literal["all", "sector", "handler"],
    *,
    sectors: Collection[str] | None = None,
    within: int = 3,
) -> dict[str | int | None, int]:
    """How many cases :func:`open_cases` lists: in all (``{"all": n}``, counted on the
    (status, day) indexes alone: milliseconds at a million complaints), per sector, or
    per handler (its ``handler_id``, ``None`` for no handler).  Per sector or handler,
    the same two indexed queries read the one column counted, so a page of the list and
    its counts never load the whole list; counted here, not by a ``GROUP BY``: grouped,
    SQLite would rather read the whole table in the order of that column's index."""
    first_due, last_due = _due_range(now, calendar, due, within)
    counts: Counter[str | int | None] = Counter()
    for where in _conditions(calendar, settings, first_due, last_due):
        if by == "all":
            query = select(func.count()).select_from(Complaint).where(where)
        else:
            query = select(Complaint.sector if by == "sector" else Complaint.handler_id)
            query = query.where(where)
        if sectors is not None:
            query = query.where(_of_sectors(sectors))
        if by == "all":
            counts["all"] += session.execute(query).scalar_one()
        else:
            counts.update(session.scalars(query))
    return dict(counts)


def _of_sectors(sectors: Collection[str]) -> ColumnElement[bool]:
    """The cases of ``sectors``, as a condition no index is chosen for (``sector || ''``):
    the (status, day) index finds the few open cases, where the sector's index would
    have SQLite read every case of the sector (a million rows: seconds)."""
    return (Complaint.sector + "").in_(list(sectors))


def list_complaints(session: DbSession, status: str | None = None) -> list[Complaint]:
    """Complaints (of one status) in the order received."""
    query: Select = select(Complaint).order_by(Complaint.received_at, Complaint.id)
    if status is not None:
        query = query.where(Complaint.status == status)
    return list(session.scalars(query))
