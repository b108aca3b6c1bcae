"""Fixtures of the review tests: signed-in roles, apps with the limits wired, residents."""

from __future__ import annotations

import pytest

from tests.auth import helpers
from tests.security.wiring import make_app  # noqa: F401
from tests.survey.conftest import stored, survey  # noqa: F401

app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role


@pytest.fixture
def accounts(make_user) -> dict[str, int]:
    return {
        "admin": make_user("root", "admin"),
        "evaluator": make_user("eva", "evaluator"),
        "bureau": make_user("bao", "bureau", sectors=["catering"]),
        "other": make_user("lin", "bureau", sectors=["lodging"]),
        "viewer": make_user("vic", "viewer"),
    }
