"""Migration 0016: handlers, explanations, publicity editions and warnings, up and down
on both databases (``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL
says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db

TABLES = {"complaint_explanation", "complaint_publicity_edition", "consumer_warning"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_0016_adds_and_removes_the_handling_tables(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0015")
        assert not TABLES & _tables() and "handler_id" not in _columns("complaint")
        upgrade(revision="0016")
        assert TABLES <= _tables() and "handler_id" in _columns("complaint")
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO consumer_warning (scope, title, body, issuer, published_at)"
                    " VALUES ('everyone', 't', 'b', 'u', CURRENT_TIMESTAMP)"
                )
            )
        downgrade(revision="0015")
        assert not TABLES & _tables() and "handler_id" not in _columns("complaint")
        upgrade(revision="0016")
        assert TABLES <= _tables()
        db.session.remove()
        db.engine.dispose()
