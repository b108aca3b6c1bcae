"""Rows written by the driver in bulk, bypassing the ORM's per-row bookkeeping.

:func:`write_rows` sends tuples of values the driver takes as they are (numbers, text,
dates, values already through their column's bind processor) to one table: PostgreSQL's
``COPY … FROM STDIN`` (one stream, not a statement a row), ``executemany`` in chunks of
20,000 elsewhere.  Used where tens of thousands of rows are stored at once (the credit
classes of a period); the ORM's bulk insert spends most of its time on per-row work there.
"""

from __future__ import annotations

from collections.abc import Sequence

from surveyapp.models.base import DbSession

__all__ = ["write_rows"]

CHUNK = 20_000


def write_rows(session: DbSession, table: str, names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples of the columns ``names``) into ``table`` in the session's
    transaction."""
    if not rows:
        return
    conn = session.connection()
    cursor = conn.connection.cursor()
    columns = ", ".join(names)
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join([mark] * len(names))})"
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
    finally:
        cursor.close()
