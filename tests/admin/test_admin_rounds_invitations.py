"""Invitation codes as a CSV download: N codes, each with its link, each usable once."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Invitation
from surveyapp.rounds.service import get_round, hash_token
from tests.admin.conftest import csrf


@pytest.fixture
def code(make_round):
    return make_round("catering", code="cat-invite", require_token=True)


def _issue(admin, code, count: str):
    token = csrf(admin, f"/admin/rounds/{code}")
    return admin.post(
        f"/admin/rounds/{code}/invitations", data={"csrf_token": token, "count": count}
    )


def _invitations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


def _submission(app, code, token: str) -> dict:
    with app.app_context():
        q = questionnaire_of(get_round(db.session, code).questionnaire_version)
    return {
        "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
        "answers": dict.fromkeys(q.answer_ids, 4),
        "token": token,
        "device_id": f"kiosk:{token}",
    }


def test_csv_has_n_codes_with_links_and_a_bom(app, admin, code):
    reply = _issue(admin, code, "25")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert reply.headers["Content-Disposition"].startswith(
        f'attachment; filename="invitations-{code}-'
    )
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0] == ["token", "link"] and len(rows) == 26
    tokens = [r[0] for r in rows[1:]]
    assert len(set(tokens)) == 25
    for token, link in rows[1:]:
        assert link == f"http://localhost/s/{code}?t={token}"
    with app.app_context():
        stored = set(db.session.scalars(select(Invitation.token_hash)))
        assert stored == {hash_token(t) for t in tokens}  # hashes only, never the codes
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "round.invitations")
        ).one()
        assert (row.target, row.details) == (f"round:{code}", {"count": 25})
    page = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert "已生成 25 个，已使用 0 个" in page
    assert not any(t in page for t in tokens)  # shown once, in the download only


def test_each_code_works_once(app, admin, client, code, keyed):
    rows = list(csv.reader(io.StringIO(_issue(admin, code, "2").data.decode("utf-8-sig"))))
    first, second = rows[1][0], rows[2][0]
    url = f"/api/v1/rounds/{code}/responses"
    assert client.post(url, json=_submission(app, code, first), headers=keyed).status_code == 201
    replay = client.post(
        url, json=_submission(app, code, first) | {"device_id": "another"}, headers=keyed
    )
    assert replay.status_code == 409 and replay.get_json()["error"] == "token_used"
    assert client.post(url, json=_submission(app, code, second), headers=keyed).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Invitation.used_at.is_not(None))) == 2
    assert "已使用 2 个" in admin.get(f"/admin/rounds/{code}").get_data(as_text=True)


@pytest.mark.parametrize("count", ["", "0", "-3", "abc", "100001", "2.5"])
def test_bad_numbers_are_refused_next_to_the_field(app, admin, code, count):
    reply = _issue(admin, code, count)
    assert reply.status_code == 400
    text = reply.get_data(as_text=True)
    assert 'id="count-error-1"' in text
    assert "邀请码数量须为 1 到 100,000 之间的整数" in text
    assert "must be a whole number from 1 to 100,000" in text
    assert _invitations(app) == 0


def test_the_largest_batch(app, admin, code):
    reply = _issue(admin, code, "100,000")
    assert reply.status_code == 200
    assert reply.data.decode("utf-8-sig").count("\r\n") == 100_001
    assert _invitations(app) == 100_000


def test_a_closed_round_gets_no_codes(app, admin, code):
    token = csrf(admin, f"/admin/rounds/{code}/close")
    admin.post(f"/admin/rounds/{code}/close", data={"csrf_token": token, "confirm": "yes"})
    reply = _issue(admin, code, "5")
    assert reply.status_code == 400 and "调查轮次 cat-invite 已经结束" in reply.get_data(
        as_text=True
    )
    assert _invitations(app) == 0
