"""The complaint pages: the form, the receipt and status, handling, masking, roles, CSRF."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models.complaint import Complaint
from tests.complaints_web.conftest import sign_in

GOOD = {
    "provider_name": "某餐馆",
    "sector": "catering",
    "category": "价格",
    "description": "结账时多收了二十元",
    "amount": "20",
    "complainant_name": "张三丰",
    "complainant_phone": "13812345678",
}


def test_form_errors_are_shown_and_nothing_stored(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    page = client.post("/complaints/new", data={"amount": "abc"})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "此项必填" in html and "请填写金额" in html and "请选择经营者或填写经营者名称" in html
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None


def test_receipt_and_status_show_no_personal_data(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    page = client.post("/complaints/new", data=GOOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = re.search(r'id="receipt">([^<]+)<', html).group(1)
    assert "张三丰" not in html and "13812345678" not in html
    status = client.post("/complaints/status", data={"code": code.lower()})
    text = status.get_data(as_text=True)
    assert status.status_code == 200 and "待受理" in text
    assert "张三丰" not in text and "1381234" not in text and "多收" not in text
    assert client.post("/complaints/status", data={"code": "AAAA-BBBB-CCCC"}).status_code == 404
    with app.app_context():
        stored = db.session.scalar(select(Complaint))
        assert stored.channel == "web" and stored.complainant_phone == "13812345678"


def test_provider_preselected_and_search(app, client, provider):
    app.config["WTF_CSRF_ENABLED"] = False
    assert "普洱茶楼" in client.get(f"/complaints/new?provider={provider}").get_data(as_text=True)
    found = client.post("/complaints/new", data={"provider_q": "茶楼", "search": "1"})
    assert found.status_code == 200 and f'value="{provider}"' in found.get_data(as_text=True)


def test_csrf_refused(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.post("/complaints/new", data=GOOD)
    assert page.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None


def test_contact_masked_except_for_the_handler(app, client, make_user, make_case):
    app.config["WTF_CSRF_ENABLED"] = False
    handler = make_user("chen", "bureau", sectors=["catering"])
    other = make_user("li", "bureau", sectors=["catering"])
    case = make_case()
    sign_in(app, client, other)
    page = client.get(f"/complaints/cases/{case}").get_data(as_text=True)
    assert "张**" in page and "138****5678" in page and "13812345678" not in page
    assert (
        client.post(f"/complaints/cases/{case}/assign", data={"handler": handler}).status_code
        == 303
    )
    assert "13812345678" not in client.get(f"/complaints/cases/{case}").get_data(as_text=True)
    listing = client.get("/complaints/cases").get_data(as_text=True)
    assert "13812345678" not in listing and "张三丰" not in listing
    sign_in(app, client, handler)
    mine = client.get(f"/complaints/cases/{case}").get_data(as_text=True)
    assert "张三丰" in mine and "13812345678" in mine


def test_steps_through_the_state_machine_and_illegal_ones_refused(
    app, client, make_user, make_case
):
    app.config["WTF_CSRF_ENABLED"] = False
    user = make_user("chen", "bureau", sectors=["catering"])
    case = make_case()
    sign_in(app, client, user)
    url = f"/complaints/cases/{case}/step"
    assert client.post(url, data={"to": "mediation"}).status_code == 400  # not yet accepted
    assert client.post(url, data={"to": "accepted"}).status_code == 303
    assert (
        client.post(url, data={"to": "closed", "outcome": "和解成功", "note": "退款"}).status_code
        == 400
    )
    assert client.post(url, data={"to": "mediation"}).status_code == 303
    assert (
        client.post(url, data={"to": "closed", "outcome": "和解成功", "note": "退款"}).status_code
        == 303
    )
    with app.app_context():
        row = db.session.get(Complaint, case)
        assert row.status == "closed" and [e.actor for e in row.events][-1] == "chen"


def test_sector_and_role_checks(app, client, make_user, make_case):
    app.config["WTF_CSRF_ENABLED"] = False
    case = make_case(sector="lodging")
    sign_in(app, client, make_user("chen", "bureau", sectors=["catering"]))
    assert client.get(f"/complaints/cases/{case}").status_code == 403
    assert client.post(f"/complaints/cases/{case}/step", data={"to": "accepted"}).status_code == 403
    assert str(case) not in client.get("/complaints/cases").get_data(as_text=True).split("<h2>")[-1]
    viewer = app.test_client()
    sign_in(app, viewer, make_user("view", "viewer"))
    assert viewer.get("/complaints/cases").status_code == 403


def test_honeypot_refused_and_thank_you_page_links_here(app, client, make_round):
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/complaints/new", data={**GOOD, "website": "x"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None
    code = make_round("catering", code="cat-cmp")
    thanks = client.get(f"/s/{code}/thanks").get_data(as_text=True)
    assert 'href="/complaints/new"' in thanks


def test_pages_in_english(app, client):
    page = client.get("/complaints/new?lang=en").get_data(as_text=True)
    assert "Consumer complaint" in page and "Send the complaint" in page


def test_admins_warned_from_november_until_next_years_calendar(app, client, make_user):
    from datetime import date

    from surveyapp.complaints import ComplaintSettings
    from surveyapp.complaints.handling import calendar_missing

    calendar = ComplaintSettings().calendar()
    last = calendar.last_year
    assert calendar_missing(calendar, date(last, 10, 31)) is None
    assert calendar_missing(calendar, date(last, 11, 1)) == last + 1
    assert calendar_missing(calendar, date(last - 1, 11, 1)) is None  # next year is loaded
    sign_in(app, client, make_user("root", "admin"))
    page = client.get("/complaints/cases").get_data(as_text=True)
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.dates import china_today

    expected = calendar_missing(calendar, china_today(utcnow()))
    if expected is None:
        assert "节假日安排尚未载入" not in page
    else:
        assert f"{expected} 年的节假日安排尚未载入" in page


def test_assigning_a_handler_is_in_the_history_and_audit_log(app, client, make_user, make_case):
    from surveyapp.models import AuditLog

    app.config["WTF_CSRF_ENABLED"] = False
    handler = make_user("chen", "bureau", sectors=["catering"])
    stranger = make_user("su", "bureau", sectors=["lodging"])
    case = make_case()
    sign_in(app, client, make_user("eva", "evaluator"))
    refused = client.post(f"/complaints/cases/{case}/assign", data={"handler": stranger})
    assert refused.status_code == 400  # not of the case's sector
    assert (
        client.post(f"/complaints/cases/{case}/assign", data={"handler": handler}).status_code
        == 303
    )
    with app.app_context():
        row = db.session.get(Complaint, case)
        assert row.handler_id == handler and row.events[-1].note == "handler: chen"
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "complaint.assign"))
        assert audit.actor == "eva"


def test_the_case_lists_show_a_page_of_the_oldest_with_every_case_counted(
    app, client, make_user, make_case, monkeypatch
):
    """A million complaints never load whole: each deadline list shows its oldest cases
    and counts them all, and the per-handler table counts every case, listed or not."""
    from surveyapp.complaints_web import routes

    monkeypatch.setattr(routes, "CASE_PAGE", 2)
    app.config["WTF_CSRF_ENABLED"] = False
    chen = make_user("chen", "bureau", sectors=["catering"])
    cases = [make_case(days_ago=40 - i) for i in range(5)]  # all past the 7-day decision
    sign_in(app, client, chen)
    for case in cases[1:4]:
        assert (
            client.post(f"/complaints/cases/{case}/assign", data={"handler": chen}).status_code
            == 303
        )
    page = client.get("/complaints/cases").get_data(as_text=True)
    overdue = page.split("<h2>已超期 (5)</h2>")[1].split("<h2>")[0]
    assert "仅列出最早的 2 件（共 5 件）。" in overdue
    listed = [int(i) for i in re.findall(r"/complaints/cases/(\d+)\"", overdue)]
    assert listed == cases[:2]  # the oldest two, oldest first
    per_handler = page.split("按承办人统计")[1].split("</table>")[0]
    assert "<td>chen</td><td>3</td><td>0</td>" in per_handler
    assert "<td>未指定</td><td>2</td><td>0</td>" in per_handler
