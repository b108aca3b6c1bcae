"""Fixtures for the dashboard: wired app, the small demo data, one account per role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Round
from tests.auth import helpers

# the shared fixtures of the logged-in side
app = helpers.app
make_user = helpers.make_user
login = helpers.login


@pytest.fixture
def demo(app) -> dict[str, str]:
    """Six sectors, previous quarter closed and current open, 60 responses a round."""
    from surveyapp.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, per_round=60, seed=3)
        periods = sorted({r.period for r in db.session.scalars(select(Round))})
    return {"previous": periods[0], "current": periods[-1]}


@pytest.fixture
def accounts(make_user) -> dict[str, int]:
    return {
        "admin": make_user("root", "admin"),
        "evaluator": make_user("eva", "evaluator"),
        "bureau": make_user("shangwu", "bureau", sectors=["catering"]),
        "viewer": make_user("view", "viewer"),
    }


@pytest.fixture
def as_role(app, accounts):
    """``as_role("bureau")`` → a test client signed in with that role's account."""

    def _client(role: str):
        client = app.test_client()
        helpers.sign_in_as(app, client, accounts[role])
        return client

    return _client
