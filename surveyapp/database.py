"""Engine set-up that makes SQLite safe for several writer processes.

A naive SQLite set-up fails under gunicorn with "database is locked": the default
rollback journal blocks readers while a writer commits and the driver gives up at
once.  WAL mode lets readers go on during a write, and the busy timeout makes a
second writer wait its turn instead of failing.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError


def configure_engine(engine: Engine, busy_timeout_ms: int = 10000) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - exercised via engine
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # A read-only or in-memory database keeps its journal mode; that is fine.
        with contextlib.suppress(Exception):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the database cannot be reached or written right now."""
    return isinstance(exc, OperationalError)
