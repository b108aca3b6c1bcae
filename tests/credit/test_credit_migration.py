"""Migration 0014: the credit and inspection tables, up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db

TABLES = {"credit_event", "credit_class_override", "credit_class_history", "inspector",
          "inspector_conflict", "inspection_plan"}  # fmt: skip


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _event(conn, ext: str, kind: str, outcome=None, public=False) -> None:
    conn.execute(
        text(
            "INSERT INTO credit_event (provider_id, kind, occurred_on, source, external_id,"
            " outcome, public, created_at) VALUES (1, :k, '2026-01-01', 's', :e, :o, :p,"
            " CURRENT_TIMESTAMP)"
        ),
        {"k": kind, "e": ext, "o": outcome, "p": public},
    )


def test_0014_adds_and_removes_the_credit_tables(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0013")
        assert not TABLES & _tables()
        upgrade(revision="0014")
        assert TABLES <= _tables()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO provider (id, credit_code, name, district, service_types,"
                    " status, created_at, updated_at) VALUES (1, '91350100M000100Y43', 'x',"
                    " 'd', '[]', 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            _event(conn, "a", "inspection", "不合格")
            _event(conn, "b", "penalty", None, True)
        for bad in (
            ("a", "penalty"),  # same source and number
            ("c", "inspection"),  # no outcome
            ("d", "penalty", "合格"),  # an outcome for a penalty
            ("e", "abnormal", None, True),  # not public by law
            ("f", "warning"),
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                _event(conn, *bad)
        downgrade(revision="0013")
        assert not TABLES & _tables() and "provider" in _tables()
        upgrade(revision="0014")
        assert TABLES <= _tables()
        db.session.remove()
        db.engine.dispose()
