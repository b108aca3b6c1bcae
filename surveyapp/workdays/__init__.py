"""Working days by China's official holiday calendar (法定节假日 and 调休).

Deadlines of the supervision system are counted in working days: a complaint must be
accepted or refused within 7 working days of the day it was received, and handled
within 45 working days of acceptance (the numbers are settings of their own).  A
working day is Monday to Friday, minus the days off the State Council announces each
year, plus its make-up working days (a Saturday or Sunday worked in exchange).

The calendar is data (``cn_calendar.yaml``, one block per year with its notice);
:class:`WorkCalendar` does the arithmetic.  The next year's notice comes out in the
autumn: a count that runs past the last year in the file uses Monday to Friday less
the statutory days off on fixed dates, and says so (:attr:`Deadline.provisional`),
rather than guessing the lunar holidays.
"""

from __future__ import annotations

from surveyapp.workdays.calendar import (
    CalendarError,
    Deadline,
    WorkCalendar,
    china_date,
    default_calendar,
    load_calendar,
)

__all__ = [
    "CalendarError",
    "Deadline",
    "WorkCalendar",
    "china_date",
    "default_calendar",
    "load_calendar",
]
