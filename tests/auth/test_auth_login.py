"""Signing in and out: throttling, forced password change, logout everywhere, audit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash

from surveyapp.accounts import service
from surveyapp.accounts.service import THROTTLES, Backoff
from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.user import AuditLog, LoginThrottle, User
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
    from surveyapp.accounts import service

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


def test_guessing_address_waits_with_backoff_even_for_the_right_password(
    app, client, make_user, login
):
    make_user("ann", "viewer")
    free = THROTTLES["pair"].free
    for _ in range(free):  # the last of these earns the first wait
        assert login(client, "ann", "wrong wrong wrong").status_code == 401
    waiting = login(client, "ann", "wrong wrong wrong")
    assert waiting.status_code == 429
    assert 25 <= int(waiting.headers["Retry-After"]) <= THROTTLES["pair"].first
    assert "登录失败次数过多" in waiting.get_data(as_text=True)
    right = login(client, "ann", PASSWORD)
    assert right.status_code == 429  # waiting: the right password is not even looked at
    assert ("anonymous", "login.throttled", "user:ann") in _actions(app)
    # the wait ends by itself
    with app.app_context():
        for row in db.session.scalars(select(LoginThrottle)):
            row.blocked_until = None
        db.session.commit()
    assert login(client, "ann", PASSWORD).status_code == 302


def test_waits_double_up_to_a_cap_and_are_forgotten_after_a_quiet_hour(app, make_user):
    make_user("ann", "viewer")
    rule = THROTTLES["pair"]
    start = utcnow()
    with app.app_context():
        now, waits = start, []
        for _ in range(rule.free + 8):
            outcome = service.authenticate(
                db.session, "ann", "nope nope", address="198.51.100.7", now=now
            )
            assert outcome.status == "bad_credentials"
            until = db.session.scalar(
                select(LoginThrottle.blocked_until).where(
                    LoginThrottle.key == "pair:ann|198.51.100.7"
                )
            )
            waits.append(0 if until is None else (until - now).total_seconds())
            now = (until or now) + timedelta(seconds=1)
        db.session.commit()
        assert waits[: rule.free - 1] == [0] * (rule.free - 1)
        assert waits[rule.free - 1 : rule.free + 2] == [30, 60, 120]
        assert max(waits) == rule.most == 15 * 60
        later = now + service.FORGET_AFTER + timedelta(seconds=1)
        assert (
            service.authenticate(
                db.session, "ann", PASSWORD, address="198.51.100.7", now=later
            ).status
            == "ok"
        )


def test_backoff_rule():
    rule = Backoff(free=3, first=10, most=45)
    assert [rule.wait(n) for n in range(1, 8)] == [0, 0, 10, 20, 40, 45, 45]
    assert rule.wait(10**6) == 45  # no overflow


def test_successful_login_resets_the_address_count(app, client, make_user, login):
    make_user("ann", "viewer")
    for _ in range(THROTTLES["pair"].free - 1):
        login(client, "ann", "wrong wrong wrong")
    assert login(client, "ann").status_code == 302
    with app.app_context():
        assert db.session.get(LoginThrottle, "pair:ann|127.0.0.1") is None


def test_one_client_is_throttled_across_usernames(app, client, make_user, login, monkeypatch):
    monkeypatch.setitem(THROTTLES, "address", Backoff(free=3, first=30, most=900))
    make_user("ann", "viewer")
    for name in ("x1", "x2", "x3"):
        assert login(client, name, "guess guess guess").status_code == 401
    blocked = login(client, "ann", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.get_data(as_text=True)
    assert _user(app, "ann").last_login_at is None
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert login(other, "ann").status_code == 302  # another address is not held up


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
