"""Deadlines in working days by the official calendar, its 调休 and its last year."""

from __future__ import annotations

from datetime import date

import pytest

from surveyapp.complaints import ComplaintSettings, case_deadlines
from surveyapp.config import load_config
from surveyapp.models import Complaint
from surveyapp.workdays import default_calendar
from tests.complaints.conftest import china


def _deadlines(received, accepted=None, settings=None):
    complaint = Complaint(received_at=received, accepted_at=accepted, status="received")
    return case_deadlines(complaint, default_calendar(), settings or ComplaintSettings())


def test_received_on_the_last_working_day_before_national_day():
    # 2026-09-30 (Wed) is the last working day before 1-7 October; 10 October (Sat) is a
    # make-up working day: 8, 9, 10, 12, 13, 14, 15 October are the seven working days.
    found = _deadlines(china(2026, 9, 30, 16, 45)).accept_by
    assert found.day == date(2026, 10, 15) and not found.provisional


def test_the_day_of_receipt_is_the_china_day():
    # 23:30 on 30 September in China is 15:30 UTC: still the 30th
    assert _deadlines(china(2026, 9, 30, 23, 30)).accept_by.day == date(2026, 10, 15)
    # 00:30 on 1 October (a holiday): counting starts after the holiday as well
    assert _deadlines(china(2026, 10, 1, 0, 30)).accept_by.day == date(2026, 10, 15)
    # the 29th: the 30th is the first working day, then 8, 9, 10, 12, 13, 14
    assert _deadlines(china(2026, 9, 29, 9, 0)).accept_by.day == date(2026, 10, 14)


def test_a_make_up_sunday_counts_and_mid_autumn_does_not():
    # Fri 18 Sep: Sun 20 Sep is worked (调休), 21-24, Mid-Autumn 25-27 off, 28, 29
    assert _deadlines(china(2026, 9, 18, 10, 0)).accept_by.day == date(2026, 9, 29)


def test_close_by_counts_45_working_days_after_the_day_of_acceptance():
    found = _deadlines(china(2026, 9, 30, 10, 0), china(2026, 10, 15, 9, 0)).close_by
    assert found is not None and found.day == date(2026, 12, 17) and not found.provisional
    assert _deadlines(china(2026, 9, 30, 10, 0)).close_by is None  # not accepted yet


def test_the_numbers_of_days_are_settings():
    config = load_config(
        {"SURVEYAPP_COMPLAINT_ACCEPT_DAYS": "3", "SURVEYAPP_COMPLAINT_CLOSE_DAYS": "1"}
    )
    settings = ComplaintSettings.from_config(config)
    assert (settings.accept_days, settings.close_days) == (3, 1)
    found = _deadlines(china(2026, 9, 30, 10, 0), china(2026, 10, 9, 9, 0), settings)
    assert found.accept_by.day == date(2026, 10, 10)  # 8, 9, 10 (make-up Saturday)
    assert found.close_by is not None and found.close_by.day == date(2026, 10, 10)


def test_the_settings_are_read_once_and_anew_when_a_value_changes():
    config = {"COMPLAINT_ACCEPT_DAYS": 3, "COMPLAINT_CATEGORIES": "价格,其他"}
    first = ComplaintSettings.from_config(config)
    assert ComplaintSettings.from_config(dict(config)) is first  # the same values: not re-read
    config["COMPLAINT_CATEGORIES"] = ["价格", "合同"]
    changed = ComplaintSettings.from_config(config)
    assert (changed.accept_days, changed.categories) == (3, ("价格", "合同"))
    config["COMPLAINT_ACCEPT_DAYS"] = 4
    assert ComplaintSettings.from_config(config).accept_days == 4
    with pytest.raises(ValueError, match="accept_days"):  # a bad value is refused every time
        ComplaintSettings.from_config({"COMPLAINT_ACCEPT_DAYS": -1})
    with pytest.raises(ValueError, match="accept_days"):
        ComplaintSettings.from_config({"COMPLAINT_ACCEPT_DAYS": -1})


def test_past_the_last_loaded_year_the_deadline_is_provisional_until_the_year_is_loaded(
    tmp_path,
):
    # 2027 is not shipped: weekends only are skipped there, and the day is marked
    found = _deadlines(china(2026, 12, 28, 10, 0)).accept_by
    assert found.provisional and found.day == date(2027, 1, 6)  # 29, 30, 31, 1, 4, 5, 6
    # an administrator loads 2027 (1-3 January off): the same case is due a day later
    (tmp_path / "cn-holidays-2027.csv").write_text(
        "# test arrangement\ndate,kind,holiday\n2027-01-01,holiday,元旦\n", encoding="utf-8"
    )
    config = load_config({"SURVEYAPP_HOLIDAYS_DIR": str(tmp_path)})
    settings = ComplaintSettings.from_config(config)
    complaint = Complaint(received_at=china(2026, 12, 28, 10, 0), status="received")
    loaded = case_deadlines(complaint, settings.calendar(), settings).accept_by
    assert loaded.day == date(2027, 1, 7) and not loaded.provisional


@pytest.mark.parametrize(
    "config, message",
    [
        ({"COMPLAINT_ACCEPT_DAYS": -1}, "accept_days"),
        ({"COMPLAINT_PUBLISH_OUTCOMES": "和解成功,撤诉"}, "撤诉"),
        ({"COMPLAINT_CATEGORIES": " , "}, "no category"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(config, message):
    with pytest.raises(ValueError, match=message):
        ComplaintSettings.from_config(config)
