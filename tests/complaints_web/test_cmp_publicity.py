"""The publicity page, its editions (immutable, corrections), explanations, warnings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog
from surveyapp.models.complaint import (
    Complaint,
    ComplaintExplanation,
    ConsumerWarning,
    ImmutablePublicationError,
    PublicityEdition,
)
from tests.complaints_web.conftest import sign_in


@pytest.fixture
def closed_case(app, client, make_user, make_case, provider):
    """A case of ``provider`` accepted, mediated and settled this month; the month."""
    from surveyapp.complaints import transition
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.dates import china_today

    case = make_case(days_ago=2, provider_id=provider)
    with app.app_context():
        row = db.session.get(Complaint, case)
        now = utcnow()
        transition(db.session, row, "accepted", "t", at=now - timedelta(days=1))
        transition(db.session, row, "mediation", "t", at=now - timedelta(hours=2))
        transition(db.session, row, "closed", "t", outcome="和解成功", note="退款", at=now)
        db.session.commit()
    today = china_today(now)
    return f"{today.year}-{today.month:02d}"


def test_publicity_page_editions_and_no_personal_data(
    app, client, make_user, closed_case, pdf_text
):
    app.config["WTF_CSRF_ENABLED"] = False
    period = closed_case
    page = client.get(f"/complaints/publicity?period={period}").get_data(as_text=True)
    assert "普洱茶楼" in page and "100.0%" in page and "张三丰" not in page
    evaluator = make_user("eva", "evaluator")
    bureau = make_user("chen", "bureau", sectors=["catering"])
    sign_in(app, client, bureau)
    assert client.post("/complaints/publicity/publish", data={"period": period}).status_code == 403
    code = _code(app)
    explained = client.post(
        "/complaints/publicity/explanations",
        data={"period": period, "credit_code": code, "text": "已全额退款，电话 13900001111"},
    )
    assert explained.status_code == 303
    page = client.get(f"/complaints/publicity?period={period}").get_data(as_text=True)
    assert "已全额退款" in page and "13900001111" not in page  # post-moderation, masked
    sign_in(app, client, evaluator)
    first = client.post("/complaints/publicity/publish", data={"period": period, "lang": "zh"})
    assert first.status_code == 303
    with app.app_context():
        edition = db.session.scalar(select(PublicityEdition))
        pdf, csv = edition.pdf, edition.csv
        number = edition.edition
    text = " ".join(pdf_text(pdf)) + csv.decode("utf-8-sig")
    assert "普洱茶楼" in text and code in text
    for secret in ("张三丰", "张**", "13812345678", "1381", "已全额退款"):  # not approved yet
        assert secret not in text
    # the period again: only as a correction naming the edition
    assert (
        client.post(
            "/complaints/publicity/publish", data={"period": period, "lang": "zh"}
        ).status_code
        == 409
    )
    with app.app_context():
        explanation_id = db.session.scalar(select(ComplaintExplanation.id))
    decided = client.post(
        f"/complaints/publicity/explanations/{explanation_id}/decide",
        data={"decision": "approved"},
    )
    assert decided.status_code == 303
    second = client.post(
        "/complaints/publicity/publish",
        data={"period": period, "lang": "zh", "replaces": str(number)},
    )
    assert second.status_code == 303
    with app.app_context():
        newest = db.session.scalars(
            select(PublicityEdition).order_by(PublicityEdition.edition.desc())
        ).first()
        assert newest.replaces_id is not None
        text = " ".join(pdf_text(newest.pdf))
        assert "已全额退款" in text and "13900001111" not in text and "张三丰" not in text
        first_row = db.session.scalar(
            select(PublicityEdition).where(PublicityEdition.edition == number)
        )
        first_row.period = "2020-01"
        with pytest.raises(ImmutablePublicationError):
            db.session.flush()
        db.session.rollback()
    download = client.get(f"/complaints/publicity/editions/{number}.csv")
    assert download.status_code == 200 and download.data == csv


def _code(app) -> str:
    from surveyapp.models import Provider

    with app.app_context():
        return db.session.scalar(select(Provider.credit_code))


def test_warnings_published_listed_immutable_and_audited(app, client, make_user, provider):
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(app, client, make_user("chen", "bureau", sectors=["catering"]))
    refused = client.post(
        "/complaints/warnings", data={"scope": "provider", "title": "t", "body": "b"}
    )
    assert refused.status_code == 400  # no provider named
    made = client.post(
        "/complaints/warnings",
        data={"scope": "provider", "credit_code": _code(app), "title": "预付卡风险提示",
              "body": "该店已停业，请勿继续充值。"},
    )  # fmt: skip
    assert made.status_code == 303
    other_sector = client.post(
        "/complaints/warnings",
        data={"scope": "category", "sector": "lodging", "category": "预付卡", "title": "t",
              "body": "b"},
    )  # fmt: skip
    assert other_sector.status_code == 400
    public = app.test_client().get("/complaints/warnings").get_data(as_text=True)
    assert "预付卡风险提示" in public and "chen" in public and "普洱茶楼" in public
    with app.app_context():
        warning = db.session.scalar(select(ConsumerWarning))
        assert (
            db.session.scalar(select(AuditLog).where(AuditLog.action == "complaint.warning"))
            is not None
        )
        warning.body = "changed"
        with pytest.raises(ImmutablePublicationError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(ImmutablePublicationError):
            db.session.delete(db.session.get(ConsumerWarning, warning.id))
            db.session.flush()
        db.session.rollback()


def test_a_bureau_warns_within_its_sectors_only(app, client, make_user, provider):
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(app, client, make_user("su", "bureau", sectors=["lodging"]))
    about_provider = {"scope": "provider", "credit_code": _code(app), "title": "t", "body": "b"}
    assert client.post("/complaints/warnings", data=about_provider).status_code == 400
    no_sector = {"scope": "category", "category": "预付卡", "title": "t", "body": "b"}
    assert client.post("/complaints/warnings", data=no_sector).status_code == 400
    own = {**no_sector, "sector": "lodging"}
    assert client.post("/complaints/warnings", data=own).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ConsumerWarning.sector)) == "lodging"
