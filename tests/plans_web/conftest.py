"""Fixtures of the plan pages and API: the wired app, one account per role (the bureau
for catering), an elderly-care bureau, signed-in clients and API tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.extensions import db
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role
csrf_of = helpers.csrf_of

PUER = "puer-2023-quality"
LINCANG = "lincang-2025-life-services"


@pytest.fixture
def token(app, accounts) -> Callable[[str], dict[str, str]]:
    """``token("bureau")`` → the ``Authorization`` header of a fresh token of that role's
    account (``accounts``, or a username made with ``make_user``)."""
    from surveyapp.api.tokens import create_token
    from surveyapp.models import User

    def _token(role: str) -> dict[str, str]:
        with app.app_context():
            owner = db.session.get(User, accounts[role])
            plain = create_token(db.session, owner, f"test-{role}", actor="cli")[1]
            db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return _token


@pytest.fixture
def elderly_bureau(make_user, accounts) -> int:
    accounts["minzheng"] = make_user("minzheng", "bureau", sectors=["elderly_care"])
    return accounts["minzheng"]


def form_post(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST ``data`` with the CSRF token of ``page`` (default ``url``)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_of(html), **data}, **kwargs)
