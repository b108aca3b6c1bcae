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

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, select

from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.models.base import DbSession
from surveyapp.models.complaint import Complaint
from surveyapp.rounds.dates import china_today, day_start
from surveyapp.workdays import Deadline, WorkCalendar, china_date

__all__ = ["CaseDeadlines", "case_deadlines", "due_soon", "list_complaints", "overdue"]

#: States waiting for the acceptance decision, and for the case to be closed
_DECIDING = ("received",)
_HANDLING = ("accepted", "mediation")


@dataclass(frozen=True)
class CaseDeadlines:
    accept_by: Deadline
    close_by: Deadline | None  # once accepted

    def late(self, complaint: Complaint, today: date) -> bool:
        """The step the case waits for is past its deadline."""
        if complaint.status in _DECIDING:
            return self.accept_by.day < today
        if complaint.status in _HANDLING and self.close_by is not None:
            return self.close_by.day < today
        return False


def case_deadlines(
    complaint: Complaint, calendar: WorkCalendar, settings: ComplaintSettings
) -> CaseDeadlines:
    accept_by = calendar.add_working_days(china_date(complaint.received_at), settings.accept_days)
    close_by = None
    if complaint.accepted_at is not None:
        close_by = calendar.add_working_days(china_date(complaint.accepted_at), settings.close_days)
    return CaseDeadlines(accept_by, close_by)


def _last_start(calendar: WorkCalendar, n: int, before: date) -> date:
    """The last day ``d`` whose deadline ``d + n`` working days falls before ``before``."""
    day = before - timedelta(days=1)
    while calendar.add_working_days(day, n).day >= before:
        day -= timedelta(days=1)
    return day


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


def _cases(
    session: DbSession,
    calendar: WorkCalendar,
    settings: ComplaintSettings,
    first_due: date | None,
    last_due: date,
) -> list[Complaint]:
    deciding = and_(
        Complaint.status.in_(_DECIDING),
        *_window(Complaint.received_at, calendar, settings.accept_days, first_due, last_due),
    )
    handling = and_(
        Complaint.status.in_(_HANDLING),
        *_window(Complaint.accepted_at, calendar, settings.close_days, first_due, last_due),
    )
    # two queries, each on its (status, day) index: SQLite's planner would rather scan
    # the whole table in received_at order than sort an OR of the two
    found = [*session.scalars(select(Complaint).where(deciding)),
             *session.scalars(select(Complaint).where(handling))]  # fmt: skip
    return sorted(found, key=lambda c: (c.received_at, c.id))


def overdue(
    session: DbSession, now: datetime, calendar: WorkCalendar, settings: ComplaintSettings
) -> list[Complaint]:
    """Open cases whose pending step (acceptance, closing) was due before today."""
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


def list_complaints(session: DbSession, status: str | None = None) -> list[Complaint]:
    """Complaints (of one status) in the order received."""
    query: Select = select(Complaint).order_by(Complaint.received_at, Complaint.id)
    if status is not None:
        query = query.where(Complaint.status == status)
    return list(session.scalars(query))
