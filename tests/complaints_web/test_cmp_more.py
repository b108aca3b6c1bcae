"""Smaller rules of the complaint pages: masking, field errors from the intake,
explanations within a bureau's sectors, bad periods and file kinds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.complaints.handling import mask_name, mask_phone
from surveyapp.extensions import db
from surveyapp.models.complaint import Complaint, ComplaintExplanation
from tests.complaints_web.conftest import sign_in
from tests.complaints_web.test_cmp_pages import GOOD


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张**"), ("李", "李*"), ("", ""), (None, "")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("+86 138 1234 5678", "861******5678"), ("0879", "**79"),
     (None, "")],
)  # fmt: skip
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked
    assert phone is None or len(phone) < 7 or phone[-8:-4] not in masked


def test_a_bad_phone_is_a_field_error_and_nothing_stored(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    page = client.post("/complaints/new", data={**GOOD, "complainant_phone": "call me"})
    assert page.status_code == 400
    assert 'id="complainant_phone-error"' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None


def test_explanations_within_a_bureaus_sectors(app, client, make_user, provider):
    from surveyapp.models import Provider

    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        code = db.session.scalar(select(Provider.credit_code))
    sign_in(app, client, make_user("su", "bureau", sectors=["lodging"]))
    data = {"period": "2026-10", "credit_code": code, "text": "已退款"}
    assert client.post("/complaints/publicity/explanations", data=data).status_code == 400
    sign_in(app, client, make_user("chen", "bureau", sectors=["catering"]))
    assert client.post("/complaints/publicity/explanations", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ComplaintExplanation.added_by)) == "chen"


def test_bad_periods_and_file_kinds(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.get("/complaints/publicity?period=2026-13").status_code == 404
    assert client.get("/complaints/publicity/editions/1.xlsx").status_code == 404
    sign_in(app, client, make_user("eva", "evaluator"))
    bad = client.post("/complaints/publicity/publish", data={"period": "October"})
    assert bad.status_code == 400
