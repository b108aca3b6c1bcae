"""Bindings computed from the registry, the complaints and the 15-minute circle: open
providers on a period's last day, the mediation rate under the publicity's rule, the
coverage (today's, from surveyapp.circle.stored); no number made up when there is none.
Runs on SQLite and, with SURVEYAPP_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from surveyapp.extensions import db
from surveyapp.indices import settings_from_config
from surveyapp.models import Provider
from surveyapp.models.base import utcnow
from surveyapp.models.complaint import Complaint
from surveyapp.plans import Binding, bound_value, latest_bound_value, load_plan
from surveyapp.plans import bound as bound_module
from surveyapp.plans.report import plan_status
from surveyapp.rounds.dates import china_today
from tests.complaints.conftest import credit_code


def _provider(n, types, sectors, *, opened=None, closed=None, merged=None):
    row = Provider(credit_code=credit_code(n), name=f"店{n}", district="思茅区",
                   service_types=types, status="closed" if closed else "open",
                   opened_on=opened, closed_on=closed, merged_into_id=merged)  # fmt: skip
    row.sectors = sectors
    db.session.add(row)
    db.session.flush()
    return row


def test_provider_count_on_the_periods_last_day(app, session):
    settings = settings_from_config(app.config)
    first = _provider(1, ["便利店", "早餐店"], ["supermarket"], opened=date(2024, 1, 1))
    _provider(2, ["早餐店"], ["catering"], opened=date(2025, 3, 1))
    _provider(3, ["早餐店"], ["catering"], opened=date(2024, 1, 1), closed=date(2025, 6, 30))
    _provider(4, ["早餐店"], ["catering"], merged=first.id)  # a merged duplicate: not counted
    db.session.commit()
    breakfast = Binding("provider_count", service_type="早餐店")
    counts = {p: bound_value(db.session, breakfast, settings, p).value
              for p in ("2024Q4", "2025Q1", "2025Q2", "2025Q3")}  # fmt: skip
    # 2025Q2 ends on 2025-06-30, the day shop 3 closed: no longer open that day
    assert counts == {"2024Q4": 2.0, "2025Q1": 3.0, "2025Q2": 2.0, "2025Q3": 2.0}
    catering = Binding("provider_count", sector="catering", service_type="早餐店")
    assert bound_value(db.session, catering, settings, "2025Q1").value == 2.0
    latest = latest_bound_value(db.session, Binding("provider_count"), settings)
    assert latest.value == 2.0 and "open on" in latest.note


def _complaint(n, *, outcome, closed, sector="catering", accepted=True):
    at = datetime(*closed, 12, tzinfo=UTC)
    db.session.add(Complaint(
        receipt_hash=f"{n:064d}", channel="web", received_at=at, sector=sector,
        category="价格", description="x", status="closed", outcome=outcome, closed_at=at,
        accepted_at=at if accepted else None,
    ))  # fmt: skip


def test_mediation_rate_under_the_publicity_rule(app, session):
    settings = settings_from_config(app.config)
    _complaint(1, outcome="和解成功", closed=(2025, 2, 3))
    _complaint(2, outcome="和解成功", closed=(2025, 2, 4))
    _complaint(3, outcome="未达成和解", closed=(2025, 3, 5))
    _complaint(4, outcome="终止", closed=(2025, 3, 6))  # not a published outcome
    _complaint(5, outcome="和解成功", closed=(2025, 3, 7), accepted=False)  # never accepted
    _complaint(6, outcome="未达成和解", closed=(2025, 3, 8), sector="lodging")
    _complaint(7, outcome="和解成功", closed=(2025, 4, 1))  # the next quarter
    db.session.commit()
    every = Binding("complaints_mediation_rate")
    q1 = bound_value(db.session, every, settings, "2025Q1")
    assert q1.value == pytest.approx(50.0) and q1.note == "complaints: 2 settled of 4"
    catering = Binding("complaints_mediation_rate", sector="catering")
    assert bound_value(db.session, catering, settings, "2025Q1").value == pytest.approx(200 / 3)
    assert bound_value(db.session, every, settings, "2025").value == pytest.approx(60.0)
    none = bound_value(db.session, every, settings, "2024")
    assert none.value is None and none.note == "no complaint closed in 2024"


def test_circle_coverage_today_only_and_not_computed_without_the_module(app, session, monkeypatch):
    settings = settings_from_config(app.config)
    asked = []

    def share(session, service_type, district=None):
        asked.append(service_type)
        return 0.875

    monkeypatch.setattr(bound_module, "_coverage_function", lambda: share)
    binding = Binding("circle_coverage", service_type="早餐店")
    today = china_today(utcnow())
    now = bound_value(db.session, binding, settings, str(today.year))
    assert now.value == pytest.approx(87.5) and asked == ["早餐店"]
    past = bound_value(db.session, binding, settings, "2020")
    assert past.value is None and "today only" in past.note and asked == ["早餐店"]
    monkeypatch.setattr(bound_module, "_coverage_function", lambda: None)
    assert bound_value(db.session, binding, settings, str(today.year)) is None
    plan = load_plan(
        "id: p\nname: {zh: 方案, en: Plan}\ndocument: 文件\nindicators:\n"
        "  - id: c\n    name: {zh: 覆盖率, en: Coverage}\n    unit: '%'\n"
        "    direction: at_least\n    target: {value: 100, deadline: 2030-12-31}\n"
        "    bureau: 市商务局\n    source: {clause: 一}\n"
        "    bound_to: {kind: circle_coverage, service_type: 早餐店}\n",
        "p.yaml",
    )
    status = plan_status(db.session, [plan], str(today.year), settings=settings, tolerance_pp=5)
    assert status[0].status == "not_computed"


def test_the_real_coverage_module_answers_none_without_communities(app, session):
    binding = Binding("circle_coverage", service_type="早餐店")
    found = latest_bound_value(db.session, binding, settings_from_config(app.config))
    assert found is not None and found.value is None
    assert found.note == "no communities imported for the 15-minute circle"
