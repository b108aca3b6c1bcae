"""A password typed at sign-in never reaches a log line, stderr or the audit log.

Signs in through the real form with a wrong password, then the right one, with the
JSON access log on and every logger captured at DEBUG; the passwords (and the CSRF
token sent beside them) must appear nowhere.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog
from tests.auth.helpers import TEST_PASSWORD_METHOD, csrf_of

RIGHT = "Right-Horse-Battery-7781"
WRONG = "Wrong-Staple-Password-2290"


def test_passwords_never_logged(make_app, access_log, caplog, capsys, monkeypatch):
    from surveyapp.accounts import service

    monkeypatch.setattr(service, "PASSWORD_METHOD", TEST_PASSWORD_METHOD)
    app = make_app(ACCESS_LOG=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        service.create_user(db.session, "ann", "viewer", RIGHT, must_change_password=False)
        db.session.commit()
    client = app.test_client()
    caplog.set_level(logging.DEBUG)

    outcomes = []
    for password in (WRONG, RIGHT):
        page = client.get("/login")
        reply = client.post(
            "/login",
            data={
                "csrf_token": csrf_of(page.get_data(as_text=True)),
                "username": "ann",
                "password": password,
            },
        )
        outcomes.append(reply.status_code)
    assert outcomes == [401, 302]  # refused, then signed in

    captured = capsys.readouterr()
    with app.app_context():
        audit = [
            repr((a.action, a.target, a.details)) for a in db.session.scalars(select(AuditLog))
        ]
    logs = {
        "access log": "\n".join(access_log.formatted),
        "all loggers": caplog.text,
        "stderr/stdout": captured.err + captured.out,
        "audit log": "\n".join(audit),
    }
    assert any("/login" in line for line in access_log.formatted)  # the logs were captured
    for where, text in logs.items():
        for password in (RIGHT, WRONG):
            assert password not in text, f"password in the {where}"
