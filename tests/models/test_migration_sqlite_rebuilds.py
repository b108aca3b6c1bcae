"""A migration that rebuilds a table on SQLite (batch mode: copy, drop, rename) must not
trip over rows that point at it.  The app turns SQLite's foreign keys on; dropping
``provider`` while ratings reference it failed in 0019 on any database with ratings.
The environment turns the keys off for the migration and checks them after."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from surveyapp import create_app
from surveyapp.extensions import db
from tests.providers.test_provider_migration import _insert_provider, _insert_rating


def test_rebuilding_a_referenced_table_keeps_its_rows_and_the_keys_on(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0018")
        with db.engine.begin() as conn:
            _insert_provider(conn, "91350100M000100Y43", None)
            _insert_rating(conn, "d1")
        upgrade()  # 0019 rebuilds provider on SQLite
        downgrade(revision="0018")  # and again on the way down
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM rating")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM provider")).scalar() == 1
            if conn.dialect.name == "sqlite":  # the pooled connection has its keys on again
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
