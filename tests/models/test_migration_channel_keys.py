"""Migration 0007: the channel_key table and response.channel_key_id, up and down, on both
databases (``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from surveyapp import create_app
from surveyapp.extensions import db


def _schema() -> tuple[set[str], set[str]]:
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("response")}
    return tables, columns


def test_0007_adds_and_removes_channel_keys(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0006")
        tables, columns = _schema()
        assert "channel_key" not in tables and "channel_key_id" not in columns
        upgrade(revision="0007")
        tables, columns = _schema()
        assert "channel_key" in tables and "channel_key_id" in columns
        inspector = inspect(db.engine)
        uniques = [u["column_names"] for u in inspector.get_unique_constraints("channel_key")]
        assert ["key_hash"] in uniques  # the lookup of every keyed post is by this index
        foreign = inspector.get_foreign_keys("response")
        assert any(
            fk["referred_table"] == "channel_key"
            and fk["constrained_columns"] == ["channel_key_id"]
            for fk in foreign
        )
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO channel_key (name, channel, key_hash, trusted_stamps, created_at)"
                    " VALUES ('hall', 'kiosk', :h, false, CURRENT_TIMESTAMP)"
                ),
                {"h": "0" * 64},
            )
        downgrade(revision="0006")
        tables, columns = _schema()
        assert "channel_key" not in tables and "channel_key_id" not in columns
        assert "flags" in columns and "device_hash" in columns  # the rest of the table stays
        upgrade()
        tables, columns = _schema()
        assert "channel_key" in tables and "channel_key_id" in columns
        db.session.remove()
        db.engine.dispose()
