"""Working days by the official calendar: holidays, make-up days, the edge of the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from surveyapp.workdays import (
    CalendarError,
    china_date,
    default_calendar,
    load_calendar,
    read_year,
)

#: The State Council's 2026 arrangement (notice of 2025-11-04), as printed: days off as
#: ranges and the make-up working days.
NOTICE_2026 = (
    [("01-01", "01-03"), ("02-15", "02-23"), ("04-04", "04-06"), ("05-01", "05-05"),
     ("06-19", "06-21"), ("09-25", "09-27"), ("10-01", "10-07")],
    ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
)  # fmt: skip


@pytest.fixture(scope="module")
def cal():
    return default_calendar()


def test_the_shipped_years_and_their_notices(cal):
    assert cal.years == {2024, 2025, 2026} and cal.last_year == 2026
    assert all("State Council" in note for note in cal.notes.values())
    # 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, six make-up days (the notice of 2025-11-04)
    off_2026 = {d for d in cal.days_off if d.year == 2026}
    assert len(off_2026) == 33 and len({d for d in cal.make_up if d.year == 2026}) == 6


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
    # received on the last working day before National Day 2026 (Wednesday 30 Sept.):
    # 1-7 October off, 8 and 9 (1, 2), Saturday 10 a make-up day (3), 12-15 (4..7)
    assert cal.add_working_days(date(2026, 9, 30), 7).day == date(2026, 10, 15)
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


def test_a_count_past_the_last_loaded_year_skips_weekends_only_and_is_provisional(cal):
    # Thursday 2026-12-24: 25, 28, 29, 30, 31 December, 1 January 2027 (not known to be
    # a day off until the 2027 arrangement is loaded), 4 January
    deadline = cal.add_working_days(date(2026, 12, 24), 7)
    assert deadline.provisional and deadline.day == date(2027, 1, 4)
    assert not cal.add_working_days(date(2026, 12, 1), 7).provisional


def test_loading_next_years_file_makes_the_deadline_final(tmp_path, cal):
    (tmp_path / "cn-holidays-2027.csv").write_text(
        "# a 2027 arrangement (as an administrator would load it)\n"
        "date,kind,holiday\n2027-01-01,holiday,元旦\n",
        encoding="utf-8",
    )
    loaded = load_calendar(tmp_path)
    deadline = loaded.add_working_days(date(2026, 12, 24), 7)
    assert deadline == type(deadline)(date(2027, 1, 5), provisional=False)


def test_the_shipped_2026_file_is_the_notice():
    shipped = read_year(
        (
            Path(__file__).resolve().parents[2] / "surveyapp/workdays/data/cn-holidays-2026.csv"
        ).read_text(encoding="utf-8"),
        "shipped",
    )
    ranges, make_up = NOTICE_2026
    off = set()
    for first, last in ranges:
        day, end = date.fromisoformat(f"2026-{first}"), date.fromisoformat(f"2026-{last}")
        while day <= end:
            off.add(day)
            day += timedelta(days=1)
    assert shipped.days_off == off
    assert shipped.make_up == {date.fromisoformat(f"2026-{d}") for d in make_up}


def test_the_china_date_of_a_stored_utc_time():
    # 16:30 UTC on Dec 31 is already New Year's Day in Beijing
    assert china_date(datetime(2025, 12, 31, 16, 30, tzinfo=UTC)) == date(2026, 1, 1)
    with pytest.raises(ValueError):
        china_date(datetime(2026, 1, 1))


HEAD = "# test\ndate,kind,holiday\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no header line"),
        ("# x\ndate,kind\n2027-01-01,holiday\n", "row 2: missing column holiday"),
        (HEAD + "2027-02-30,holiday,春节\n", "row 3, column date: '2027-02-30' is not a date"),
        (HEAD + "2027-02-06,off,春节\n", "row 3, column kind: 'off' is not holiday or workday"),
        (
            HEAD + "2027-01-01,holiday,元旦\n\n2027-01-01,holiday,元旦\n",
            "row 5, column date: 2027-01-01 is already on row 3",
        ),
        (HEAD + "2027-02-03,workday,春节\n", "row 3, column date: 2027-02-03 is a weekday"),
        (HEAD + "2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", "dates of 2 years"),
    ],
)
def test_a_malformed_calendar_file_is_refused_naming_row_and_column(text, message):
    with pytest.raises(CalendarError, match=message):
        read_year(text, "cn-holidays-2027.csv")
