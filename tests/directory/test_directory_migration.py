"""Migration 0018: hidden comments, replies, provider accounts and the stored scores,
up and down, on both databases (PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db
from tests.migration_rows import insert_provider

TABLES = {"provider_score", "provider_score_state", "rating_comment_hidden", "rating_reply"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0018_adds_and_removes_comments_replies_and_scores(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0017")
        assert not TABLES & _tables()
        upgrade(revision="0018")
        assert TABLES <= _tables()
        columns = {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        assert "provider_id" in columns
        with db.engine.begin() as conn:
            insert_provider(conn)
            conn.execute(
                text(
                    "INSERT INTO rating (provider_id, sector, form_id, form_version, answers,"
                    " overall, comment, window_start, created_at) VALUES (1, 'catering', 'f', 1,"
                    " :a, 5, 'ok', '2026-12-01', CURRENT_TIMESTAMP)"
                ),
                {"a": b"\x05"},
            )
        reply = text(
            "INSERT INTO rating_reply (rating_id, provider_id, text, written_by, created_at)"
            " VALUES (1, 1, 'thanks', 'shop', CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as conn:
            conn.execute(reply)
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(reply)  # one reply per comment, whatever the application does
        downgrade(revision="0017")
        assert not TABLES & _tables() and "rating" in _tables()
        columns = {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        assert "provider_id" not in columns
        upgrade(revision="0018")
        assert TABLES <= _tables()
        db.session.remove()
        db.engine.dispose()
