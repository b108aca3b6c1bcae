"""Fixtures for the dashboard: the wired app (the demo data and one account per role are
the shared ``demo`` and ``accounts`` of tests/conftest.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from sqlalchemy import insert, select

from surveyapp.extensions import db
from surveyapp.models import Response, Round
from tests.auth import helpers

# the shared fixtures of the logged-in side
app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role
login = helpers.login


@pytest.fixture(autouse=True)
def no_refresh_left_running(app):
    """A background refresh still running after its test would read (and, on PostgreSQL,
    hold a lock on) the tables the next test empties: wait for it."""
    yield
    from surveyapp.indices.state import STATE_KEY

    state = app.extensions.get(STATE_KEY)
    if state is not None:
        assert state.cache.wait_idle(timeout=300), "a dashboard refresh did not finish"


@pytest.fixture
def add_response(app) -> Callable[..., None]:
    """``add_response(code, rating)`` stores one response to round ``code`` straight into
    the table, as another process (a worker, the importer) would; ``rating(i)`` is the
    answer to the i-th rating item and to the overall item (``i = -1``)."""
    from surveyapp.catalog import questionnaire_of
    from surveyapp.responses.codec import pack_answers, pack_profile

    def _add(code: str, rating: Callable[[int], int] = lambda i: 5) -> None:
        with app.app_context():
            r = db.session.scalar(select(Round).where(Round.code == code))
            q = questionnaire_of(r.questionnaire_version)
            answers = {item.id: rating(i) for i, item in enumerate(q.items)}
            answers[q.overall.id] = rating(-1)
            profile = {"district": "思茅区", "age_group": "30-44", "gender": "女"}
            row = {
                "uid": secrets.token_hex(16),
                "round_id": r.id,
                "questionnaire_version_id": r.questionnaire_version_id,
                "district": "思茅区",
                "duration_seconds": 200.0,
                "channel": "web",
                "answers": pack_answers(q, answers),
                "profile": pack_profile(q, profile),
            }
            db.session.execute(insert(Response), [row])
            db.session.commit()

    return _add
