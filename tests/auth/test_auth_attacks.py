"""Issue 12, item 4: the attacks on accounts replayed, each now refused.

* lockout as a denial of service: strangers' failures must not keep the owner out;
* username enumeration: an unknown username gets the same reply, status and KDF work;
* a copied session cookie must stop working after logout and after a password change;
* weak passwords are refused with an error on the form;
* pages that show a password or a token once are never cached (``no-store``).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug import security

from surveyapp.accounts import service
from surveyapp.accounts.devices import DEVICE_COOKIE
from surveyapp.accounts.service import THROTTLES, AccountError, authenticate, create_user
from surveyapp.extensions import db
from surveyapp.models.user import User
from tests.auth.helpers import PASSWORD, csrf_of

OWNER_ADDRESS = "192.0.2.10"


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _strangers_fail(app, username: str, addresses: int, each: int) -> None:
    """``addresses`` different clients each send ``each`` wrong passwords (through the
    service the login view calls: same keys, same counts)."""
    with app.app_context():
        for i in range(addresses):
            for _ in range(each):
                authenticate(
                    db.session, username, f"guess number {i}", address=f"198.51.100.{i + 1}"
                )
        db.session.commit()


def test_strangers_failures_do_not_lock_the_owner_out(app, make_user, login):
    """Today: five wrong passwords from anywhere locked the right one out for 15 minutes."""
    make_user("ann", "evaluator")
    attacker = _client(app, "203.0.113.66")
    for _ in range(THROTTLES["pair"].free + 3):
        login(attacker, "ann", "wrong wrong wrong")
    assert login(attacker, "ann", PASSWORD).status_code == 429  # the guesser waits...
    owner = _client(app, OWNER_ADDRESS)
    assert login(owner, "ann").status_code == 302  # ...the owner does not


def test_a_distributed_attack_holds_a_new_browser_back_a_minute_at_most(app, make_user, login):
    make_user("ann", "evaluator")
    owner = _client(app, OWNER_ADDRESS)
    assert login(owner, "ann").status_code == 302  # the owner's usual browser
    assert owner.get_cookie(DEVICE_COOKIE, path="/login") is not None
    owner.post("/logout", data={"csrf_token": csrf_of(owner.get("/account/password").text)})
    # 40 addresses, 4 wrong passwords each: under every per-address limit
    _strangers_fail(app, "ann", addresses=40, each=THROTTLES["pair"].free - 1)
    fresh = _client(app, "192.0.2.99")
    reply = login(fresh, "ann")
    if reply.status_code == 429:  # a browser never used for ann waits, but briefly
        assert int(reply.headers["Retry-After"]) <= THROTTLES["account"].most <= 60
    else:
        assert reply.status_code == 302
    assert login(owner, "ann").status_code == 302  # the usual browser is not held up at all


def test_the_device_cookie_is_bound_to_its_username_and_cannot_be_forged(app, make_user, login):
    make_user("ann", "viewer")
    make_user("bob", "viewer")
    bobs_browser = _client(app, "192.0.2.20")
    assert login(bobs_browser, "bob").status_code == 302
    bobs_browser.post(
        "/logout", data={"csrf_token": csrf_of(bobs_browser.get("/account/password").text)}
    )
    mallory = _client(app, "203.0.113.7")
    assert login(mallory, "ann").status_code == 302  # mallory's own account: a cookie for ann
    mallory.post("/logout", data={"csrf_token": csrf_of(mallory.get("/account/password").text)})
    # bob's account is attacked from many addresses until it waits
    _strangers_fail(app, "bob", addresses=5, each=THROTTLES["account"].free // 5)
    assert login(mallory, "bob", PASSWORD).status_code == 429  # ann's cookie does not help
    mallory.set_cookie(DEVICE_COOKIE, "forged.cookie.value", path="/login")
    assert login(mallory, "bob", PASSWORD).status_code == 429  # nor does a made-up one
    assert login(bobs_browser, "bob").status_code == 302  # bob's own browser gets in


def _normalised(html: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "CSRF", html)
    html = re.sub(r'<meta name="csrf-token"[^>]*>', "", html)
    return re.sub(r'(id="username"[^>]*value=)"[^"]*"', r'\1""', html)


def test_unknown_and_known_usernames_get_the_same_reply(app, make_user, login):
    make_user("ann", "viewer")
    known, unknown = _client(app, "203.0.113.1"), _client(app, "203.0.113.2")
    for _ in range(THROTTLES["pair"].free + 2):  # through the free failures into the waits
        a = login(known, "ann", "wrong wrong wrong")
        b = login(unknown, "no-such-user", "wrong wrong wrong")
        assert a.status_code == b.status_code
        assert a.headers.get("Retry-After") == b.headers.get("Retry-After")
        assert _normalised(a.text) == _normalised(b.text)
    assert a.status_code == 429


def test_unknown_usernames_cost_the_same_password_check(app, make_user, monkeypatch):
    make_user("ann", "viewer")
    checked: list[str] = []
    real = security.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])  # method and cost: what the time depends on
        return real(stored, password)

    monkeypatch.setattr(service, "check_password_hash", spy)
    with app.app_context():
        assert authenticate(db.session, "ann", "wrong wrong", address="x").status == (
            "bad_credentials"
        )
        assert authenticate(db.session, "nobody", "wrong wrong", address="y").status == (
            "bad_credentials"
        )
        db.session.rollback()
    assert len(checked) == 2 and checked[0] == checked[1]


def _copy_session(source, target) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def test_a_copied_session_cookie_stops_working_after_logout(app, make_user, login):
    """Today: logout only cleared the browser's cookie; a copy taken before kept working."""
    make_user("ann", "evaluator")
    browser, thief = app.test_client(), app.test_client()
    login(browser, "ann")
    _copy_session(browser, thief)
    assert thief.get("/account/password").status_code == 200  # the copy works while signed in
    page = browser.get("/account/password").text
    assert browser.post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    stale = thief.get("/account/password")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    with app.app_context():
        actions = {a.action for a in db.session.scalars(select(service.AuditLog))}
    assert "user.logout" in actions


