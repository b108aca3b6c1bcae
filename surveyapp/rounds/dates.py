"""A round's dates: typed and shown as China days, stored as UTC instants.

One rule for the admin pages, the command line and the API:

* a person types and reads days in China time (:data:`surveyapp.i18n.CHINA_TZ`);
* a round opens at 00:00:00 of its first day and its closing day is **inclusive**: it
  takes answers until 23:59:59 of that day, China time;
* the database keeps ``opens_at`` (the first instant) and ``closes_at`` (the first
  instant *after* the closing day, i.e. 00:00 China time of the next day) in UTC, so
  ``opens_at <= now < closes_at`` is "open" (:meth:`surveyapp.models.Round.state`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from surveyapp.i18n import CHINA_TZ

__all__ = [
    "DateError",
    "china_today",
    "closes_after",
    "day_start",
    "first_day",
    "last_day",
    "parse_day",
    "parse_instant",
    "period_days",
]

_DAY_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


class DateError(ValueError):
    """Text that is not a date (or a time) a person could mean; the message says which."""


def day_start(day: date) -> datetime:
    """00:00 of ``day`` in China, as a UTC instant (the first instant of an opening day)."""
    return datetime.combine(day, time(0, 0), tzinfo=CHINA_TZ).astimezone(UTC)


def closes_after(last: date) -> datetime:
    """The stored ``closes_at`` of a round whose closing day is ``last`` (inclusive):
    00:00 China time of the next day, in UTC."""
    return day_start(last + timedelta(days=1))


def first_day(opens_at: datetime) -> date:
    """The China day a round opens on."""
    return opens_at.astimezone(CHINA_TZ).date()


def last_day(closes_at: datetime) -> date:
    """The closing day a person reads (inclusive): the China day of the last instant
    before ``closes_at``."""
    return (closes_at - timedelta(microseconds=1)).astimezone(CHINA_TZ).date()


def china_today(now: datetime) -> date:
    return now.astimezone(CHINA_TZ).date()


def parse_day(raw: str | None) -> date | None:
    """``2026-10-01`` (also ``2026/10/1``, ``2026.10.1``) → a date; ``None`` when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    match = _DAY_RE.match(text)
    if match is None:
        raise DateError(f"{text!r} is not a date like 2026-10-01")
    return _day(match, text)


def _day(match: re.Match[str], text: str) -> date:
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise DateError(f"{text!r} is not a date of the calendar") from None


def parse_instant(raw: str | None, *, closing: bool) -> datetime | None:
    """What the command line's ``--opens`` / ``--closes`` mean, as a UTC instant.

    A day (``2026-12-31``) is a China day: an opening day starts at its 00:00, a
    closing day is included to its 23:59:59 (``closing=True``).  A time of day
    (``2026-12-31T18:00``, or with an offset ``…+08:00``) is that instant; without an
    offset it is China time.  ``None`` when empty.
    """
    text = (raw or "").strip()
    if not text:
        return None
    match = _DAY_RE.match(text)
    if match is not None:
        day = _day(match, text)
        return closes_after(day) if closing else day_start(day)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DateError(
            f"{text!r} is not a date like 2026-07-01 or a time like 2026-07-01T08:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHINA_TZ)
    return parsed.astimezone(UTC)


def period_days(period: str) -> tuple[date, date] | None:
    """First and last day of a period (``2026Q4``, ``2026M09``, ``2026H1``, ``2026``);
    ``None`` for text that is not a period."""
    match = re.fullmatch(r"(\d{4})(?:Q([1-4])|M(0[1-9]|1[0-2])|H([12]))?", period)
    if match is None:
        return None
    year = int(match.group(1))
    if match.group(2):
        first_month, months = 3 * int(match.group(2)) - 2, 3
    elif match.group(3):
        first_month, months = int(match.group(3)), 1
    elif match.group(4):
        first_month, months = 6 * int(match.group(4)) - 5, 6
    else:
        first_month, months = 1, 12
    first = date(year, first_month, 1)
    end_month = first_month + months
    after = date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)
