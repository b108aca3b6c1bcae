"""Creating a round on /admin/rounds/new: the stored round, the audit row, every refusal."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from surveyapp.admin.service import district_options
from surveyapp.extensions import db
from surveyapp.models import AuditLog, QuestionnaireVersion, Round
from tests.admin.conftest import csrf


@pytest.fixture
def version(app, publish):
    """The published catering version: (id, its districts)."""
    version_id = publish("catering")
    with app.app_context():
        return version_id, district_options(db.session.get(QuestionnaireVersion, version_id))


def _form(admin, version_id, **fields):
    url = f"/admin/rounds/new?version={version_id}"
    data = {"csrf_token": csrf(admin, url), "version": str(version_id), "period": "2026Q4"}
    data.update(fields)
    return data


def _rounds(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Round))


def _audits(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_choose_a_questionnaire_then_the_form(admin, version):
    version_id, districts = version
    pick = admin.get("/admin/rounds/new").get_data(as_text=True)
    assert f'name="version" value="{version_id}"' in pick and "catering" in pick
    page = admin.get(f"/admin/rounds/new?version={version_id}").get_data(as_text=True)
    # every district of the questionnaire offered and ticked by default
    for d in districts:
        assert re.search(rf'name="districts" value="{d}" checked', page), d
    assert admin.get("/admin/rounds/new?version=999").status_code == 404


def test_create_round(app, admin, version):
    version_id, districts = version
    data = _form(
        admin,
        version_id,
        code="",
        opens="2026-10-01",
        closes="2026-12-31",
        districts=districts[:2],
        default_target="200",
        require_token="y",
        **{"target-0": "400", "target-5": "999"},  # a target of an unticked district is ignored
    )
    reply = admin.post("/admin/rounds/new", data=data)
    assert reply.status_code == 302
    assert reply.headers["Location"].endswith("/admin/rounds/catering-2026q4")
    assert "已创建调查轮次 catering-2026q4" in admin.get(reply.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        r = db.session.scalars(select(Round)).one()
        assert (r.code, r.period, r.status, r.require_token) == (
            "catering-2026q4",
            "2026Q4",
            "open",
            True,
        )
        assert r.districts == districts[:2]
        assert r.targets == {districts[0]: 400, districts[1]: 200}
        # local (China) days: opens at midnight of Oct 1, closes after Dec 31
        assert r.opens_at == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
        assert r.closes_at == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    (row,) = _audits(app, "round.create")
    assert (row.actor, row.target) == ("admin-user", "round:catering-2026q4")
    assert row.details["targets"] == {districts[0]: 400, districts[1]: 200}
    listing = admin.get("/admin/rounds").get_data(as_text=True)
    assert "catering-2026q4" in listing and f"{districts[0]}: 0 / 400" in listing


def test_defaults_are_the_quarter_and_every_district(app, admin, version):
    version_id, districts = version
    data = _form(admin, version_id, code="cat-defaults", districts=districts)
    assert admin.post("/admin/rounds/new", data=data).status_code == 302
    with app.app_context():
        r = db.session.scalars(select(Round)).one()
        assert r.districts == districts and r.targets == {} and r.require_token is False
        # the quarter's first and last day in China: 00:00 Oct 1 to 23:59:59 Dec 31
        assert (r.opens_at, r.closes_at) == (
            datetime(2026, 9, 30, 16, 0, tzinfo=UTC),
            datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
        )


def test_one_date_alone_takes_the_other_from_the_period(app, admin, version):
    version_id, districts = version
    data = _form(admin, version_id, code="cat-from", districts=districts, opens="2026-12-01")
    assert admin.post("/admin/rounds/new", data=data).status_code == 302
    with app.app_context():
        r = db.session.scalars(select(Round)).one()
        assert (r.opens_at, r.closes_at) == (
            datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
            datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
        )


BAD = [
    # (fields, the field the error is next to, Chinese, English)
    ({"period": ""}, "period", "此项为必填项", "This is required"),
    ({"period": "2026Q5"}, "period", "监测期“2026Q5”格式不对", "must look like 2026Q3"),
    ({"code": "a b"}, "code", "只能包含字母、数字", "may use only letters"),
    ({"code": "taken"}, "code", "已被另一轮调查使用", "exists already"),
    ({"opens": "2026-13-01", "closes": "2026-12-31"}, "opens", "须为日期", "Must be a date"),
    (
        {"opens": "2026-12-01", "closes": "2026-11-30"},
        "closes",
        "结束日期不能早于开始日期",
        "must not be before",
    ),
    ({"opens": "2027-01-05"}, "closes", "结束日期不能早于开始日期", "must not be before"),
    ({"districts": []}, "districts", "至少选择一个区县", "Choose at least one district"),
    (
        {"districts": ["火星区"]},
        "districts",
        "不是问卷 catering 的区县选项",
        "is not a district of",
    ),
    ({"target-0": "abc"}, "target-0", "须为 1 到 10,000,000 之间的整数", "whole number from 1"),
    ({"default_target": "0"}, "default_target", "须为 1 到 10,000,000", "whole number from 1"),
]


@pytest.mark.parametrize(("fields", "field", "zh", "en"), BAD, ids=[b[1] + ":" + b[3] for b in BAD])
def test_each_bad_field_is_named_next_to_it(app, admin, version, make_round, fields, field, zh, en):
    version_id, districts = version
    make_round("catering", code="taken")
    data = _form(admin, version_id, districts=districts)
    data.update(fields)
    reply = admin.post("/admin/rounds/new", data=data)
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="{field}-error-1"[^>]*>(.*?)</p>', page, re.S)
    assert error, f"no error next to {field}"
    assert zh in error.group(1) and en in error.group(1)
    assert error.group(1).index(zh) < error.group(1).index(en)  # Chinese first
    assert re.search(rf'aria-describedby="{field}-error-1 "', page)
    assert _rounds(app) == 1  # only the fixture's round: nothing half-written
    assert _audits(app, "round.create") == []


def test_several_errors_are_shown_at_once(app, admin, version):
    version_id, districts = version
    data = _form(admin, version_id, period="Q4", code="!", districts=districts, default_target="x")
    page = admin.post("/admin/rounds/new", data=data).get_data(as_text=True)
    for field in ("period", "code", "default_target"):
        assert f'id="{field}-error-1"' in page
    assert "表单有 3 处需要修改" in page and "3 entries need attention" in page
    assert 'value="x"' in page  # what was typed is kept


def test_unknown_version_is_refused(app, admin, version):
    data = _form(admin, version[0])
    data["version"] = "12345"
    reply = admin.post("/admin/rounds/new", data=data)
    assert reply.status_code == 400 and "所选问卷版本不存在或未发布" in reply.get_data(as_text=True)
    assert _rounds(app) == 0
