"""The status rule: the straight line from baseline to target, its tolerance edges in
both directions, the deadline day, a target past its date, no baseline, no data."""

from __future__ import annotations

from datetime import date

import pytest

from surveyapp.plans import STATUSES, Trajectory, progress

# at_least: 60 on 2023-01-01 to 80 by 2024-12-31 (730 days); halfway (2024-01-01,
# day 365) the line expects exactly 70, and 5 points of the span of 20 are 1.0.
UP = Trajectory("at_least", 80, date(2024, 12, 31), 60, date(2023, 1, 1))
# at_most: 30 down to 10 over the same days; halfway the line expects 20.
DOWN = Trajectory("at_most", 10, date(2024, 12, 31), 30, date(2023, 1, 1))
HALFWAY = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (71.01, "ahead"),  # just above +5 pp
        (71.0, "on_track"),  # exactly +5 pp: the edge is on track
        (70.0, "on_track"),
        (69.0, "on_track"),  # exactly -5 pp
        (68.99, "behind"),  # just below -5 pp
        (80.0, "achieved"),
        (95.0, "achieved"),
    ],
)
def test_at_least_tolerance_edges(value, status):
    result = progress(UP, value, HALFWAY)
    assert result.status == status
    if status != "achieved":
        assert result.expected == 70.0
        assert result.gap_pp == pytest.approx((value - 70) / 20 * 100)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (18.99, "ahead"),  # lower is better: below the line by more than 1.0
        (19.0, "on_track"),
        (21.0, "on_track"),
        (21.01, "behind"),
        (10.0, "achieved"),
        (9.5, "achieved"),
        (10.01, "ahead"),  # not yet the target, far ahead of the line
    ],
)
def test_at_most_tolerance_edges(value, status):
    result = progress(DOWN, value, HALFWAY)
    assert result.status == status
    if status != "achieved":
        assert result.expected == 20.0
        assert result.gap_pp == pytest.approx((20 - value) / 20 * 100)


@pytest.mark.parametrize(
    ("tolerance", "value", "status"),
    [
        (0, 70.0, "on_track"),  # no tolerance: only the line itself
        (0, 70.01, "ahead"),
        (0, 69.99, "behind"),
        (10, 72.0, "on_track"),  # 10 pp of 20 = 2.0
        (10, 72.01, "ahead"),
        (10, 68.0, "on_track"),
        (10, 67.99, "behind"),
        (2.5, 70.5, "on_track"),
        (2.5, 70.51, "ahead"),
    ],
)
def test_the_tolerance_is_a_setting(tolerance, value, status):
    assert progress(UP, value, HALFWAY, tolerance_pp=tolerance).status == status


def test_decimal_values_on_an_edge_are_judged_exactly():
    # 0.1 + 0.2 style trouble: line 0.3 -> 0.7 halfway 0.5; 5 pp of 0.4 = 0.02
    line = Trajectory("at_least", 0.7, date(2024, 12, 31), 0.3, date(2023, 1, 1))
    assert progress(line, 0.52, HALFWAY).status == "on_track"
    assert progress(line, 0.48, HALFWAY).status == "on_track"
    assert progress(line, 0.4799, HALFWAY).status == "behind"


def test_the_line_at_its_ends_and_outside():
    assert progress(UP, 60.0, date(2023, 1, 1)).expected == 60.0
    assert progress(UP, 60.0, date(2022, 6, 30)).expected == 60.0  # before the baseline
    assert progress(UP, 79.0, date(2024, 12, 31)).expected == 80.0
    assert progress(UP, 79.0, date(2024, 12, 31)).status == "on_track"  # -1.0 = -5 pp


def test_the_deadline_day_itself_is_in_time_the_next_is_not():
    assert progress(UP, 78.0, date(2024, 12, 31)).status == "behind"
    assert progress(UP, 78.0, date(2025, 1, 1)).status == "missed"
    assert progress(UP, 80.0, date(2025, 1, 1)).status == "achieved"
    assert progress(DOWN, 12.0, date(2025, 1, 1)).status == "missed"
    # a value of an earlier period, asked about after the deadline
    assert progress(UP, 75.0, HALFWAY, as_of=date(2024, 12, 31)).status == "ahead"
    assert progress(UP, 75.0, HALFWAY, as_of=date(2025, 1, 1)).status == "missed"


def test_a_target_past_its_date_when_the_plan_carries_it():
    # the 2020 15-minute-circle target of the 2023 plan, judged for 2023
    carried = Trajectory("at_least", 100, date(2020, 12, 31))
    assert progress(carried, 96.0, date(2023, 12, 31)).status == "missed"
    assert progress(carried, 100.0, date(2023, 12, 31)).status == "achieved"
    assert progress(carried, None, date(2023, 12, 31)).status == "no_data"


def test_without_baseline_no_line_until_the_deadline():
    line = Trajectory("at_least", 85, date(2025, 12, 31))
    result = progress(line, 70.0, date(2025, 6, 30))
    assert (result.status, result.expected, result.gap_pp) == ("no_baseline", None, None)
    assert progress(line, 70.0, date(2025, 12, 31)).status == "no_baseline"
    assert progress(line, 70.0, date(2026, 1, 1)).status == "missed"
    assert progress(line, 86.0, date(2025, 6, 30)).status == "achieved"


def test_no_value_is_no_data_whatever_the_date():
    assert progress(UP, None, HALFWAY).status == "no_data"
    assert progress(UP, None, date(2030, 1, 1)).status == "no_data"


def test_a_baseline_already_at_the_target_leaves_no_span():
    flat = Trajectory("at_least", 100, date(2025, 12, 31), 100, date(2023, 1, 1))
    assert progress(flat, 100.0, HALFWAY).status == "achieved"
    assert progress(flat, 99.0, HALFWAY).status == "behind"


def test_every_status_has_chinese_and_english_words():
    assert STATUSES["achieved"][0] == "已实现"
    assert STATUSES["ahead"][0] == "快于预期"
    assert STATUSES["on_track"][0] == "基本符合预期"
    assert STATUSES["behind"][0] == "滞后"
    assert STATUSES["missed"][0] == "未按期实现"
    assert STATUSES["no_baseline"][0] == "无基线"
    assert STATUSES["no_data"][0] == "无数据"
    assert progress(UP, 70.0, HALFWAY).zh == "基本符合预期"
    assert progress(UP, 70.0, HALFWAY).en == "on track"


def test_a_negative_tolerance_is_refused():
    with pytest.raises(ValueError, match="tolerance"):
        progress(UP, 70.0, HALFWAY, tolerance_pp=-1)
