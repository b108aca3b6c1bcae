"""Migration 0024: the communities of the 15-minute circle, up and down on both
databases (``fresh_database_url`` is PostgreSQL when SURVEYAPP_TEST_DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db

ROW = (
    "INSERT INTO circle_community (name, district, population, lat, lon, source_row, source,"
    " imported_at) VALUES ('甲', '思茅区', {pop}, 22.7, 100.9, 2, 'c.csv', CURRENT_TIMESTAMP)"
)


def test_0024_adds_and_removes_the_communities_table(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0023")
        assert "circle_community" not in inspect(db.engine).get_table_names()
        upgrade(revision="0024")
        columns = {c["name"] for c in inspect(db.engine).get_columns("circle_community")}
        assert {"name", "district", "population", "lat", "lon", "imported_at"} <= columns
        with db.engine.begin() as conn:
            conn.execute(text(ROW.format(pop=12000)))
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(ROW.format(pop=5)))  # the same community of the same district
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(ROW.format(pop=-1).replace("'甲'", "'乙'")))
        downgrade(revision="0023")
        assert "circle_community" not in inspect(db.engine).get_table_names()
        upgrade(revision="0024")
        assert "circle_community" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
