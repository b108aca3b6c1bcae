"""Migration 0015: the round's auxiliaries column, up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from surveyapp import create_app
from surveyapp.extensions import db


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("survey_round")}


def test_0015_adds_and_removes_the_auxiliaries_column(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0014")
        assert "auxiliaries" not in _columns()
        upgrade(revision="0015")
        column = next(
            c for c in inspect(db.engine).get_columns("survey_round") if c["name"] == "auxiliaries"
        )
        assert column["nullable"]
        downgrade(revision="0014")
        columns = _columns()
        assert "auxiliaries" not in columns and "margins" in columns
        upgrade()
        assert "auxiliaries" in _columns()
        db.session.remove()
        db.engine.dispose()
