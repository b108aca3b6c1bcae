"""Shared fixtures of the logged-in side, imported by the conftests that need them.

``app`` wires accounts and the dashboard into the test app until ``create_app`` does
it (idempotent: once the factory registers them, this adds nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

import surveyapp.models.user  # noqa: F401  (tables known to the metadata)
from surveyapp.extensions import db

PASSWORD = "correct horse battery"


def wire_auth(app: Flask) -> Flask:
    from surveyapp import auth, dashboard
    from surveyapp.accounts.setup import init_auth

    if "auth" not in app.blueprints:
        init_auth(app)
        app.register_blueprint(auth.bp)
    if "dashboard" not in app.blueprints:
        app.register_blueprint(dashboard.bp)
    return app


#: scrypt with a lower cost than production's N=2^15 (the cost is stored in each hash,
#: so checking works the same): keeps the many sign-ins of the tests fast.
TEST_PASSWORD_METHOD = "scrypt:4096:8:1"


@pytest.fixture
def app(app, monkeypatch):
    from surveyapp.accounts import service

    monkeypatch.setattr(service, "PASSWORD_METHOD", TEST_PASSWORD_METHOD)
    return wire_auth(app)


@pytest.fixture
def make_user(app) -> Callable:
    """``make_user("ann", "bureau", sectors=["catering"])`` → the user's id."""
    from surveyapp.accounts.service import create_user

    def _make(
        username: str,
        role: str = "viewer",
        *,
        sectors=None,
        must_change=False,
        password: str = PASSWORD,
    ) -> int:
        with app.app_context():
            user, _ = create_user(
                db.session,
                username,
                role,
                password,
                sectors=sectors,
                must_change_password=must_change,
            )
            db.session.commit()
            return user.id

    return _make


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def login(app) -> Callable:
    """``login(client, "ann")`` signs in through the form; returns the POST response."""

    def _login(client, username: str, password: str = PASSWORD, next: str | None = None):
        page = client.get("/login")
        url = "/login" + (f"?next={next}" if next else "")
        return client.post(
            url,
            data={
                "csrf_token": csrf_of(page.get_data(as_text=True)),
                "username": username,
                "password": password,
            },
        )

    return _login


def sign_in_as(app: Flask, client, user_id: int) -> None:
    """Put ``user_id``'s current session id in the client's cookie (no password check:
    for tests that walk many pages as many users)."""
    from surveyapp.models.user import User

    with app.app_context():
        ident = db.session.get(User, user_id).get_id()
    with client.session_transaction() as sess:
        sess.clear()
        sess["_user_id"] = ident
        sess["_fresh"] = True


@pytest.fixture
def as_role(app, accounts):
    """``as_role("bureau")`` → a test client signed in with that role's account (the
    ``accounts`` fixture of the test's package maps a role to an account id)."""

    def _client(role: str):
        client = app.test_client()
        sign_in_as(app, client, accounts[role])
        return client

    return _client
