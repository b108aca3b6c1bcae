"""Fixtures for the rounds admin: the wired app, accounts, an admin's signed-in client."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login

ROLES = ("admin", "evaluator", "bureau", "viewer")


@pytest.fixture
def client_as(app, make_user) -> Callable:
    """``client_as("admin")`` → a test client signed in with a new account of that role."""
    made: dict[str, int] = {}

    def _client(role: str):
        if role not in made:
            sectors = ["catering"] if role == "bureau" else None
            made[role] = make_user(f"{role}-user", role, sectors=sectors)
        client = app.test_client()
        helpers.sign_in_as(app, client, made[role])
        return client

    return _client


@pytest.fixture
def admin(client_as):
    return client_as("admin")


def csrf(client, url: str) -> str:
    """The CSRF token of the form on ``url`` (every admin form shares the session's)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return helpers.csrf_of(page.get_data(as_text=True))
