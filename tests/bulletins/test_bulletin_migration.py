"""Migration 0002 creates the bulletin table and its downgrade removes it, on both databases."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models.bulletin import Bulletin


def test_0002_upgrade_and_downgrade(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0002")
        inspector = inspect(db.engine)
        columns = {c["name"] for c in inspector.get_columns("bulletin")}
        assert columns == {c.name for c in Bulletin.__table__.columns}
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("bulletin")}
        assert {("edition",), ("replaces_id",)} <= uniques
        assert [fk["referred_table"] for fk in inspector.get_foreign_keys("bulletin")] == [
            "bulletin"
        ]
        downgrade(revision="0001")
        tables = set(inspect(db.engine).get_table_names())
        assert "bulletin" not in tables and "response" in tables
        upgrade(revision="0002")
        assert "bulletin" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
