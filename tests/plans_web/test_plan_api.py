"""The plan API: GET /api/v1/plans/status (the same statuses as the CLI and the pages)
and POST /api/v1/plans/values (the same entry as the form), by token only."""

from __future__ import annotations

import json

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, PlanValue
from tests.plans_web.conftest import PUER

BODY = {"plan": PUER, "indicator": "catering-revenue", "period": "2020", "value": 49.0,
        "note": "统计公报"}  # fmt: skip


def _by_id(doc: dict) -> dict[str, dict]:
    return {f"{i['plan']}/{i['id']}": i for i in doc["indicators"]}


def test_posting_a_value_then_a_correction(app, client, token):
    headers = token("bureau")
    first = client.post("/api/v1/plans/values", json=BODY, headers=headers)
    assert first.status_code == 201 and first.get_json()["correction"] is False
    same = client.post("/api/v1/plans/values", json=BODY, headers=headers)
    assert same.status_code == 200 and same.get_json()["stored"] is False
    fixed = client.post("/api/v1/plans/values", json={**BODY, "value": "50.5"}, headers=headers)
    body = fixed.get_json()
    assert fixed.status_code == 201 and body["correction"] is True
    assert body["supersedes"] == first.get_json()["id"]
    with app.app_context():
        assert db.session.scalars(select(PlanValue.value).order_by(PlanValue.id)).all() == [
            49.0, 50.5,
        ]  # fmt: skip
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions[-2:] == ["plan_value.enter", "plan_value.correct"]
    # the status: 50.5 ≥ 50 achieved, in the period and as the latest
    status = client.get("/api/v1/plans/status?period=2020", headers=headers).get_json()
    row = _by_id(status)[f"{PUER}/catering-revenue"]
    assert (row["value"], row["status"], row["status_zh"]) == (50.5, "achieved", "已实现")
    assert status["judged_on"] == "2020-12-31" and status["tolerance_pp"] == 5.0
    latest = client.get("/api/v1/plans/status", headers=headers).get_json()
    assert _by_id(latest)[f"{PUER}/catering-revenue"]["period"] == "2020"
    assert len(latest["indicators"]) == sum(p["indicators"] for p in latest["plans"])


def test_refusals_name_what_is_wrong_and_store_nothing(app, client, token):
    headers = token("bureau")
    assert client.post("/api/v1/plans/values", json=BODY).status_code == 401
    other = {**BODY, "plan": "shanghai-2025-life-services", "indicator": "elderly-care-beds"}
    reply = client.post("/api/v1/plans/values", json=other, headers=headers)
    assert reply.status_code == 403 and reply.get_json()["error"] == "plan_entry_forbidden"
    reply = client.post("/api/v1/plans/values", json={**BODY, "period": "2020Q7"}, headers=headers)
    assert reply.status_code == 400 and set(reply.get_json()["fields"]) == {"period"}
    reply = client.post(
        "/api/v1/plans/values", json={**BODY, "note": None, "colour": 1}, headers=headers
    )
    assert reply.status_code == 400
    assert reply.get_json()["fields"] == {"note": "required", "colour": "unknown field"}
    bound = {**BODY, "indicator": "satisfaction-catering"}
    reply = client.post("/api/v1/plans/values", json=bound, headers=token("admin"))
    assert reply.status_code == 400 and "is computed" in reply.get_json()["fields"]["indicator"]
    reply = client.post(
        "/api/v1/plans/values", data=json.dumps(BODY), headers=headers, content_type="text/plain"
    )
    assert reply.status_code == 415
    assert (
        client.post("/api/v1/plans/values", json=BODY, headers=token("viewer")).status_code == 403
    )
    for period in ("2025Q5", "0000"):  # the year 0 is no calendar's
        bad = client.get(f"/api/v1/plans/status?period={period}", headers=headers)
        assert bad.status_code == 400 and bad.get_json()["parameter"] == "period"
    reply = client.post("/api/v1/plans/values", json={**BODY, "period": "0000"}, headers=headers)
    assert reply.status_code == 400 and set(reply.get_json()["fields"]) == {"period"}
    assert client.get("/api/v1/plans/status").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(PlanValue.id)) is None


def test_the_api_and_the_page_say_the_same_statuses(app, client, token, as_role):
    import re

    client.post("/api/v1/plans/values", json={**BODY, "value": 30}, headers=token("admin"))
    doc = client.get("/api/v1/plans/status", headers=token("viewer")).get_json()
    page = as_role("viewer").get(f"/plans/{PUER}").get_data(as_text=True)
    for key, row in _by_id(doc).items():
        if not key.startswith(PUER):
            continue
        cell = re.search(re.escape(row["name"]["zh"]) + r".*?plan-status-(\w+)", page, re.S)
        assert cell is not None and cell.group(1) == row["status"], key
    assert _by_id(doc)[f"{PUER}/catering-revenue"]["status"] == "missed"


def test_a_bureau_token_gets_no_other_sectors_satisfaction(client, token):
    doc = client.get("/api/v1/plans/status", headers=token("bureau")).get_json()
    rows = _by_id(doc)
    assert rows[f"{PUER}/satisfaction-elderly-care"]["status"] == "hidden"
    assert rows[f"{PUER}/satisfaction-elderly-care"]["value"] is None
    assert rows[f"{PUER}/satisfaction-catering"]["status"] != "hidden"
