"""Migrations 0021, 0026 and 0028: the complaints' covering count indexes, the day indexes they
make redundant and the sector's index, up and down on both databases
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


def test_0026_drops_the_day_indexes_the_count_indexes_cover(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    dropped = {"ix_complaint_received_at", "ix_complaint_closed_at"}
    with app.app_context():
        upgrade(revision="0025")
        assert dropped <= set(_indexes())
        upgrade(revision="0026")
        found = _indexes()
        assert not dropped & set(found)
        assert found["ix_complaint_received_counts"][0] == "received_at"  # what serves them
        assert found["ix_complaint_closed_counts"][0] == "closed_at"
        downgrade(revision="0025")
        assert _indexes()["ix_complaint_closed_at"] == ["closed_at"]
        assert _indexes()["ix_complaint_received_at"] == ["received_at"]
        upgrade(revision="0026")
        assert not dropped & set(_indexes())
        db.session.remove()
        db.engine.dispose()


def _where() -> dict[str, str]:
    """Each partial index's predicate as reflected (either database's spelling)."""
    found = {}
    for index in inspect(db.engine).get_indexes("complaint"):
        options = index.get("dialect_options", {})
        clause = options.get("sqlite_where", options.get("postgresql_where"))
        if clause is not None:
            found[index["name"]] = str(clause).replace("(", "").replace(")", "")
    return found


PARTIAL = {"ix_complaint_status_accepted_at": "accepted_at IS NOT NULL",
           "ix_complaint_accepted_counts": "accepted_at IS NOT NULL",
           "ix_complaint_closed_counts": "closed_at IS NOT NULL",
           "ix_complaint_handler_id": "handler_id IS NOT NULL"}  # fmt: skip


def test_0028_drops_the_sectors_index_and_indexes_set_days_and_handlers_only(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0027")
        before = _indexes()
        assert before["ix_complaint_sector"] == ["sector"] and not _where()
        upgrade(revision="0028")
        assert "ix_complaint_sector" not in _indexes()
        assert _where() == PARTIAL
        assert {name: _indexes()[name] for name in PARTIAL} == {n: before[n] for n in PARTIAL}
        downgrade(revision="0027")
        assert _indexes() == before and not _where()
        upgrade(revision="0028")
        assert _where() == PARTIAL and "ix_complaint_sector" not in _indexes()
        db.session.remove()
        db.engine.dispose()
