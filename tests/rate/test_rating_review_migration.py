"""Migration 0020: held bursts (``rating_wave``, ``rating.review``), the per-sector device
window, per-item and last-period scores; up and down on both databases."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db
from tests.migration_rows import insert_provider

TABLES = {"rating_wave", "provider_item_score", "provider_score_past"}


def _rating(conn, device: str, sector: str, at: str, review: str | None = None) -> None:
    columns, values = "", ""
    if review is not None:
        columns, values = ", review", ", :r"
    conn.execute(
        text(
            "INSERT INTO rating (provider_id, sector, form_id, form_version, answers, overall,"
            f" device_hash, window_start, created_at, channel{columns}) VALUES (1, :s, 'f', 1,"
            f" :a, 5, :d, '2026-12-01', :t, 'web'{values})"
        ),
        {"a": b"\x05", "d": device, "s": sector, "t": at, "r": review},
    )


def _count(conn) -> int:
    return conn.execute(text("SELECT count(*) FROM rating")).scalar_one()


def test_0020_up_and_down(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0019")
        with db.engine.begin() as conn:
            insert_provider(conn)
            _rating(conn, "d1", "catering", "2026-12-02 01:00:00")
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _rating(conn, "d1", "lodging", "2026-12-02 02:00:00")  # before: one per window
        upgrade(revision="0020")
        inspector = inspect(db.engine)
        assert TABLES <= set(inspector.get_table_names())
        assert {"review", "wave_id"} <= {c["name"] for c in inspector.get_columns("rating")}
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT review FROM rating")).scalar_one() == "counted"
            _rating(conn, "d1", "lodging", "2026-12-02 02:00:00")  # now: one per sector
            _rating(conn, "d9", "catering", "2026-12-02 03:00:00", review="held")
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _rating(conn, "d1", "lodging", "2026-12-02 04:00:00")  # the same sector again
        with db.engine.begin() as conn:
            assert _count(conn) == 3
        downgrade(revision="0019")
        inspector = inspect(db.engine)
        assert not TABLES & set(inspector.get_table_names())
        assert "review" not in {c["name"] for c in inspector.get_columns("rating")}
        with db.engine.begin() as conn:
            # the held rating went; of d1's two sectors the later rating stayed
            rows = conn.execute(text("SELECT device_hash, sector FROM rating")).all()
            assert sorted(tuple(r) for r in rows) == [("d1", "lodging")]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _rating(conn, "d1", "catering", "2026-12-02 05:00:00")
        upgrade(revision="0020")  # and up again
        db.session.remove()
        db.engine.dispose()
