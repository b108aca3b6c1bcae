"""Rows written by plain SQL in migration tests, where the models may be ahead of the
schema being tested."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from surveyapp import create_app
from surveyapp.extensions import db

#: one open provider (id 1 in a fresh database), as the registry's first migrations made it
PROVIDER_SQL = text(
    "INSERT INTO provider (credit_code, name, district, service_types, status,"
    " created_at, updated_at) VALUES ('91350100M000100Y43', '甲', '思茅区', '[]',"
    " 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def insert_provider(conn) -> None:
    conn.execute(PROVIDER_SQL)


@contextmanager
def migrated_to(url: str, revision: str) -> Iterator[Flask]:
    """An app on the fresh database ``url`` migrated to ``revision``, in its context; its
    connections closed afterwards (PostgreSQL drops the database next)."""
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": url})
    with app.app_context():
        upgrade(revision=revision)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
