"""Every indicator with its value and status: entered values, values bound to a sector's
satisfaction index or rate (the numbers of surveyapp/indices), bindings not computed
yet, and the deadline day in China time.  SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.indices import analyse_round, counted_rounds, options_for, settings_from_config
from surveyapp.models import Round
from surveyapp.plans import (
    enter_value,
    load_plan,
    plan_overview,
    plan_status,
    progress,
    trajectory_of,
)
from tests.plans.plan_data import PLAN

PLANS = [load_plan(PLAN, "test-plan.yaml")]

BOUND = """\
id: bound
name: {zh: 绑定, en: Bound}
document: 文件
indicators:
  - id: catering-index
    name: {zh: 餐饮满意度指数, en: Catering index}
    unit: 分
    direction: at_least
    target: {value: 99, deadline: 2099-12-31}
    bureau: 市商务局
    source: {clause: 一}
    bound_to: {kind: satisfaction_index, sector: catering}
  - id: catering-rate
    name: {zh: 餐饮满意率, en: Catering rate}
    unit: "%"
    direction: at_least
    target: {value: 1, deadline: 2099-12-31}
    bureau: 市商务局
    source: {clause: 一}
    bound_to: {kind: satisfaction_rate, sector: catering}
  - id: lodging-index
    name: {zh: 住宿满意度指数, en: Lodging index}
    unit: 分
    direction: at_least
    target: {value: 80, deadline: 2099-12-31}
    bureau: 市商务局
    source: {clause: 一}
    bound_to: {kind: satisfaction_index, sector: lodging}
