"""The submission API: status codes, error bodies, and all-or-nothing storage."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.models import Invitation, Response, Round
from surveyapp.responses.codec import unpack_answers, unpack_profile
from surveyapp.rounds.service import close_round, get_round, issue_invitations


def _payload(app, code, **overrides):
    with app.app_context():
        q = questionnaire_of(get_round(db.session, code).questionnaire_version)
    answers = {aid: 4 for aid in q.answer_ids}
    body = {
        "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
        "answers": answers,
        "open": {"suggestions": "希望增加无障碍通道"},
        "started_at": "2026-09-01T10:02:11+08:00",
        "channel": "miniprogram",
    }
    body.update(overrides)
    return body


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_valid_submission_is_stored_whole(app, client, make_round, keyed):
    code = make_round("catering")
    body = _payload(app, code)
    body["answers"]["hyg_fresh"] = None  # not answered is allowed for optional items
    reply = client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    assert reply.status_code == 201, reply.get_json()
    data = reply.get_json()
    assert data["round"] == code and len(data["id"]) == 32
    with app.app_context():
        row = db.session.scalars(select(Response)).one()
        q = questionnaire_of(db.session.get(Round, row.round_id).questionnaire_version)
        assert row.uid == data["id"]
        assert unpack_answers(q, row.answers) == body["answers"]
        assert unpack_profile(q, row.profile) == body["respondent"]
        assert row.open_answers == {"suggestions": "希望增加无障碍通道"}
        assert row.channel == "miniprogram" and row.district == "思茅区"
        assert row.started_at is not None and row.fingerprint_hash is None


def test_invalid_fields_are_all_listed_and_nothing_stored(app, client, make_round, keyed):
    code = make_round("catering")
    body = _payload(app, code)
    body["answers"]["hyg_kitchen"] = 9
    body["answers"]["svc_attitude"] = "good"
    body["answers"]["nonsense"] = 3
    body["respondent"]["district"] = "北京"
    del body["answers"]["overall"]
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", json=body, headers={**keyed, "Accept-Language": "en"}
    )
    assert reply.status_code == 400
    data = reply.get_json()
    assert data["error"] == "invalid" and data["message"]
    assert data["fields"] == {
        "respondent.district": "unknown option",
        "answers.hyg_kitchen": "must be an integer from 1 to 5",
        "answers.svc_attitude": "must be an integer from 1 to 5",
        "answers.overall": "this question is required",
        "answers.nonsense": "not a question of this questionnaire",
    }
    assert _count(app) == 0


def test_messages_follow_accept_language(app, client, make_round, keyed):
    code = make_round("catering")
    body = _payload(app, code)
    body["answers"]["overall"] = 0
    reply = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=body,
        headers={**keyed, "Accept-Language": "zh-CN,zh;q=0.9"},
    )
    assert reply.get_json()["fields"]["answers.overall"] == "须为 1 到 5 之间的整数"
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", json=body, headers={**keyed, "Accept-Language": "en-US"}
    )
    assert reply.get_json()["fields"]["answers.overall"] == "must be an integer from 1 to 5"


@pytest.mark.parametrize(
    ("data", "content_type", "status", "error"),
    [
        ("{}", "text/plain", 415, "not_json"),
        (b"\xff\xfe{", "application/json", 400, "bad_json"),
        ("{not json", "application/json", 400, "bad_json"),
        ("[1, 2]", "application/json", 400, "invalid"),
        ('{"answers": [1]}', "application/json", 400, "invalid"),
    ],
)
def test_malformed_bodies_get_clear_4xx(
    app, client, make_round, data, content_type, status, error, keyed
):
    code = make_round("catering")
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=data, content_type=content_type, headers=keyed
    )
    assert reply.status_code == status
    assert reply.get_json()["error"] == error
    assert reply.get_json()["message"]
    assert _count(app) == 0


def test_too_large_body_is_413(app, client, make_round, keyed):
    code = make_round("catering")
    body = json.dumps(_payload(app, code, open={"suggestions": "长" * 300_000}))
    reply = client.post(
        f"/api/v1/rounds/{code}/responses",
        data=body,
        content_type="application/json",
        headers=keyed,
    )
    assert reply.status_code == 413
    assert reply.get_json()["error"] == "too_large"
    assert _count(app) == 0


def test_unknown_and_closed_rounds(app, client, make_round, keyed):
    assert client.post("/api/v1/rounds/nope/responses", json={}, headers=keyed).status_code == 404
    code = make_round("catering")
    with app.app_context():
        close_round(db.session, get_round(db.session, code))
        db.session.commit()
    reply = client.post(f"/api/v1/rounds/{code}/responses", json=_payload(app, code), headers=keyed)
    assert reply.status_code == 410 and reply.get_json()["error"] == "round_closed"
    assert _count(app) == 0


def test_round_not_yet_open_is_410(app, client, make_round, keyed):
    from datetime import timedelta

    from surveyapp.models.base import utcnow

    code = make_round(
        "catering", opens_at=utcnow() + timedelta(days=2), closes_at=utcnow() + timedelta(days=9)
    )
    reply = client.post(f"/api/v1/rounds/{code}/responses", json=_payload(app, code), headers=keyed)
    assert reply.status_code == 410 and reply.get_json()["error"] == "round_not_open"


def test_duplicate_device_is_409(app, client, make_round, keyed):
    code = make_round("catering")
    body = _payload(app, code, device_id="kiosk-7:visitor-123")
    assert (
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed).status_code == 201
    )
    again = client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    assert again.status_code == 409 and again.get_json()["error"] == "duplicate"
    other = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=_payload(app, code, device_id="other"),
        headers=keyed,
    )
    assert other.status_code == 201
    assert _count(app) == 2


def test_invitation_tokens_are_single_use(app, client, make_round, keyed):
    code = make_round("catering", require_token=True)
    with app.app_context():
        tokens = issue_invitations(db.session, get_round(db.session, code), 2)
        db.session.commit()
    missing = client.post(
        f"/api/v1/rounds/{code}/responses", json=_payload(app, code), headers=keyed
    )
    assert missing.status_code == 400 and "token" in missing.get_json()["fields"]
    wrong = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=_payload(app, code, token="AAAA-BBBB"),
        headers={**keyed, "Accept-Language": "en"},
    )
    assert wrong.status_code == 400 and wrong.get_json()["fields"] == {
        "token": "unknown invitation token"
    }
    ok = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=_payload(app, code, token=tokens[0].lower()),
        headers=keyed,
    )
    assert ok.status_code == 201
    replay = client.post(
        f"/api/v1/rounds/{code}/responses", json=_payload(app, code, token=tokens[0]), headers=keyed
    )
    assert replay.status_code == 409 and replay.get_json()["error"] == "token_used"
    assert _count(app) == 1
    with app.app_context():
        used = db.session.scalars(select(Invitation).where(Invitation.used_at.is_not(None))).all()
        assert len(used) == 1


def test_failed_insert_does_not_consume_token(app, client, make_round, keyed):
    code = make_round("catering", require_token=True)
    with app.app_context():
        (token,) = issue_invitations(db.session, get_round(db.session, code), 1)
        db.session.commit()
    first = _payload(app, code, device_id="dev-1", token=None)
    with app.app_context():
        round_ = get_round(db.session, code)
        round_.require_token = False
        db.session.commit()
    assert (
        client.post(f"/api/v1/rounds/{code}/responses", json=first, headers=keyed).status_code
        == 201
    )
    # same device again, with a fresh token: refused as duplicate, and the token stays unused
    dup = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=_payload(app, code, device_id="dev-1", token=token),
        headers=keyed,
    )
    assert dup.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Invitation.used_at)) is None


def test_read_endpoints(app, client, make_round):
    code = make_round("lodging")
    listing = client.get("/api/v1/questionnaires").get_json()["questionnaires"]
    assert [(q["id"], q["version"], q["sector"]) for q in listing] == [("lodging", 1, "lodging")]
    detail = client.get("/api/v1/questionnaires/lodging").get_json()
    assert (
        detail["id"] == "lodging" and detail["version"] == 1 and len(detail["content_hash"]) == 64
    )
    assert detail["dimensions"] and detail["overall"]["id"] == "overall"
    assert (
        client.get("/api/v1/questionnaires/lodging/1").get_json()["content_hash"]
        == detail["content_hash"]
    )
    missing = client.get("/api/v1/questionnaires/lodging/7")
    assert missing.status_code == 404 and missing.get_json()["error"] == "no_questionnaire"
    info = client.get(f"/api/v1/rounds/{code}").get_json()
    assert info["questionnaire"] == {"id": "lodging", "version": 1}
    assert info["status"] == "open" and info["period"] == "2026Q4"
    assert client.get("/api/v1/rounds/none").status_code == 404


def test_database_unavailable_is_503(app, client, make_round, monkeypatch, keyed):
    from sqlalchemy.exc import OperationalError

    import surveyapp.api.routes as routes

    code = make_round("catering")

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(routes, "submit_response", broken)
    reply = client.post(f"/api/v1/rounds/{code}/responses", json=_payload(app, code), headers=keyed)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.get_json()["error"] == "unavailable"
