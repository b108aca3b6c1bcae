"""Working days by the official calendar: holidays, make-up days, the edge of the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from surveyapp.workdays import CalendarError, china_date, default_calendar, load_calendar


@pytest.fixture(scope="module")
def cal():
    return default_calendar()


def test_the_shipped_years_and_their_notices(cal):
    assert (cal.first_year, cal.last_year) == (2024, 2026)
    assert all("国务院办公厅" in source for source in cal.sources.values())


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (date(2026, 2, 16), False),  # 春节, a Monday
        (date(2026, 2, 14), True),  # make-up Saturday before 春节
        (date(2026, 2, 28), True),  # make-up Saturday after
        (date(2026, 2, 24), True),  # first Tuesday back
        (date(2026, 10, 8), True),  # 国庆 ends on the 7th in 2026
        (date(2025, 10, 8), False),  # and on the 8th in 2025 (with 中秋)
        (date(2026, 12, 5), False),  # an ordinary Saturday
        (date(2024, 6, 10), False),  # 端午 2024, a Monday
        (date(2024, 4, 7), True),  # make-up Sunday
    ],
)
def test_working_days(cal, day, works):
    assert cal.is_workday(day) is works


def test_seven_working_days_after_receipt_skip_a_holiday_and_count_make_up_days(cal):
    # received Friday 2026-02-13: the 14th (Saturday) is a make-up working day (1),
    # 15th-23rd are 春节 days off, then 24, 25, 26, 27 (2..5), 28 a make-up Saturday (6),
    # March 2 the seventh
    deadline = cal.add_working_days(date(2026, 2, 13), 7)
    assert deadline.day == date(2026, 3, 2) and not deadline.provisional
    # an ordinary week: received Monday, due the Wednesday after next
    assert cal.add_working_days(date(2026, 11, 2), 7).day == date(2026, 11, 11)
    # received on a day off: the count starts the day after, as for any day
    assert cal.add_working_days(date(2026, 10, 3), 1).day == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 11, 2), 0).day == date(2026, 11, 2)


def test_forty_five_working_days_and_the_count_back(cal):
    start = date(2026, 9, 1)
    due = cal.add_working_days(start, 45).day
    assert cal.working_days_between(start, due) == 45
    assert cal.working_days_between(start, due - timedelta(days=1)) == 44
    # brute force: the same count by walking the days one by one
    walked, day = 0, start
    while walked < 45:
        day += timedelta(days=1)
        walked += cal.is_workday(day)
    assert day == due


def test_a_count_past_the_last_published_year_is_provisional(cal):
    # Thursday 2026-12-24: 25, 28, 29, 30, 31 December, then New Year's Day 2027 (a
    # Friday, a statutory day off on a fixed date even before the 2027 notice), 4 and 5
    # January
    deadline = cal.add_working_days(date(2026, 12, 24), 7)
    assert deadline.provisional and deadline.day == date(2027, 1, 5)
    assert not cal.is_workday(date(2027, 10, 1)) and cal.is_workday(date(2027, 2, 8))
    assert not cal.add_working_days(date(2026, 12, 1), 7).provisional


def test_the_china_date_of_a_stored_utc_time():
    # 16:30 UTC on Dec 31 is already New Year's Day in Beijing
    assert china_date(datetime(2025, 12, 31, 16, 30, tzinfo=UTC)) == date(2026, 1, 1)
    with pytest.raises(ValueError):
        china_date(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("years: {}", "no 'years' block"),
        ("years:\n  2027:\n    days_off: []\n", "'source'"),
        (
            "years:\n  2027:\n    source: x\n    days_off:\n      - [2027-02-10, 2027-02-01]\n",
            "days_off entry 1",
        ),
        (
            "years:\n  2027:\n    source: x\n    make_up_workdays: [2027-02-03]\n",
            "must be a Saturday or Sunday",
        ),
        (
            "years:\n  2027:\n    source: x\n  2029:\n    source: y\n",
            "must follow one another",
        ),
        (
            "years:\n  2027:\n    source: x\n    days_off:\n      - [soon, 2027-02-01]\n",
            "not a date",
        ),
    ],
)
def test_a_malformed_calendar_is_refused_naming_the_entry(tmp_path, text, message):
    path = tmp_path / "cal.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError, match=message):
        load_calendar(path)
