"""User administration: only admins; each action leaves an audit row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.accounts.service import THROTTLES, AccountError, audit, authenticate, create_user
from surveyapp.extensions import db
from surveyapp.models.user import AuditLog, User
from tests.auth.helpers import PASSWORD, csrf_of


@pytest.mark.parametrize("role", ["evaluator", "bureau", "viewer"])
def test_only_admins_manage_users(client, make_user, login, role):
    make_user("someone", role, sectors=["catering"] if role == "bureau" else None)
    login(client, "someone")
    assert client.get("/admin/users").status_code == 403
    token = csrf_of(client.get("/account/password").get_data(as_text=True))
    response = client.post(
        "/admin/users", data={"csrf_token": token, "username": "x", "role": "admin"}
    )
    assert response.status_code == 403


def test_admin_creates_a_bureau_account_that_must_change_password(app, client, make_user, login):
    make_user("root", "admin")
    login(client, "root")
    page = client.get("/admin/users")
    assert page.status_code == 200
    token = csrf_of(page.get_data(as_text=True))
    created = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "shangwu",
            "role": "bureau",
            "sectors": "catering，lodging",
        },
    )
    assert created.status_code == 201
    shown = created.get_data(as_text=True)
    password = re.search(r"初始密码：(\S+?)（", shown).group(1)
    assert password not in client.get("/admin/users").get_data(as_text=True)  # shown once
    with client.session_transaction() as sess:
        assert password not in repr(dict(sess))  # never kept in the cookie
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "shangwu"))
        assert user.role == "bureau" and user.sectors == ["catering", "lodging"]
        assert user.must_change_password
        row = db.session.scalar(select(AuditLog).where(AuditLog.target == "user:shangwu"))
        assert row.action == "user.create"
        assert (row.actor, row.target, row.details["role"]) == ("root", "user:shangwu", "bureau")
        assert row.user_id is not None and row.at is not None
    other = app.test_client()
    first = other.post(
        "/login",
        data={
            "csrf_token": csrf_of(other.get("/login").get_data(as_text=True)),
            "username": "shangwu",
            "password": password,
        },
    )
    assert first.headers["Location"].endswith("/account/password")


def test_admin_create_errors_are_shown(client, make_user, login):
    make_user("root", "admin")
    login(client, "root")
    token = csrf_of(client.get("/admin/users").get_data(as_text=True))
    response = client.post(
        "/admin/users", data={"csrf_token": token, "username": "b", "role": "bureau"}
    )
    assert response.status_code == 400
    assert "至少需要一个行业" in response.get_data(as_text=True)
    dup = client.post(
        "/admin/users", data={"csrf_token": token, "username": "root", "role": "viewer"}
    )
    assert dup.status_code == 400 and "已存在" in dup.get_data(as_text=True)


def test_admin_unlocks_and_it_is_audited(app, client, make_user, login):
    make_user("root", "admin")
    uid = make_user("ann", "viewer")
    with app.app_context():  # someone guessed ann's password from one address
        for _ in range(THROTTLES["pair"].free):
            authenticate(db.session, "ann", "guess guess", address="203.0.113.5")
        db.session.commit()
        assert authenticate(db.session, "ann", PASSWORD, address="203.0.113.5").status == (
            "throttled"
        )
        db.session.rollback()
    login(client, "root")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "登录受限" in page
    response = client.post(f"/admin/users/{uid}/unlock", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 302
    assert "登录受限" not in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        assert authenticate(db.session, "ann", PASSWORD, address="203.0.113.5").status == "ok"
        actions = [(a.actor, a.action, a.target) for a in db.session.scalars(select(AuditLog))]
    assert ("root", "user.unlock", "user:ann") in actions
    assert (
        client.post("/admin/users/99999/unlock", data={"csrf_token": csrf_of(page)}).status_code
        == 404
    )


def test_create_user_rules(session):
    with pytest.raises(AccountError, match="role"):
        create_user(session, "x", "superuser", "long enough password")
    with pytest.raises(AccountError, match="only bureau"):
        create_user(session, "x", "viewer", "long enough password", sectors=["catering"])
    with pytest.raises(AccountError, match="at least 10"):
        create_user(session, "x", "viewer", "short")
    with pytest.raises(AccountError, match="username"):
        create_user(session, "has space", "viewer", "long enough password")
    user, generated = create_user(session, "x", "viewer")
    assert len(generated) >= 10 and user.must_change_password


def test_audit_records_a_named_actor(session):
    row = audit(session, "cli", "bulletin.publish", "bulletin:3", {"edition": 3})
    session.commit()
    stored = session.get(AuditLog, row.id)
    assert (stored.actor, stored.user_id, stored.details) == ("cli", None, {"edition": 3})
