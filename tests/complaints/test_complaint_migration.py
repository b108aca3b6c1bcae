"""Migration 0012: the complaint tables, up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db

TABLES = {"complaint", "complaint_event"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _insert(conn, external: str, receipt: str, status: str = "received", outcome=None) -> None:
    conn.execute(
        text(
            "INSERT INTO complaint (external_id, receipt_hash, channel, received_at, sector,"
            " category, description, status, outcome, amount, created_at) VALUES (:e, :r,"
            " '12315', CURRENT_TIMESTAMP, 'catering', '价格', '描述', :s, :o, 12.5,"
            " CURRENT_TIMESTAMP)"
        ),
        {"e": external, "r": receipt, "s": status, "o": outcome},
    )


def test_0012_adds_and_removes_the_complaint_tables(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0011")
        assert not TABLES & _tables()
        upgrade(revision="0012")
        assert TABLES <= _tables()
        uniques = {
            tuple(u["column_names"]) for u in inspect(db.engine).get_unique_constraints("complaint")
        }
        assert {("channel", "external_id"), ("receipt_hash",)} <= uniques
        with db.engine.begin() as conn:
            _insert(conn, "A", "h1")
            amount = conn.execute(text("SELECT amount FROM complaint")).scalar_one()
            assert float(amount) == 12.5
        for bad in (
            ("A", "h2"),
            ("B", "h1"),
            ("C", "h3", "archived"),
            ("D", "h4", "closed", "撤诉"),
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                _insert(conn, *bad)
        downgrade(revision="0011")
        assert not TABLES & _tables() and "provider" in _tables()
        upgrade(revision="0012")
        assert TABLES <= _tables()
        db.session.remove()
        db.engine.dispose()