def test_a_copied_session_cookie_stops_working_after_a_password_change(app, make_user, login):
    make_user("ann", "evaluator")
    browser, thief = app.test_client(), app.test_client()
    login(browser, "ann")
    _copy_session(browser, thief)
    new = "amber otter violin seventeen"
    page = browser.get("/account/password").text
    done = browser.post(
        "/account/password",
        data={"csrf_token": csrf_of(page), "current": PASSWORD, "new": new, "confirm": new},
    )
    assert done.status_code == 302
    assert browser.get("/account/password").status_code == 200  # this browser stays in
    assert thief.get("/account/password").status_code == 302  # the copy does not
    with app.app_context():
        assert db.session.scalar(select(User.password_changed_at)) is not None


@pytest.mark.parametrize(
    "weak", ["password1234", "qwertyuiop12", "1234567890", "abcdefghijk", "iloveyou2024"]
)
def test_weak_passwords_are_refused_with_a_form_error(app, client, make_user, login, weak):
    make_user("ann", "viewer")
    login(client, "ann")
    page = client.get("/account/password").text
    reply = client.post(
        "/account/password",
        data={"csrf_token": csrf_of(page), "current": PASSWORD, "new": weak, "confirm": weak},
    )
    assert reply.status_code == 400
    html = reply.text
    assert "新密码太常见或太容易被猜到" in html
    assert re.search(
        r'id="new"[^>]*aria-invalid="true"[^>]*aria-describedby="password-error"', html
    )
    assert reply.headers["Cache-Control"] == "no-store"


def test_password_rules_in_the_service_and_the_cli(session, cli):
    with pytest.raises(AccountError) as exc:
        create_user(session, "ann", "viewer", "password1234")
    assert exc.value.code == "password_weak"
    with pytest.raises(AccountError) as exc:
        create_user(session, "annabelle99", "viewer", "annabelle99")
    assert exc.value.code == "password_is_username"
    service.check_password_rules("amber otter violin seventeen", "ann")  # a passphrase passes
    service.check_password_rules(service.generate_password("ann"), "ann")
    result = cli(
        "users",
        "create",
        "--username",
        "bob",
        "--role",
        "viewer",
        "--password-stdin",
        input="qwertyuiop123\n",
    )
    assert result.exit_code != 0 and "too common or too easy to guess" in result.output


def test_pages_showing_a_password_or_a_token_once_are_not_stored(app, client, make_user, login):
    make_user("root", "admin")
    login(client, "root")
    page = client.get("/admin/users")
    assert page.headers["Cache-Control"] == "no-store"
    made = client.post(
        "/admin/users",
        data={"csrf_token": csrf_of(page.text), "username": "newbie", "role": "viewer"},
    )
    assert made.status_code == 201 and "只显示这一次" in made.text
    assert made.headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"