"""


def _enter(indicator: str, period: str, value: float) -> None:
    enter_value(db.session, PLANS, "bureau-a", plan_id="test-plan", indicator_id=indicator,
                period=period, value=value, note="统计")  # fmt: skip


def _by_id(statuses):
    return {s.indicator.id: s for s in statuses}


def test_status_for_a_period_judges_entered_values_on_its_last_day(app, session, monkeypatch):
    from surveyapp.plans import bound

    monkeypatch.setattr(bound, "_coverage_function", lambda: None)  # no circle module
    _enter("beds", "2023H2", 70.0)  # 2023-12-31: day 365 of 731 -> line at 69.97
    _enter("waiting-days", "2023H2", 25.0)  # at_most: line at 20.03, 25 is behind
    _enter("kindergartens", "2023H2", 50.0)
    _enter("beds", "2024Q1", 10.0)  # another period: not this one's value
    settings = settings_from_config(app.config)
    statuses = _by_id(plan_status(db.session, PLANS, "2023H2", settings=settings, tolerance_pp=5))
    assert {k: s.status for k, s in statuses.items()} == {
        "beds": "on_track",
        "waiting-days": "behind",
        "kindergartens": "no_baseline",
        "satisfaction-catering": "no_data",  # bound, computed: no round in 2023H2
        "circle-breakfast": "not_computed",  # bound to what a missing module computes
    }
    beds = statuses["beds"]
    assert (beds.value, beds.period, beds.source, beds.entered_by) == (
        70.0,
        "2023H2",
        "entered",
        "bureau-a",
    )
    assert beds.progress.expected == pytest.approx(60 + 20 * 365 / 731)
    doc = statuses["circle-breakfast"].to_dict()
    assert (doc["value"], doc["status"], doc["status_zh"]) == (
        None, "not_computed", "尚未计算（其他模块完成后计算）",
    )  # fmt: skip
    assert doc["bound_to"] == {"kind": "circle_coverage", "service_type": "早餐店"}
    assert statuses["satisfaction-catering"].note == "no catering round with responses in 2023H2"
    # the tolerance is the caller's: with 0 pp beds is ahead of its line (70 > 69.97)
    tight = _by_id(plan_status(db.session, PLANS, "2023H2", settings=settings, tolerance_pp=0))
    assert tight["beds"].status == "ahead"
    with pytest.raises(ValueError, match="not a period"):
        plan_status(db.session, PLANS, "2023Q9", settings=settings, tolerance_pp=5)


def test_the_overview_takes_the_latest_value_and_the_deadline_in_china_time(app, session):
    _enter("beds", "2024Q3", 75.0)
    _enter("beds", "2024Q4", 78.0)  # the latest period: judged on 2024-12-31
    _enter("beds", "2024", 77.0)  # the year ends on the same day but starts earlier
    settings = settings_from_config(app.config)

    def beds_at(now: datetime):
        statuses = plan_overview(db.session, PLANS, settings=settings, tolerance_pp=5, now=now)
        return _by_id(statuses)["beds"]

    # 23:59:59 on the deadline day in China is still in time
    in_time = beds_at(datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC))
    assert (in_time.period, in_time.value, in_time.status) == ("2024Q4", 78.0, "behind")
    # 00:00 the next day in China (still 2024-12-31 in UTC): the deadline has passed
    assert beds_at(datetime(2024, 12, 31, 16, 0, tzinfo=UTC)).status == "missed"
    _enter("beds", "2025Q1", 80.0)
    assert beds_at(datetime(2025, 6, 1, tzinfo=UTC)).status == "achieved"


def test_bound_satisfaction_values_are_the_indices_numbers(app, session, demo):
    plans = [load_plan(BOUND, "bound.yaml")]
    settings = settings_from_config(app.config)
    rounds = db.session.scalars(select(Round)).all()
    latest, previous = demo["current"], demo["previous"]
    catering = counted_rounds(db.session, [r for r in rounds if r.period == latest])["catering"]
    expected = analyse_round(db.session, catering, options_for(settings, catering, "sector")).result
    assert expected is not None

    statuses = _by_id(plan_status(db.session, plans, latest, settings=settings, tolerance_pp=5))
    index, rate = statuses["catering-index"], statuses["catering-rate"]
    assert index.value == pytest.approx(expected.index.estimate, abs=1e-12)
    assert rate.value == pytest.approx(expected.satisfaction_rate.estimate, abs=1e-12)
    assert (index.source, index.period, index.small_sample) == ("computed", latest, False)
    assert index.note == f"round {catering.code}, n = {expected.n}"
    assert rate.status == "achieved"  # any rate meets a goal of 1%
    assert (
        index.status
        == progress(trajectory_of(index.indicator), index.value, date(2099, 1, 1)).status
    )

    overview = _by_id(plan_overview(db.session, plans, settings=settings, tolerance_pp=5,
                                    now=datetime.now(UTC)))  # fmt: skip
    assert overview["catering-index"].period == latest
    assert overview["catering-index"].value == index.value
    # an archived round never counts: lodging's latest period falls back to the one before
    for r in rounds:
        if r.questionnaire_version.sector == "lodging" and r.period == latest:
            r.archived_at = datetime.now(UTC)
    db.session.commit()
    overview = _by_id(plan_overview(db.session, plans, settings=settings, tolerance_pp=5,
                                    now=datetime.now(UTC)))  # fmt: skip
    assert (
        overview["lodging-index"].period == previous and overview["lodging-index"].value is not None
    )
    archived = _by_id(plan_status(db.session, plans, latest, settings=settings, tolerance_pp=5))
    assert (archived["lodging-index"].value, archived["lodging-index"].status) == (None, "no_data")


def test_a_longer_period_takes_its_last_surveyed_period(app, session, demo):
    plans = [load_plan(BOUND, "bound.yaml")]
    settings = settings_from_config(app.config)
    latest, previous = demo["current"], demo["previous"]  # quarters, e.g. 2026Q4 and Q3
    quarter = _by_id(plan_status(db.session, plans, latest, settings=settings, tolerance_pp=5))
    year = _by_id(plan_status(db.session, plans, latest[:4], settings=settings, tolerance_pp=5))
    assert year["catering-index"].period == latest
    assert year["catering-index"].value == quarter["catering-index"].value is not None
    before = _by_id(plan_status(db.session, plans, previous, settings=settings, tolerance_pp=5))
    assert before["catering-index"].period == previous
    assert before["catering-index"].value != quarter["catering-index"].value
    empty = _by_id(plan_status(db.session, plans, "2001", settings=settings, tolerance_pp=5))
    assert (empty["catering-index"].value, empty["catering-index"].note) == (
        None, "no catering round with responses in 2001",
    )  # fmt: skip
