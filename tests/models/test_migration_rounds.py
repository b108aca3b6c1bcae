"""Migration 0010: a round's parallel-sample flag and archive time; up and down with a
round in the table on both databases (``fresh_database_url`` is PostgreSQL when
SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from surveyapp import create_app
from surveyapp.extensions import db

NOW = "2026-11-01 10:00:00"


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("survey_round")}


def test_0010_up_and_down_keeps_the_rounds(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO questionnaire_version (id, qid, version, sector, title_zh,"
                    " title_en, content_hash, definition, source, status, created_at) VALUES"
                    " (1, 'q', 1, 'c', 'q', 'q', 'h', '{}', '', 'published', :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO survey_round (id, code, questionnaire_version_id, period,"
                    " opens_at, closes_at, districts, targets, status, require_token, salt,"
                    " created_at) VALUES (1, 'r', 1, '2026Q4', :now, :now, '[]', '{}', 'open',"
                    " false, 's', :now)"
                ),
                {"now": NOW},
            )
        upgrade(revision="0010")
        assert {"parallel", "archived_at"} <= _columns()
        with db.engine.begin() as conn:
            row = conn.execute(text("SELECT parallel, archived_at FROM survey_round")).one()
            assert (bool(row[0]), row[1]) == (False, None)  # existing rounds: main, shown
            conn.execute(
                text("UPDATE survey_round SET parallel = true, archived_at = :now"),
                {"now": NOW},
            )
        downgrade(revision="0009")
        assert not {"parallel", "archived_at"} & _columns()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT code FROM survey_round")).scalars().all() == ["r"]
        upgrade(revision="0010")
        assert {"parallel", "archived_at"} <= _columns()
        db.engine.dispose()
