"""Closing a round: a confirmation page, then a POST that must say ``confirm=yes``."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Round
from tests.admin.conftest import csrf


def _round(app, code) -> Round:
    with app.app_context():
        return db.session.scalars(select(Round).where(Round.code == code)).one()


def test_close_after_confirming(app, admin, client, make_round):
    code = make_round("catering", code="cat-close")
    page = admin.get(f"/admin/rounds/{code}/close").get_data(as_text=True)
    assert "确认结束调查轮次 cat-close" in page and 'name="confirm" value="yes"' in page
    token = csrf(admin, f"/admin/rounds/{code}/close")

    unconfirmed = admin.post(f"/admin/rounds/{code}/close", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert _round(app, code).status == "open"

    reply = admin.post(f"/admin/rounds/{code}/close", data={"csrf_token": token, "confirm": "yes"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"/admin/rounds/{code}")
    r = _round(app, code)
    assert r.status == "closed" and r.closed_at is not None
    assert "调查轮次 cat-close 已结束" in admin.get(reply.headers["Location"]).get_data(
        as_text=True
    )
    # residents are turned away now
    assert client.get(f"/s/{code}").status_code == 410
    with app.app_context():
        row = db.session.scalars(select(AuditLog).where(AuditLog.action == "round.close")).one()
        assert (row.actor, row.target) == ("admin-user", f"round:{code}")


def test_closing_twice_is_refused_with_a_message(app, admin, make_round):
    code = make_round("catering", code="cat-twice")
    token = csrf(admin, f"/admin/rounds/{code}/close")
    assert (
        admin.post(
            f"/admin/rounds/{code}/close", data={"csrf_token": token, "confirm": "yes"}
        ).status_code
        == 302
    )
    again = admin.post(f"/admin/rounds/{code}/close", data={"csrf_token": token, "confirm": "yes"})
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "调查轮次 cat-twice 已经结束" in text and "Round cat-twice is already closed" in text
    with app.app_context():
        assert (
            len(db.session.scalars(select(AuditLog).where(AuditLog.action == "round.close")).all())
            == 1
        )
