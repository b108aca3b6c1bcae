"""The calendar files and the arithmetic; see :mod:`surveyapp.workdays`."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from surveyapp.i18n import CHINA_TZ

SHIPPED = Path(__file__).with_name("data")
PATTERN = "cn-holidays-*.csv"
COLUMNS = ("date", "kind", "holiday")
KINDS = ("holiday", "workday")


class CalendarError(ValueError):
    """A calendar file is malformed: the message names the file, row and column."""


@dataclass(frozen=True)
class Deadline:
    """The last day (a China-time date) on which something is due.

    ``provisional`` is true when the count ran past the last year of the loaded
    calendar: weekends only were skipped there, and the day may move once that year's
    arrangement is loaded.
    """

    day: date
    provisional: bool = False


@dataclass(frozen=True)
class YearFile:
    """One year's arrangement as read from its file."""

    year: int
    days_off: frozenset[date]
    make_up: frozenset[date]
    note: str  # the file's first comment line: which notice it is


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and make-up working days of the loaded years."""

    days_off: frozenset[date]
    make_up: frozenset[date]
    years: frozenset[int]
    notes: dict[int, str]

    @property
    def last_year(self) -> int | None:
        return max(self.years) if self.years else None

    def known(self, day: date) -> bool:
        """The official arrangement of ``day``'s year is loaded."""
        return day.year in self.years

    def is_workday(self, day: date) -> bool:
        if day in self.make_up:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n = 0`` is ``start``.  Received on the last working day before a seven-day
        holiday, the first working day counted is the one after the holiday.
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


def read_year(text: str, name: str) -> YearFile:
    """One calendar file: ``date,kind,holiday`` rows, ``#`` lines are comments.

    ``kind`` is ``holiday`` (a day off, weekend days inside a holiday block included)
    or ``workday`` (a make-up working day, which falls on a Saturday or Sunday).  Every
    date is of one year; a date appears once.  Errors name the file's own line number.
    """
    lines = text.lstrip("\ufeff").splitlines()
    note = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("#")), "")
    data = [(i, ln) for i, ln in enumerate(lines, start=1) if ln.strip() and not ln.startswith("#")]
    if not data:
        raise CalendarError(f"{name}: no header line date,kind,holiday")
    head_line, head = data[0]
    header = [h.strip() for h in next(csv.reader([head]))]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CalendarError(f"{name}, row {head_line}: missing column {', '.join(missing)}")
    at = {c: header.index(c) for c in COLUMNS}
    seen: dict[date, int] = {}
    off: set[date] = set()
    work: set[date] = set()
    for line_no, line in data[1:]:  # one row a line: the file's own line numbers
        cells = next(csv.reader([line]))
        where = f"{name}, row {line_no}"
        cells = [c.strip() for c in cells] + [""] * len(header)
        try:
            day = date.fromisoformat(cells[at["date"]])
        except ValueError:
            raise CalendarError(
                f"{where}, column date: {cells[at['date']]!r} is not a date (YYYY-MM-DD)"
            ) from None
        kind = cells[at["kind"]]
        if kind not in KINDS:
            raise CalendarError(f"{where}, column kind: {kind!r} is not holiday or workday")
        if day in seen:
            raise CalendarError(f"{where}, column date: {day} is already on row {seen[day]}")
        seen[day] = line_no
        if kind == "workday" and day.weekday() < 5:
            raise CalendarError(
                f"{where}, column date: {day} is a weekday; a make-up working day "
                "falls on a Saturday or Sunday"
            )
        (off if kind == "holiday" else work).add(day)
    years = {d.year for d in seen}
    if len(years) != 1:
        raise CalendarError(f"{name}: dates of {len(years)} years; a file holds one year")
    return YearFile(years.pop(), frozenset(off), frozenset(work), note)


def combine(files: Iterable[YearFile]) -> WorkCalendar:
    """One calendar from year files; a later file for the same year replaces an earlier
    one (an administrator's file over the shipped one)."""
    by_year = {f.year: f for f in files}
    return WorkCalendar(
        frozenset(d for f in by_year.values() for d in f.days_off),
        frozenset(d for f in by_year.values() for d in f.make_up),
        frozenset(by_year),
        {y: f.note for y, f in by_year.items()},
    )


def load_calendar(*folders: Path | str) -> WorkCalendar:
    """Every ``cn-holidays-YYYY.csv`` of the shipped folder, then of ``folders`` in
    order (so a year an administrator loaded wins)."""
    files = []
    for folder in (SHIPPED, *folders):
        for path in sorted(Path(folder).glob(PATTERN)):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CalendarError(f"{path.name}: cannot be read ({exc})") from exc
            files.append(read_year(text, path.name))
    return combine(files)


@cache
def default_calendar() -> WorkCalendar:
    """The shipped calendar, read once per process."""
    return load_calendar()
