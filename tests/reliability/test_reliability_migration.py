"""Migration 0004: the ``flags`` column of responses, up and down, on both databases."""

from __future__ import annotations

import os
import uuid

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from surveyapp import create_app
from surveyapp.extensions import db


def _fresh_url(tmp_path):
    base = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not base:
        return "sqlite:///" + str(tmp_path / "mig.db"), None
    url = make_url(base)
    name = f"surveyapp_mig4_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), (admin, name)


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("response")}


def test_0004_adds_and_removes_the_flags_column(tmp_path):
    url, cleanup = _fresh_url(tmp_path)
    try:
        app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0003")
            assert "flags" not in _columns()
            upgrade(revision="0004")
            assert "flags" in _columns()
            with db.engine.connect() as conn:
                assert (
                    conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
                )
            downgrade(revision="0003")
            assert "flags" not in _columns() and "device_hash" in _columns()
            upgrade()
            assert "flags" in _columns()
            db.session.remove()
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
