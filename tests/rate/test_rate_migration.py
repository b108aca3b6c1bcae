"""Migrations 0017 (rating-form versions, the rating's channel and signals) and 0027 (the
rating's revision), up and down on both databases; the one-per-device-per-window indexes
survive the table rebuild and the dropped column."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from tests.migration_rows import insert_provider, migrated_to

NEW_COLUMNS = {"channel", "channel_key_id", "source_hash", "flags"}


def _rating(conn, device: str, practitioner: int | None = None) -> None:
    conn.execute(
        text(
            "INSERT INTO rating (provider_id, practitioner_id, sector, form_id, form_version,"
            " answers, overall, device_hash, window_start, created_at) VALUES (1, :p,"
            " 'catering', 'f', 1, :a, 5, :d, '2026-12-01', CURRENT_TIMESTAMP)"
        ),
        {"a": b"\x05", "d": device, "p": practitioner},
    )


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("rating")}


def test_0017_up_and_down_keeps_ratings_and_their_unique_windows(fresh_database_url):
    with migrated_to(fresh_database_url, "0016"):
        with db.engine.begin() as conn:
            insert_provider(conn)
            _rating(conn, "d1")
        assert not NEW_COLUMNS & _columns()
        upgrade(revision="0017")
        assert NEW_COLUMNS <= _columns()
        assert "rating_form_version" in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT channel FROM rating")).scalar_one() == "web"
            _rating(conn, "d2")  # another device: fine
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _rating(conn, "d1")  # the same device in the same window: refused
        downgrade(revision="0016")
        assert not NEW_COLUMNS & _columns()
        assert "rating_form_version" not in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM rating")).scalar_one() == 2
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _rating(conn, "d2")


def test_0027_counts_replacements_from_0_and_leaves_the_unique_windows_down(fresh_database_url):
    with migrated_to(fresh_database_url, "0026"):
        with db.engine.begin() as conn:
            insert_provider(conn)
            _rating(conn, "d1")
        assert "revision" not in _columns()
        upgrade(revision="0027")
        with db.engine.begin() as conn:  # a rating stored before: never replaced as far as known
            assert conn.execute(text("SELECT revision FROM rating")).scalar_one() == 0
            _rating(conn, "d2")  # a row written without it: 0
            assert conn.execute(text("SELECT sum(revision) FROM rating")).scalar_one() == 0
        downgrade(revision="0026")
        assert "revision" not in _columns()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM rating")).scalar_one() == 2
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _rating(conn, "d2")  # the one-per-window index is still there
