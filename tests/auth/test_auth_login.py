"""Signing in and out: throttling, forced password change, logout everywhere, audit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash

from surveyapp.auth.service import LOCK_MINUTES, MAX_FAILURES, ClientThrottle
from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.user import AuditLog, User
from tests.auth.helpers import PASSWORD, csrf_of

NEW_PASSWORD = "a much better passphrase"


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def _actions(app) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return [
            (a.actor, a.action, a.target)
            for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))
        ]


def test_production_hashing_is_scrypt_at_werkzeugs_full_cost():
    from surveyapp.auth import service

    assert service.PASSWORD_METHOD == "scrypt"
    assert service.hash_password("a long enough password").startswith("scrypt:32768:8:1$")


def test_password_is_stored_as_scrypt_hash(app, make_user):
    make_user("ann", "viewer")
    user = _user(app, "ann")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, PASSWORD)


def test_login_page_and_login(client, make_user, login):
    make_user("ann", "evaluator")
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'autocomplete="current-password"' in html
    response = login(client, "ann")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/account/password").status_code == 200


def test_login_without_csrf_is_refused(client, make_user):
    make_user("ann", "evaluator")
    response = client.post("/login", data={"username": "ann", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account/password").status_code == 302


def test_wrong_password_and_unknown_user_look_the_same(client, make_user, login):
    make_user("ann", "viewer")
    wrong = login(client, "ann", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    assert "用户名或密码错误" in unknown.get_data(as_text=True)


def test_next_is_followed_only_on_this_site(client, make_user, login):
    make_user("ann", "viewer")
    response = login(client, "ann", next="//evil.example/x")
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    client.post(
        "/logout",
        data={"csrf_token": csrf_of(client.get("/account/password").get_data(as_text=True))},
    )
    response = login(client, "ann", next="/account/password")
    assert response.headers["Location"].endswith("/account/password")


def test_account_locks_after_five_failures_even_for_the_right_password(
    app, client, make_user, login
):
    make_user("ann", "viewer")
    for _ in range(MAX_FAILURES - 1):
        assert login(client, "ann", "wrong wrong wrong").status_code == 401
    locked = login(client, "ann", "wrong wrong wrong")
    assert locked.status_code == 429
    assert f"{LOCK_MINUTES} 分钟" in locked.get_data(as_text=True)
    user = _user(app, "ann")
    assert user.locked_until is not None and user.locked_until > utcnow() + timedelta(minutes=14)
    right = login(client, "ann", PASSWORD)
    assert right.status_code == 429  # locked: the right password does not help
    assert ("ann", "user.locked", "user:ann") in _actions(app)
    # the lock expires after 15 minutes
    with app.app_context():
        row = db.session.get(User, user.id)
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert login(client, "ann", PASSWORD).status_code == 302


def test_successful_login_resets_the_failure_count(app, client, make_user, login):
    make_user("ann", "viewer")
    for _ in range(MAX_FAILURES - 1):
        login(client, "ann", "wrong wrong wrong")
    assert login(client, "ann").status_code == 302
    assert _user(app, "ann").failed_logins == 0


def test_one_client_is_throttled_across_usernames(app, client, make_user, login):
    app.extensions["surveyapp.login_throttle"] = ClientThrottle(limit=3, window_seconds=60)
    make_user("ann", "viewer")
    for name in ("x1", "x2", "x3"):
        assert login(client, name, "guess guess guess").status_code == 401
    blocked = login(client, "ann", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert "此设备登录失败次数过多" in blocked.get_data(as_text=True)
    assert _user(app, "ann").last_login_at is None


def test_client_throttle_window_slides():
    throttle = ClientThrottle(limit=2, window_seconds=10)
    throttle.failed("1.2.3.4", now=0.0)
    throttle.failed("1.2.3.4", now=1.0)
    assert throttle.blocked("1.2.3.4", now=5.0)
    assert not throttle.blocked("5.6.7.8", now=5.0)
    assert not throttle.blocked("1.2.3.4", now=11.5)


def test_forced_password_change_redirects_every_page(app, client, make_user, login):
    make_user("bob", "evaluator", must_change=True)
    response = login(client, "bob")
    assert response.headers["Location"].endswith("/account/password")
    for path in ("/dashboard", "/", "/bulletins"):
        got = client.get(path)
        assert got.status_code == 302 and got.headers["Location"].endswith("/account/password"), (
            path
        )
    assert client.get("/healthz").status_code == 200
    page = client.get("/account/password")
    assert "首次登录须设置新密码" in page.get_data(as_text=True)
    token = csrf_of(page.get_data(as_text=True))
    short = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": "short", "confirm": "short"},
    )
    assert short.status_code == 400 and "至少需要 10 个字符" in short.get_data(as_text=True)
    same = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD},
    )
    assert same.status_code == 400
    done = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "new": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    assert client.get("/dashboard").status_code == 200  # still signed in, no more redirect
    user = _user(app, "bob")
    assert not user.must_change_password and check_password_hash(user.password_hash, NEW_PASSWORD)
    assert ("bob", "user.password_change", "user:bob") in _actions(app)


def test_logout_everywhere_ends_other_sessions(app, make_user, login):
    make_user("ann", "evaluator")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "ann")
    login(laptop, "ann")
    assert phone.get("/account/password").status_code == 200
    page = laptop.get("/account/password").get_data(as_text=True)
    out = laptop.post("/account/logout-everywhere", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 302 and out.headers["Location"].endswith("/login")
    assert phone.get("/account/password").status_code == 302  # the other session is stale
    assert laptop.get("/account/password").status_code == 302
    assert login(phone, "ann").status_code == 302  # a new sign-in works
    assert phone.get("/account/password").status_code == 200
    assert ("ann", "user.logout_everywhere", "user:ann") in _actions(app)


def test_logout_needs_post_and_ends_the_session(client, make_user, login):
    make_user("ann", "viewer")
    login(client, "ann")
    assert client.get("/logout").status_code == 405
    page = client.get("/account/password").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert client.get("/account/password").status_code == 302


def test_disabled_account_cannot_sign_in(app, client, make_user, login):
    uid = make_user("ann", "viewer")
    with app.app_context():
        db.session.get(User, uid).active = False
        db.session.commit()
    assert login(client, "ann").status_code == 403
