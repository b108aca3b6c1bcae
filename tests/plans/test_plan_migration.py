"""Migration 0013: the plan_value table, up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db


def _insert(conn, period: str, supersedes: int | None) -> None:
    conn.execute(
        text(
            "INSERT INTO plan_value (plan_id, indicator_id, period, value, note, entered_by,"
            " entered_at, supersedes_id) VALUES ('p', 'i', :period, 1.5, 'n', 'cli',"
            " CURRENT_TIMESTAMP, :s)"
        ),
        {"period": period, "s": supersedes},
    )


def test_0013_adds_and_removes_plan_values(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0012")
        assert "plan_value" not in inspect(db.engine).get_table_names()
        upgrade(revision="0013")
        inspector = inspect(db.engine)
        assert "plan_value" in inspector.get_table_names()
        first = next(
            i for i in inspector.get_indexes("plan_value") if i["name"] == "uq_plan_value_first"
        )
        assert first["unique"] and first["column_names"] == ["plan_id", "indicator_id", "period"]
        with db.engine.begin() as conn:
            _insert(conn, "2025", None)
            _insert(conn, "2024", None)  # another period starts its own chain
            _insert(conn, "2025", 1)  # a correction
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert(conn, "2025", None)  # a second start of the 2025 chain
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert(conn, "2025", 1)  # row 1 corrected twice
        downgrade(revision="0012")
        tables = inspect(db.engine).get_table_names()
        assert "plan_value" not in tables and "complaint" in tables
        upgrade()
        assert "plan_value" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
