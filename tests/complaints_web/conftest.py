"""Fixtures of the complaint pages: the wired app (accounts), users, providers, cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from surveyapp.extensions import db
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role


@pytest.fixture
def provider(app) -> int:
    from surveyapp.models import Provider
    from tests.complaints.conftest import credit_code

    with app.app_context():
        row = Provider(credit_code=credit_code(7), name="普洱茶楼", district="思茅区",
                       service_types=[], status="open")  # fmt: skip
        row.sectors = ["catering"]
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.fixture
def make_case(app) -> Callable[..., int]:
    """``make_case(days_ago=3, provider_id=None)`` stores a web complaint; its id."""
    from surveyapp.complaints import ComplaintDraft, ComplaintSettings, intake
    from surveyapp.models.base import utcnow

    def _make(days_ago: int = 1, provider_id: int | None = None, sector: str = "catering") -> int:
        with app.app_context():
            draft = ComplaintDraft(
                received_at=utcnow() - timedelta(days=days_ago),
                channel="web",
                sector=sector,
                category="价格",
                description="标价与结账不一致",
                provider_id=provider_id,
                provider_name=None if provider_id else "某餐馆",
                complainant_name="张三丰",
                complainant_phone="13812345678",
            )
            return intake(db.session, [draft], "test", ComplaintSettings())[0].case.id

    return _make


def sign_in(app, client, user_id: int) -> None:
    helpers.sign_in_as(app, client, user_id)
