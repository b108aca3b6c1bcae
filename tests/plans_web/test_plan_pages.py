"""The plan pages: the table with statuses and sparklines, the entry form (the bureau of
the indicator's sector, an administrator), corrections kept and shown, CSRF, the
values file uploaded all or nothing.  SQLite, and PostgreSQL with
SURVEYAPP_TEST_DATABASE_URL."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, PlanValue
from surveyapp.plans import value_history
from tests.plans_web.conftest import LINCANG, PUER, form_post

REVENUE = f"/plans/{PUER}/catering-revenue"  # sectors: [catering]
BEDS_SH = "/plans/shanghai-2025-life-services/elderly-care-beds"  # sectors: [elderly_care]
KINDERGARTEN = f"/plans/{LINCANG}/inclusive-kindergarten-coverage"  # no sector: admins


def _values(app) -> list[tuple[str, str, float, int | None]]:
    with app.app_context():
        rows = db.session.scalars(select(PlanValue).order_by(PlanValue.id))
        return [(r.indicator_id, r.period, r.value, r.supersedes_id) for r in rows]


def test_the_plans_and_a_plan_page_for_every_staff_role(app, as_role):
    for role in ("admin", "evaluator", "bureau", "viewer"):
        client = as_role(role)
        index = client.get("/plans/")
        assert index.status_code == 200
        html = index.get_data(as_text=True)
        assert "2023年生活性服务业质量提升行动方案" in html and "规划指标" in html
        page = client.get(f"/plans/{PUER}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        # every indicator of the plan, with its target and deadline
        assert html.count("<tr>") == 1 + 19
        assert "全市餐饮业总收入" in html and "≥ 50 亿元" in html and "2020-12-31" in html
        assert html.count('<svg class="plan-spark"') == 19 - (role == "bureau") * 5
    assert as_role("admin").get("/plans/no-such-plan").status_code == 404
    assert app.test_client().get("/plans/").status_code == 302  # sign in first


def test_a_bureau_enters_and_corrects_its_sectors_value_and_the_history_stays(app, as_role):
    client = as_role("bureau")  # catering
    reply = form_post(client, REVENUE, {"period": "2020", "value": "48.5", "note": "统计公报"})
    assert reply.status_code == 302 and reply.location.endswith(REVENUE)
    assert "已保存" in client.get(REVENUE).get_data(as_text=True)
    reply = form_post(
        client, REVENUE, {"period": "2020", "value": "51", "note": "统计公报（更正）"}
    )
    assert reply.status_code == 302
    assert _values(app)[1][1:] == ("2020", 51.0, _values(app)[0][3] or 1)
    with app.app_context():
        history = value_history(db.session, PUER, "catering-revenue", "2020")
        assert [(r.value, r.note, r.entered_by) for r in history] == [
            (48.5, "统计公报", "shangwu"), (51.0, "统计公报（更正）", "shangwu"),
        ]  # fmt: skip
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions[-2:] == ["plan_value.enter", "plan_value.correct"]
    html = client.get(REVENUE).get_data(as_text=True)
    assert "<del>48.5</del>" in html and "统计公报（更正）" in html
    # the plan page: the corrected value is the latest, 51 ≥ 50: achieved
    page = client.get(f"/plans/{PUER}").get_data(as_text=True)
    row = re.search(r"全市餐饮业总收入.*?</tr>", page, re.S).group(0)
    assert "51 亿元" in row and "已实现" in row and "<circle" in row


def test_the_form_says_what_is_wrong_and_stores_nothing(app, as_role):
    client = as_role("bureau")
    for data, words in (
        ({"period": "2020Q5", "value": "1", "note": "x"}, "期间有误"),
        ({"period": "2020", "value": "abc", "note": "x"}, "数值有误"),
        ({"period": "2020", "value": "1", "note": " "}, "来源说明有误"),
    ):
        reply = form_post(client, REVENUE, data)
        assert reply.status_code == 400
        assert words in reply.get_data(as_text=True)
    # without the CSRF token: refused
    assert (
        client.post(REVENUE, data={"period": "2020", "value": "1", "note": "x"}).status_code == 400
    )
    assert _values(app) == []


def test_only_the_indicators_own_bureau_or_an_admin_enters_it(app, as_role, elderly_bureau):
    from tests.auth.helpers import sign_in_as

    catering = as_role("bureau")
    data = {"period": "2025", "value": "170000", "note": "民政局统计"}
    page = catering.get(BEDS_SH).get_data(as_text=True)
    assert 'name="value"' not in page and "由其他责任部门填报" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', catering.get("/plans/values/upload")
                     .get_data(as_text=True)).group(1)  # fmt: skip
    assert catering.post(BEDS_SH, data={"csrf_token": csrf, **data}).status_code == 403
    minzheng = app.test_client()
    sign_in_as(app, minzheng, elderly_bureau)
    assert form_post(minzheng, BEDS_SH, data).status_code == 302
    assert (
        form_post(minzheng, KINDERGARTEN, {**data, "value": "80"}, page=BEDS_SH).status_code == 403
    )
    assert form_post(as_role("admin"), KINDERGARTEN, {**data, "value": "80"}).status_code == 302
    assert form_post(as_role("viewer"), BEDS_SH, data).status_code == 403
    # a bound indicator takes no entered value, not even an admin's
    bound = f"/plans/{PUER}/satisfaction-catering"
    assert form_post(as_role("admin"), bound, data, page=KINDERGARTEN).status_code == 403
    assert [(v[0], v[2]) for v in _values(app)] == [
        ("elderly-care-beds", 170000.0), ("inclusive-kindergarten-coverage", 80.0),
    ]  # fmt: skip


def _upload(client, text: str, name: str = "values.csv", encoding: str = "utf-8"):
    return form_post(
        client,
        "/plans/values/upload",
        {"file": (io.BytesIO(text.encode(encoding)), name)},
        content_type="multipart/form-data",
    )


def test_a_values_file_is_stored_whole_or_not_at_all(app, as_role):
    client = as_role("bureau")
    good = (
        "方案,指标,期间,数值,来源说明\n"
        f"{PUER},catering-revenue,2019,40,统计公报\n"
        f"{PUER},catering-enterprises-above-size,2020,12,统计局\n"
    )
    bad = good + f"{PUER},catering-revenue,2020Q9,x,\n"
    reply = _upload(client, bad)
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert "未保存任何数值" in html and "row 4, column 期间" in html
    assert _values(app) == []
    # a row of another bureau's indicator: refused, nothing stored
    other = good + "shanghai-2025-life-services,elderly-care-beds,2025,1,x\n"
    reply = _upload(client, other, encoding="gbk")
    assert reply.status_code == 403 and "row 4" in reply.get_data(as_text=True)
    assert _values(app) == []
    reply = _upload(client, good, encoding="gbk")
    assert reply.status_code == 302
    assert "已导入 2 行：新增 2，更正 0，未变 0" in client.get("/plans/").get_data(as_text=True)
    assert [(v[0], v[1], v[2]) for v in _values(app)] == [
        ("catering-revenue", "2019", 40.0), ("catering-enterprises-above-size", "2020", 12.0),
    ]  # fmt: skip
    with app.app_context():
        imported = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "plan_value.import")
        ).one()
        assert imported.actor == "shangwu" and imported.details["entered"] == 2
    assert _upload(client, "").status_code == 400
    assert as_role("viewer").get("/plans/values/upload").status_code == 403


def test_a_bureau_does_not_see_another_sectors_satisfaction(app, as_role):
    html = as_role("bureau").get(f"/plans/{PUER}").get_data(as_text=True)
    elderly = re.search(r"健康养老服务公众满意度.*?</tr>", html, re.S).group(0)
    assert "不可见" in elderly and "<svg" not in elderly
    catering = re.search(r"餐饮服务公众满意度.*?</tr>", html, re.S).group(0)
    assert "不可见" not in catering


def test_the_plan_page_in_english(as_role):
    html = as_role("admin").get(f"/plans/{PUER}?lang=en").get_data(as_text=True)
    assert "Total revenue of the city&#39;s catering trade" in html
    assert "no data" in html and "Latest value" in html  # no value entered
