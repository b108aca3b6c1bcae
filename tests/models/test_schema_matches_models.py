"""The schema the migrations build is the one the models declare (Alembic's own
comparison, on the test backend: SQLite, or PostgreSQL when SURVEYAPP_TEST_DATABASE_URL
says so).  A model changed without its migration, or a migration that drifted from its
model (a nullability, an index, a constraint's name), fails here rather than in a
production upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from surveyapp import create_app
from surveyapp.extensions import db


def test_the_migrated_schema_is_the_models_schema(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert differences == []
