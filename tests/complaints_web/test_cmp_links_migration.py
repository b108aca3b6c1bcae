"""Migration 0021: the complaints' covering count indexes, up and down on both databases
(``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from surveyapp import create_app
from surveyapp.extensions import db

NAMES = {"ix_complaint_received_counts", "ix_complaint_accepted_counts",
         "ix_complaint_closed_counts"}  # fmt: skip


def _indexes() -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("complaint")}


def test_0021_adds_and_removes_the_count_indexes(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0020")
        assert not NAMES & set(_indexes())
        upgrade(revision="0021")
        found = _indexes()
        assert NAMES <= set(found)
        assert found["ix_complaint_accepted_counts"] == ["accepted_at", "sector", "created_at"]
        downgrade(revision="0020")
        assert not NAMES & set(_indexes())
        assert "ix_complaint_status_received_at" in _indexes()  # the older ones stay
        upgrade(revision="0021")
        assert NAMES <= set(_indexes())
        db.session.remove()
        db.engine.dispose()
