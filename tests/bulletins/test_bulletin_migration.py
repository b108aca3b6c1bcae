"""Migration 0002 creates the bulletin table and its downgrade removes it, on both databases."""

from __future__ import annotations

import os
import uuid

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models.bulletin import Bulletin


def _fresh_url(tmp_path):
    base = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not base:
        return "sqlite:///" + str(tmp_path / "mig.db"), None
    url = make_url(base)
    name = f"surveyapp_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), (admin, name)


def test_0002_upgrade_and_downgrade(tmp_path):
    url, cleanup = _fresh_url(tmp_path)
    try:
        app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0002")
            inspector = inspect(db.engine)
            columns = {c["name"] for c in inspector.get_columns("bulletin")}
            assert columns == {c.name for c in Bulletin.__table__.columns}
            uniques = {
                tuple(u["column_names"]) for u in inspector.get_unique_constraints("bulletin")
            }
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
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
