"""POST /api/v1/complaints: a channel key, the same intake as the form, a receipt code."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.complaints import find_by_receipt
from surveyapp.extensions import db
from surveyapp.models.complaint import Complaint

BODY = {
    "provider_name": "某餐馆",
    "sector": "catering",
    "category": "价格",
    "description": "多收二十元",
    "amount": "20.50",
    "complainant_name": "张三丰",
    "complainant_phone": "13812345678",
    "external_id": "12345-0001",
}


def test_api_intake_with_a_channel_key(app, client, keyed):
    reply = client.post("/api/v1/complaints", json=BODY, headers=keyed)
    assert reply.status_code == 201
    body = reply.get_json()
    assert body["status"] == "received" and len(body["accept_by"]) == 10
    assert "张三丰" not in reply.get_data(as_text=True)
    with app.app_context():
        stored = find_by_receipt(db.session, body["receipt"])
        assert stored is not None and stored.channel == "api"
        assert str(stored.amount) == "20.50" and stored.external_id == "12345-0001"
    again = client.post("/api/v1/complaints", json=BODY, headers=keyed)
    assert again.status_code == 400 and "external_id" in again.get_json()["fields"]


def test_api_refuses_bad_bodies_and_missing_keys(app, client, keyed):
    assert client.post("/api/v1/complaints", json=BODY).status_code == 401
    bad = client.post(
        "/api/v1/complaints", json={**BODY, "category": "天气", "amount": "x"}, headers=keyed
    )
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"amount"}
    bad = client.post("/api/v1/complaints", json={**BODY, "category": "天气"}, headers=keyed)
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"category"}
    assert client.post("/api/v1/complaints", json=[1], headers=keyed).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None


def test_a_key_bound_to_survey_rounds_may_not_post_complaints(app, client, channel_key, make_round):
    code = make_round("catering", code="cat-q4")
    bound = {"Authorization": f"Bearer {channel_key(channel='kiosk', rounds=[code])}"}
    reply = client.post("/api/v1/complaints", json=BODY, headers=bound)
    assert reply.status_code == 403 and reply.get_json()["error"] == "cmp_key_forbidden"
    with app.app_context():
        assert db.session.scalar(select(Complaint.id)) is None
