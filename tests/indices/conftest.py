"""Fixtures for the numbers' home: a city's installation without the demo's margins."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Round
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role


@pytest.fixture
def accounts(make_user) -> dict[str, int]:
    return {
        "admin": make_user("root", "admin"),
        "evaluator": make_user("eva", "evaluator"),
    }


@pytest.fixture
def city(app, monkeypatch) -> dict[str, str]:
    """Rounds as a real city has them before it uploads population margins: the demo's
    responses, none of the demo's margins; any path that still reaches for the demo's
    population structure fails the test."""
    from surveyapp import demo

    with app.app_context():
        demo.seed_demo(db.session, per_round=150, seed=11)
        for r in db.session.scalars(select(Round)):
            r.margins = None
        db.session.commit()
        periods = sorted({r.period for r in db.session.scalars(select(Round))})

    def refuse():
        raise AssertionError("the demo's margins were used outside the demo")

    monkeypatch.setattr(demo, "population_margins", refuse)
    previous = periods[0]
    return {
        "previous": previous,
        "current": periods[-1],
        "catering": f"catering-{previous.lower()}",
    }
