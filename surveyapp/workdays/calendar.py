"""The calendar's data and arithmetic; see :mod:`surveyapp.workdays`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from surveyapp.i18n import CHINA_TZ

DATA = Path(__file__).with_name("cn_calendar.yaml")

#: Statutory days off on fixed solar dates (《全国年节及纪念日放假办法》: 元旦 1 January,
#: 劳动节 1-2 May, 国庆节 1-3 October).  They are kept off in a year the calendar does not
#: cover yet; the lunar holidays and the make-up days of such a year are not known.
FIXED_DAYS_OFF = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


class CalendarError(ValueError):
    """The calendar file is malformed: the message names the year and the entry."""


@dataclass(frozen=True)
class Deadline:
    """The last day (a China-time date) on which something is due.

    ``provisional`` is true when the count ran past the last year of the official
    calendar: Monday to Friday were counted, less the statutory days off on fixed dates
    (:data:`FIXED_DAYS_OFF`), and the day may move once that year's holidays and make-up
    days are announced.
    """

    day: date
    provisional: bool = False


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and make-up working days of the years ``first_year``..``last_year``."""

    days_off: frozenset[date]
    make_up: frozenset[date]
    first_year: int
    last_year: int
    sources: dict[int, str]

    def known(self, day: date) -> bool:
        """The official calendar covers ``day``'s year."""
        return self.first_year <= day.year <= self.last_year

    def is_workday(self, day: date) -> bool:
        if not self.known(day):
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_DAYS_OFF
        if day in self.make_up:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n = 0`` is ``start``.  Received on a Friday before a seven-day holiday, the
        first working day counted is the one after the holiday.
        """
        if n < 0:
            raise ValueError("n must be zero or more")
        day, counted = start, 0
        provisional = not self.known(start)
        while counted < n:
            day += timedelta(days=1)
            provisional = provisional or not self.known(day)
            if self.is_workday(day):
                counted += 1
        return Deadline(day, provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        days, day = 0, start
        while day < end:
            day += timedelta(days=1)
            days += self.is_workday(day)
        return days


def china_date(moment: datetime) -> date:
    """The date in China of an aware time (a stored UTC time, say)."""
    if moment.tzinfo is None:
        raise ValueError("a naive time has no date in China: give it a time zone")
    return moment.astimezone(CHINA_TZ).date()


def _day(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise CalendarError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def _parse(data: Any, origin: str) -> WorkCalendar:
    years = data.get("years") if isinstance(data, dict) else None
    if not isinstance(years, dict) or not years:
        raise CalendarError(f"{origin}: no 'years' block")
    days_off: set[date] = set()
    make_up: set[date] = set()
    sources: dict[int, str] = {}
    for year, block in years.items():
        where = f"{origin}: year {year}"
        if not isinstance(year, int) or not isinstance(block, dict):
            raise CalendarError(f"{where}: a year is a number with a block under it")
        if not str(block.get("source") or "").strip():
            raise CalendarError(f"{where}: 'source' (the notice) is missing")
        sources[year] = str(block["source"])
        for k, entry in enumerate(block.get("days_off") or [], start=1):
            if not isinstance(entry, list) or len(entry) != 2:
                raise CalendarError(f"{where}: days_off entry {k} is not [first, last]")
            first, last = (_day(v, f"{where}, days_off entry {k}") for v in entry)
            if last < first or first.year != year or last.year != year:
                raise CalendarError(
                    f"{where}: days_off entry {k} ({first}..{last}) is not a range in {year}"
                )
            days_off.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        for k, value in enumerate(block.get("make_up_workdays") or [], start=1):
            day = _day(value, f"{where}, make_up_workdays entry {k}")
            if day.year != year or day.weekday() < 5 or day in days_off:
                raise CalendarError(
                    f"{where}: make-up working day {day} must be a Saturday or Sunday of "
                    f"{year} outside the days off"
                )
            make_up.add(day)
    ordered = sorted(years)
    if ordered != list(range(ordered[0], ordered[-1] + 1)):
        raise CalendarError(f"{origin}: the years must follow one another (found {ordered})")
    return WorkCalendar(frozenset(days_off), frozenset(make_up), ordered[0], ordered[-1], sources)


def load_calendar(path: Path | str = DATA) -> WorkCalendar:
    """Read and check a calendar file (see ``cn_calendar.yaml`` for its shape)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarError(f"{path.name}: cannot be read ({exc})") from exc
    return _parse(data, path.name)


@cache
def default_calendar() -> WorkCalendar:
    """The shipped calendar, read once per process."""
    return load_calendar(DATA)
