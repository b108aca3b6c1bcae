"""Fixtures of the supervision pages: the wired app, a bureau per sector, an
administrator, and a sealed catering plan of D-class providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from surveyapp.extensions import db
from tests.auth import helpers
from tests.credit.credit_data import add_providers, event

app = helpers.app
make_user = helpers.make_user


@dataclass(frozen=True)
class World:
    drawn: list[str]
    plan_id: int
    users: dict[str, int]


@pytest.fixture
def world(app, make_user) -> World:
    from surveyapp.credit.classes import CreditSettings
    from surveyapp.inspections import draw
    from surveyapp.inspections.service import gather_inputs, store_plan
    from surveyapp.models.credit import Inspector

    with app.app_context():
        s = db.session
        codes = add_providers(s, 4)
        for n, code in enumerate(codes):
            event(s, code, "penalty", date(2026, 5, 1), n)
            event(s, code, "abnormal", date(2026, 5, 1), 100 + n)  # class D
        s.add_all(
            [Inspector(code=f"i{n}", name=name) for n, name in enumerate(("张三", "李四", "王五"))]
        )
        s.commit()
        inputs = gather_inputs(s, CreditSettings.from_config({}), "catering", "2026Q4", [],
                               date(2026, 12, 6))  # fmt: skip
        row = store_plan(s, draw(inputs, 11), "test")
        drawn = [d["id"] for d in row.plan["drawn"]]
        plan_id = row.id
    users = {
        "bureau": make_user("shangwu", "bureau", sectors=["catering"]),
        "other": make_user("wenlv", "bureau", sectors=["tourism"]),
        "admin": make_user("root", "admin"),
        "evaluator": make_user("eva", "evaluator"),
    }
    return World(drawn, plan_id, users)


@pytest.fixture
def signed(app, world):
    def _client(who: str):
        client = app.test_client()
        helpers.sign_in_as(app, client, world.users[who])
        return client

    return _client
