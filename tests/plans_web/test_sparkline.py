"""The sparkline: values at their periods' last days against the baseline-to-target line."""

from __future__ import annotations

import re
from datetime import date

from surveyapp.plans import SeriesPoint, load_plan
from surveyapp.plans_web.sparkline import sparkline
from tests.plans.plan_data import PLAN

PLAN_ = load_plan(PLAN, "test-plan.yaml")


def _svg(indicator_id: str, points):
    indicator = PLAN_.indicator(indicator_id)
    assert indicator is not None
    return str(sparkline(indicator, points, label="养老床位", number=lambda v: f"{v:g}"))


def test_the_line_runs_from_baseline_to_target_and_the_points_sit_on_their_days():
    # beds: baseline 60 on 2022-12-31, target 80 on 2024-12-31 (731 days)
    points = [SeriesPoint("2023H2", date(2023, 12, 31), 70.0),
              SeriesPoint("2024", date(2024, 12, 31), 80.0)]  # fmt: skip
    svg = _svg("beds", points)
    line = re.search(r'<line class="plan-spark-line" x1="([\d.]+)" y1="([\d.]+)" '
                     r'x2="([\d.]+)" y2="([\d.]+)"', svg)  # fmt: skip
    assert line is not None
    assert tuple(map(float, line.groups())) == (3.0, 33.0, 117.0, 3.0)
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    # 365 of 731 days along, halfway up: 70 lies on the line
    assert [(float(x), float(y)) for x, y in circles] == [(round(3 + 114 * 365 / 731, 1), 18.0),
                                                         (117.0, 3.0)]  # fmt: skip
    assert "<polyline" in svg and "<title>养老床位: 2023H2 70; 2024 80</title>" in svg


def test_without_a_baseline_the_target_is_a_level_and_no_values_says_so():
    svg = _svg("kindergartens", [])
    assert 'class="plan-spark-target"' in svg and "<circle" not in svg
    assert "<title>养老床位: —</title>" in svg
    assert "<script" not in _svg("kindergartens", [SeriesPoint("<script>", date(2024, 1, 1), 1)])
