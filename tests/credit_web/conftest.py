"""Fixtures of the credit pages and API: the wired app, users of each role, and a small
credit world (two recorded periods with movers, a sealed plan with results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from tests.auth import helpers
from tests.credit.credit_data import add_providers, event, provider_id

app = helpers.app
make_user = helpers.make_user

Q3, Q4 = date(2026, 9, 30), date(2026, 12, 6)


@dataclass(frozen=True)
class World:
    codes: list[str]  # catering: P1, P2 (思茅区), P3 (宁洱县); lodging: P4
    plan_id: int
    users: dict[str, int]


@pytest.fixture
def world(app, make_user) -> World:
    """P1 A → D (a penalty and an abnormal listing in Q4), P2 C → A (its penalty repaired),
    P3 A in both; a 2026Q3 plan drew all three (P1 and P3 as A, P2 as C) and P1 passed,
    P2 failed; P3's result is not in."""
    from surveyapp.credit.classes import CreditSettings, compute_classes, record_classes
    from surveyapp.inspections import DrawInputs, draw
    from surveyapp.inspections.service import plan_source, store_plan
    from surveyapp.models.credit import CreditEvent

    with app.app_context():
        s = db.session
        codes = [*add_providers(s, 2), *_more(s)]
        event(s, codes[1], "penalty", date(2026, 6, 1), 1)
        settings = CreditSettings.from_config(app.config)
        record_classes(s, "2026Q3", compute_classes(s, settings, Q3, sector="catering"))
        event(s, codes[0], "penalty", date(2026, 10, 10), 2)
        event(s, codes[0], "abnormal", date(2026, 11, 1), 3)
        repaired = s.scalars(select(CreditEvent).where(CreditEvent.external_id == "e1")).one()
        repaired.ended_on, repaired.end_reason = date(2026, 11, 1), "整改完成"
        s.commit()
        record_classes(s, "2026Q4", compute_classes(s, settings, Q4, sector="catering"))
        inputs = DrawInputs("catering", "2026Q3", {codes[0]: "A", codes[1]: "C", codes[2]: "A"},
                            {"A": 1000, "B": 1000, "C": 1000, "D": 1000},
                            ["I1", "I2", "I3"])  # fmt: skip
        plan = store_plan(s, draw(inputs, 7), "test")
        for code, outcome in ((codes[0], "合格"), (codes[1], "不合格")):
            s.add(CreditEvent(provider_id=provider_id(s, code), kind="inspection",
                              occurred_on=date(2026, 9, 15), source=plan_source(plan),
                              external_id=code, outcome=outcome,
                              description="无证经营" if outcome == "不合格" else None,
                              created_at=datetime(2026, 9, 15, tzinfo=UTC)))  # fmt: skip
        s.commit()
        plan_id = plan.id
    users = {
        "admin": make_user("root", "admin"),
        "bureau": make_user("shangwu", "bureau", sectors=["catering"]),
        "lodging": make_user("lvyou", "bureau", sectors=["lodging"]),
        "evaluator": make_user("eva", "evaluator"),
        "viewer": make_user("view", "viewer"),
    }
    return World(codes, plan_id, users)


def _more(session) -> list[str]:
    """P3 (catering, 宁洱县) and P4 (lodging)."""
    from surveyapp.models import Provider
    from tests.credit.credit_data import credit_code

    out = []
    for n, (sector, district) in enumerate((("catering", "宁洱县"), ("lodging", "思茅区"))):
        code = credit_code(100 + n)
        p = Provider(credit_code=code, name=f"铺{n}", district=district, status="open")
        p.sectors = [sector]
        session.add(p)
        out.append(code)
    session.commit()
    return out


def signed_in(app, user_id: int):
    client = app.test_client()
    helpers.sign_in_as(app, client, user_id)
    return client
