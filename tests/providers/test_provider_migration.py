"""Migration 0011: the registry and rating tables, up and down, on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db

TABLES = {"provider", "provider_sector", "practitioner", "rating"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _insert_provider(conn, code: str | None, registration: str | None) -> None:
    conn.execute(
        text(
            "INSERT INTO provider (credit_code, registration_no, name, district, service_types,"
            " status, created_at, updated_at) VALUES (:c, :r, '甲', '思茅区', '[]', 'open',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"c": code, "r": registration},
    )


def _insert_rating(conn, device: str) -> None:
    conn.execute(
        text(
            "INSERT INTO rating (provider_id, sector, form_id, form_version, answers, overall,"
            " device_hash, window_start, created_at) VALUES (1, 'catering', 'f', 1, :a, 5, :d,"
            " '2026-12-01', CURRENT_TIMESTAMP)"
        ),
        {"a": b"\x05", "d": device},
    )


def test_0011_adds_and_removes_the_registry(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0010")
        assert not TABLES & _tables()
        upgrade(revision="0011")
        assert TABLES <= _tables()
        inspector = inspect(db.engine)
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("provider")}
        assert {("credit_code",), ("registration_no",)} <= uniques
        indexes = {i["name"]: i for i in inspector.get_indexes("rating")}
        window = indexes["uq_rating_provider_device_window"]
        assert window["unique"] and window["column_names"] == [
            "provider_id",
            "device_hash",
            "window_start",
        ]
        with db.engine.begin() as conn:
            _insert_provider(conn, "91350100M000100Y43", None)
            _insert_rating(conn, "d1")
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert_rating(conn, "d1")  # the same device, provider and window
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert_provider(conn, None, None)  # neither identifier
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert_provider(conn, "91350100M000100Y43", None)  # a code twice
        downgrade(revision="0010")
        assert not TABLES & _tables() and "survey_round" in _tables()
        upgrade()
        assert TABLES <= _tables()
        db.session.remove()
        db.engine.dispose()
