"""Migration 0008: review waves, the review state of a response, the fingerprint no longer
unique; up and down with data on both databases (``fresh_database_url`` is PostgreSQL
when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from surveyapp import create_app
from surveyapp.extensions import db

NOW = "2026-11-01 10:00:00"


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("response")}


def _insert_round(conn) -> None:
    conn.execute(
        text(
            "INSERT INTO questionnaire_version (id, qid, version, sector, title_zh, title_en,"
            " content_hash, definition, source, status, created_at) VALUES (1, 'q', 1, 'c',"
            " 'q', 'q', 'h', '{}', '', 'published', :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO survey_round (id, code, questionnaire_version_id, period, opens_at,"
            " closes_at, districts, targets, status, require_token, salt, created_at)"
            " VALUES (1, 'r', 1, '2026Q4', :now, :now, '[]', '{}', 'open', false, 's', :now)"
        ),
        {"now": NOW},
    )


def _insert_response(conn, uid: str, fingerprint: str, duration, key_id=None) -> None:
    conn.execute(
        text(
            "INSERT INTO response (uid, round_id, questionnaire_version_id, submitted_at,"
            " duration_seconds, channel, answers, profile, fingerprint_hash, channel_key_id)"
            " VALUES (:uid, 1, 1, :now, :d, 'web', :a, :a, :fp, :key)"
        ),
        {"uid": uid, "now": NOW, "d": duration, "a": b"\x01", "fp": fingerprint, "key": key_id},
    )


def test_0008_up_and_down_with_two_residents_behind_one_address(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            _insert_round(conn)
            conn.execute(
                text(
                    "INSERT INTO channel_key (id, name, channel, key_hash, trusted_stamps,"
                    " created_at) VALUES (1, 'hall', 'kiosk', :h, false, :now)"
                ),
                {"h": "0" * 64, "now": NOW},
            )
            _insert_response(conn, "a", "fp1", 300.0)  # the survey pages: signed stamp
            _insert_response(conn, "b", "fp2", 300.0, key_id=1)  # untrusted client stamp
        upgrade(revision="0008")
        assert {"review", "wave_id", "source_hash", "prefix_hash", "stamp_trusted"} <= _columns()
        assert "review_wave" in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            rows = conn.execute(
                text("SELECT uid, review, stamp_trusted FROM response ORDER BY uid")
            ).all()
            assert [(r[0], r[1], bool(r[2])) for r in rows] == [
                ("a", "counted", True),
                ("b", "counted", False),
            ]
            _insert_response(conn, "c", "fp1", None)  # a second resident, same address+browser
            conn.execute(text("UPDATE response SET flags = :f WHERE uid = 'c'"), {"f": "x" * 100})
        downgrade(revision="0007")
        assert "review" not in _columns()
        assert "review_wave" not in inspect(db.engine).get_table_names()
        uniques = {
            tuple(u["column_names"]) for u in inspect(db.engine).get_unique_constraints("response")
        }
        assert ("round_id", "fingerprint_hash") in uniques
        with db.engine.begin() as conn:
            kept = conn.execute(
                text("SELECT uid, fingerprint_hash FROM response ORDER BY uid")
            ).all()
        assert [tuple(r) for r in kept] == [("a", "fp1"), ("b", "fp2"), ("c", None)]
        upgrade(revision="0008")  # and up again, with the data
        assert "review" in _columns()
        db.session.remove()
        db.engine.dispose()
