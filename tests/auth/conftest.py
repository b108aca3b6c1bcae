"""Fixtures for accounts: the wired app, account factory, logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from surveyapp.extensions import db
from tests.auth.wiring import wire_auth

PASSWORD = "correct horse battery"


@pytest.fixture
def app(app):
    return wire_auth(app)


@pytest.fixture
def make_user(app) -> Callable:
    """``make_user("ann", "bureau", sectors=["catering"])`` → the user's id."""
    from surveyapp.auth.service import create_user

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
