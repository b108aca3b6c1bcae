"""Engine set-up: SQLite safe for several writer processes, PostgreSQL safe across restarts.

A naive SQLite set-up fails under gunicorn with "database is locked": the default
rollback journal blocks readers while a writer commits and the driver gives up at
once.  WAL mode lets readers go on during a write, and the busy timeout makes a
second writer wait its turn instead of failing.

A server database can go away and come back (a restart, a fail-over).  The pooled
connections of every worker are then dead, and without a check the first request to
take each one would fail although the server is back.  A connection is therefore
pinged when it leaves the pool and replaced if the ping fails, so the application
recovers by itself as soon as the database answers again.
"""

from __future__ import annotations

import contextlib

from flask.sansio.app import App
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import scoped_session


def configure_engine(engine: Engine, busy_timeout_ms: int = 10000) -> None:
    if engine.dialect.name != "sqlite":
        _ping_on_checkout(engine)
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


def _ping_on_checkout(engine: Engine) -> None:
    """What ``pool_pre_ping`` does, on an engine that was created without it.

    Flask-SQLAlchemy creates the engine before this module sees it; a ``checkout``
    listener that raises :class:`DisconnectionError` makes the pool discard the dead
    connection and open a new one (SQLAlchemy's documented pessimistic recipe).
    """

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, _record, _proxy):
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as exc:  # any failure: this connection cannot be trusted
            raise DisconnectionError(str(exc)) from exc


def release_session_on_teardown(app: App, session: scoped_session) -> None:
    """End the session before Flask-SQLAlchemy does, forgiving a dead connection.

    When the server goes away after a reply has been built (a page rendered from a
    successful read), closing the session rolls back on a connection that no longer
    exists; Flask-SQLAlchemy's own teardown would let that error turn the finished
    reply into a 500.  The failed close has already invalidated the connection and
    reset the transaction, so a second close ends the session cleanly.  (Registered
    after Flask-SQLAlchemy's, so it runs first: app-context teardowns run in reverse.)
    """

    @app.teardown_appcontext
    def _release(_exc: BaseException | None) -> None:
        try:
            session.remove()
        except DBAPIError as exc:
            if not is_unavailable(exc):
                raise
            session.remove()


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the database cannot be reached or written right now.

    A connection lost mid-statement is an ``OperationalError`` on most drivers, but a
    statement on a connection the driver already knows is closed can come back as
    another DBAPI error flagged as a disconnect.
    """
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
