"""Migrations: upgrade builds the models' schema, downgrade removes it, on both databases."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Base


def test_upgrade_matches_models_and_downgrade_empties(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        tables = set(inspector.get_table_names()) - {"alembic_version"}
        assert tables == set(Base.metadata.tables)
        for table in Base.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("response")}
        assert ("round_id", "device_hash") in uniques
        # address + browser is a signal (issue 14, item 5): two residents may share it
        assert ("round_id", "fingerprint_hash") not in uniques
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "response" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    app = create_app(
        {"SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite:///" + str(tmp_path / "w.db")}
    )
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        db.engine.dispose()
