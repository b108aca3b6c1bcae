"""Migration 0009: the moderation_decision table, up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from surveyapp import create_app
from surveyapp.extensions import db


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0009_adds_and_removes_moderation_decisions(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0008")
        assert "moderation_decision" not in _tables()
        upgrade(revision="0009")
        assert "moderation_decision" in _tables()
        inspector = inspect(db.engine)
        uniques = [
            u["column_names"] for u in inspector.get_unique_constraints("moderation_decision")
        ]
        assert ["kind", "text_key"] in uniques  # one decision per distinct text
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO moderation_decision (kind, text_key, text, status, decided_by,"
                    " decided_at) VALUES ('suggestion', :k, '希望增加通道', 'approved', 'cli',"
                    " CURRENT_TIMESTAMP)"
                ),
                {"k": "0" * 64},
            )
        downgrade(revision="0008")
        assert "moderation_decision" not in _tables() and "response" in _tables()
        upgrade()
        assert "moderation_decision" in _tables()
        db.session.remove()
        db.engine.dispose()
