"""Fixtures for the responses downloads: the wired app, one account per role, and a
catering round with a few responses (one leaving a phone number)."""

from __future__ import annotations

import pytest

from tests.auth import helpers
from tests.responses.export_helpers import submit_suggestions

app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role

SUGGESTIONS = ["请联系我 13812345678", "希望增加无障碍通道", "服务很好"]


@pytest.fixture
def accounts(accounts, make_user) -> dict[str, int]:
    """The shared accounts (tests/conftest.py) and a bureau of another sector."""
    return {**accounts, "other_bureau": make_user("minzheng", "bureau", sectors=["elderly_care"])}


@pytest.fixture
def round_code(app, make_round) -> str:
    code = make_round("catering", code="catering-dl")
    submit_suggestions(app, code, SUGGESTIONS)
    return code
