"""Working days by China's official holiday calendar (法定节假日 and 调休).

Deadlines of the supervision system are counted in working days: a complaint must be
accepted or refused within 7 working days of the day it was received, and handled
within 45 working days of acceptance (the numbers are settings of their own).  A
working day is Monday to Friday, minus the days off the State Council announces each
year, plus its make-up working days (a Saturday or Sunday worked in exchange).

The calendar is data: one file a year, ``cn-holidays-YYYY.csv`` (``date,kind,holiday``;
``kind`` is ``holiday`` for a day off or ``workday`` for a make-up working day; ``#``
lines are comments), shipped in ``data/`` and loadable by an administrator without a
release, since the State Council publishes the next year's arrangement each November.
:class:`WorkCalendar` does the arithmetic.  A count that runs past the last loaded year
skips weekends only there and says so (:attr:`Deadline.provisional`).
"""

from __future__ import annotations

from surveyapp.workdays.calendar import (
    CalendarError,
    Deadline,
    WorkCalendar,
    YearFile,
    china_date,
    combine,
    default_calendar,
    load_calendar,
    read_year,
)

__all__ = [
    "CalendarError",
    "Deadline",
    "WorkCalendar",
    "YearFile",
    "china_date",
    "combine",
    "default_calendar",
    "load_calendar",
    "read_year",
]
