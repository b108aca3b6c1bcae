"""Migration 0019: ``provider.merged_into_id`` up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from surveyapp import create_app
from surveyapp.extensions import db


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("provider")}


def test_0019_adds_and_removes_merged_into(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0018")
        assert "merged_into_id" not in _columns()
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO provider (credit_code, name, district, service_types, status,"
                " created_at, updated_at) VALUES ('91350100M000100Y43', '甲', '思茅区', '[]',"
                " 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ))  # fmt: skip
        upgrade(revision="0019")
        assert "merged_into_id" in _columns()
        fks = inspect(db.engine).get_foreign_keys("provider")
        assert any(fk["constrained_columns"] == ["merged_into_id"] for fk in fks)
        with db.engine.begin() as conn:  # the row survived the table's rebuild (SQLite)
            assert conn.execute(text("SELECT name, merged_into_id FROM provider")).all() == [
                ("甲", None)
            ]
        downgrade(revision="0018")
        assert "merged_into_id" not in _columns()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM provider")).scalar() == 1
        upgrade()
        assert "merged_into_id" in _columns()
        db.session.remove()
        db.engine.dispose()
