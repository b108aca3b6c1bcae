"""A provider explains its own publicity line; staff match free-text complaints to the
registry.  Roles, CSRF, audit, masking, and the PDF only once approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider
from surveyapp.models.complaint import Complaint, ComplaintExplanation, PublicityEdition
from tests.auth import helpers
from tests.complaints_web.conftest import sign_in


@pytest.fixture
def provider_user(app):
    from surveyapp.accounts.service import create_user

    def _make(username: str, provider_id: int) -> int:
        with app.app_context():
            user, _ = create_user(db.session, username, "provider", helpers.PASSWORD,
                                  provider_id=provider_id, must_change_password=False)  # fmt: skip
            db.session.commit()
            return user.id

    return _make


@pytest.fixture
def other_provider(app) -> int:
    from tests.complaints.conftest import credit_code

    with app.app_context():
        row = Provider(credit_code=credit_code(8), name="思茅宾馆", district="思茅区",
                       service_types=[], status="open")  # fmt: skip
        row.sectors = ["lodging"]
        db.session.add(row)
        db.session.commit()
        return row.id


def _key(app, provider_id: int) -> str:
    with app.app_context():
        return db.session.get(Provider, provider_id).key


@pytest.fixture
def month(app, make_case, provider):
    """One case of ``provider`` settled this month; the month (2026-12 …)."""
    from surveyapp.complaints import transition
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.dates import china_today

    case = make_case(days_ago=2, provider_id=provider)
    now = utcnow()
    with app.app_context():
        row = db.session.get(Complaint, case)
        transition(db.session, row, "accepted", "t", at=now - timedelta(days=1))
        transition(db.session, row, "mediation", "t", at=now - timedelta(hours=2))
        transition(db.session, row, "closed", "t", outcome="和解成功", note="退款", at=now)
        db.session.commit()
    today = china_today(now)
    return f"{today.year}-{today.month:02d}"


def _explanations(app) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [
            (e.provider_id, e.text, e.added_by)
            for e in db.session.scalars(select(ComplaintExplanation))
        ]


def test_a_provider_explains_its_own_line(
    app, client, make_user, provider, provider_user, month, pdf_text
):
    app.config["WTF_CSRF_ENABLED"] = False
    key = _key(app, provider)
    sign_in(app, client, provider_user("chalou", provider))
    # the publicity page links the provider's own line to its page
    page = client.get(f"/complaints/publicity?period={month}").get_data(as_text=True)
    url = f"/complaints/publicity/providers/{key}/explanation"
    assert f'href="{url}?period={month}"' in page
    own = client.get(f"{url}?period={month}")
    assert own.status_code == 200 and "100.0%" in own.get_data(as_text=True)
    said = "已为顾客全额退款，联系电话 13900001111"
    answer = client.post(url, data={"period": month, "text": said})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(
        f"{url}?period={month}"
    )
    assert _explanations(app) == [(provider, said, "chalou")]
    with app.app_context():
        audit = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "complaint.explanation")
        )
        assert audit.target == f"provider:{key}" and audit.details["period"] == month
    # on the web at once, masked; pending review
    own = client.get(f"{url}?period={month}").get_data(as_text=True)
    assert "已为顾客全额退款" in own and "13900001111" not in own and "尚待审核" in own
    anonymous = app.test_client()  # the public page, signed out
    page = anonymous.get(f"/complaints/publicity?period={month}").get_data(as_text=True)
    assert "已为顾客全额退款" in page and "13900001111" not in page
    # a PDF edition prints it only once approved by staff
    sign_in(app, client, make_user("eva", "evaluator"))
    assert client.post("/complaints/publicity/publish",
                       data={"period": month, "lang": "zh"}).status_code == 303  # fmt: skip
    with app.app_context():
        first = db.session.scalar(select(PublicityEdition))
        first_text, number = " ".join(pdf_text(first.pdf)), first.edition
        explanation_id = db.session.scalar(select(ComplaintExplanation.id))
    assert "普洱茶楼" in first_text and "全额退款" not in first_text
    decided = client.post(f"/complaints/publicity/explanations/{explanation_id}/decide",
                          data={"decision": "approved"})  # fmt: skip
    assert decided.status_code == 303
    again = client.post("/complaints/publicity/publish",
                        data={"period": month, "lang": "zh", "replaces": str(number)})  # fmt: skip
    assert again.status_code == 303
    with app.app_context():
        newest = db.session.scalars(
            select(PublicityEdition).order_by(PublicityEdition.edition.desc())
        ).first()
        text = " ".join(pdf_text(newest.pdf))
    assert "已为顾客全额退款" in text and "13900001111" not in text and "张三丰" not in text


def test_a_provider_cannot_explain_another_providers_line(
    app, client, provider, other_provider, provider_user, month
):
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(app, client, provider_user("binguan", other_provider))
    theirs = f"/complaints/publicity/providers/{_key(app, provider)}/explanation"
    assert client.get(f"{theirs}?period={month}").status_code == 403
    assert client.post(theirs, data={"period": month, "text": "不是我们的错"}).status_code == 403
    nobody = "/complaints/publicity/providers/91530800MA0000000X/explanation"
    assert client.post(nobody, data={"period": month, "text": "x"}).status_code == 404
    # its own page: no line this month, so nothing to explain
    own = f"/complaints/publicity/providers/{_key(app, other_provider)}/explanation"
    page = client.get(f"{own}?period={month}")
    assert page.status_code == 200 and "该月的公示中没有贵单位" in page.get_data(as_text=True)
    refused = client.post(own, data={"period": month, "text": "我们没有投诉"})
    assert refused.status_code == 400 and "无需说明" in refused.get_data(as_text=True)
    assert _explanations(app) == []


@pytest.mark.parametrize("role", ["admin", "evaluator", "bureau", "viewer"])
def test_other_roles_cannot_use_the_providers_page(app, client, make_user, provider, month, role):
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(app, client, make_user("u", role, sectors=["catering"] if role == "bureau" else None))
    url = f"/complaints/publicity/providers/{_key(app, provider)}/explanation"
    assert client.get(f"{url}?period={month}").status_code == 403
    assert client.post(url, data={"period": month, "text": "x"}).status_code == 403
    assert _explanations(app) == []


def test_bad_input_and_csrf(app, client, provider, provider_user, month):
    url = f"/complaints/publicity/providers/{_key(app, provider)}/explanation"
    sign_in(app, client, provider_user("chalou", provider))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(url, data={"period": month, "text": "已退款"}).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    empty = client.post(url, data={"period": month, "text": "   "})
    assert empty.status_code == 400 and "请填写说明" in empty.get_data(as_text=True)
    long = client.post(url, data={"period": month, "text": "长" * 1001})
    assert long.status_code == 400
    bad = client.post(url, data={"period": "October", "text": "已退款"})
    assert bad.status_code == 400 and "请填写月份，如 2026-10" in bad.get_data(as_text=True)
    assert _explanations(app) == []
    assert client.get(f"{url}?period=nonsense").status_code == 404


# --- matching free-text complaints ---------------------------------------------------


@pytest.fixture
def free_case(app, make_case) -> int:
    case = make_case(days_ago=3)  # provider named as free text: 某餐馆
    with app.app_context():
        row = db.session.get(Complaint, case)
        row.provider_name = "普洱茶楼(思茅店)"
        db.session.commit()
    return case


def test_staff_match_a_free_text_complaint(app, client, make_user, provider, other_provider,
                                           free_case):  # fmt: skip
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(app, client, make_user("chen", "bureau", sectors=["catering"]))
    listed = client.get("/complaints/unmatched").get_data(as_text=True)
    assert "普洱茶楼(思茅店)" in listed and f"/complaints/cases/{free_case}/match" in listed
    page = client.get(f"/complaints/cases/{free_case}/match").get_data(as_text=True)
    suggested = page.split("名称相近的经营者", 2)[-1].split("搜索经营者")[0]
    assert "普洱茶楼" in suggested and "思茅宾馆" not in suggested
    assert "13812345678" not in page and "张三丰" not in page
    key = _key(app, provider)
    by_code = client.get(f"/complaints/cases/{free_case}/match?q={key.lower()}")
    assert f'value="{provider}"' in by_code.get_data(as_text=True).split("搜索结果")[-1]
    by_name = client.get(f"/complaints/cases/{free_case}/match?q=宾馆").get_data(as_text=True)
    assert "思茅宾馆" in by_name.split("搜索结果")[-1]
    nothing = client.get(f"/complaints/cases/{free_case}/match?q=火星").get_data(as_text=True)
    assert "没有找到“火星”" in nothing
    assert client.post(f"/complaints/cases/{free_case}/match", data={}).status_code == 400
    assert client.post(f"/complaints/cases/{free_case}/match",
                       data={"provider_id": "99999"}).status_code == 400  # fmt: skip
    done = client.post(f"/complaints/cases/{free_case}/match", data={"provider_id": str(provider)})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/cases/{free_case}")
    with app.app_context():
        row = db.session.get(Complaint, free_case)
        assert row.provider_id == provider and row.provider_name == "普洱茶楼(思茅店)"
        audit = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "complaint.match_provider")
        )
        assert audit.target == f"complaint:{free_case}" and audit.details["provider"] == key
        assert row.events[-1].actor == "chen" and key in row.events[-1].note
    again = client.post(f"/complaints/cases/{free_case}/match",
                        data={"provider_id": str(other_provider)})  # fmt: skip
    assert again.status_code == 409
    with app.app_context():
        assert db.session.get(Complaint, free_case).provider_id == provider
    assert "普洱茶楼(思茅店)" not in client.get("/complaints/unmatched").get_data(as_text=True)


def test_matching_stays_within_the_bureaus_sectors_and_needs_csrf(
    app, client, make_user, provider, free_case
):
    sign_in(app, client, make_user("zhu", "bureau", sectors=["lodging"]))
    app.config["WTF_CSRF_ENABLED"] = False
    assert "普洱茶楼(思茅店)" not in client.get("/complaints/unmatched").get_data(as_text=True)
    assert client.get(f"/complaints/cases/{free_case}/match").status_code == 403
    assert client.post(f"/complaints/cases/{free_case}/match",
                       data={"provider_id": str(provider)}).status_code == 403  # fmt: skip
    sign_in(app, client, make_user("eva", "evaluator"))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/complaints/cases/{free_case}/match",
                       data={"provider_id": str(provider)}).status_code == 400  # fmt: skip
    with app.app_context():
        assert db.session.get(Complaint, free_case).provider_id is None
