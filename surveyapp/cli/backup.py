"""``surveyapp backup`` and ``surveyapp restore``: the whole database to a file and back.

SQLite is copied with its online backup API (:meth:`sqlite3.Connection.backup`): a
consistent copy while the survey keeps taking answers.  PostgreSQL is dumped with
``pg_dump -Fc`` (one snapshot) and restored with ``pg_restore --clean`` in a single
transaction, so a failed restore leaves the database as it was.  A backup file is
written under a temporary name and renamed at the end: never a half-written file
under the name asked for.

``restore`` replaces every table; stop the application servers first.  Both commands
print the table counts and a SHA-256 of the responses so two databases can be
compared (:func:`database_summary`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Select, column, create_engine, func, inspect, select, table
from sqlalchemy.engine import URL, Engine, make_url

from surveyapp.cli.base import AppContext, fail, main, pass_appctx

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_TOOL_HINT = (
    "install the PostgreSQL client tools (e.g. apt install postgresql-client), "
    "of the server's major version or newer"
)


@dataclass(frozen=True)
class Summary:
    """Row count of every table, and a SHA-256 over every response row in uid order."""

    counts: dict[str, int]
    responses_sha256: str

    def lines(self) -> list[str]:
        tables = ", ".join(f"{name} {n}" for name, n in sorted(self.counts.items()))
        return [f"tables: {tables}", f"responses sha256: {self.responses_sha256}"]


def _canonical(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None) if value.tzinfo is None else value
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):  # JSON kept as text by SQLite
            return json.loads(value)
    return value


def database_summary(engine: Engine) -> Summary:
    """Counts of every table and the hash of the ``response`` rows (all columns)."""
    inspector = inspect(engine)
    names = sorted(inspector.get_table_names())
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for name in names:
            counts[name] = int(conn.scalar(select(func.count()).select_from(table(name))) or 0)
        if "response" in names:
            columns = sorted(c["name"] for c in inspector.get_columns("response"))
            stmt: Select[*tuple[Any, ...]] = select(*(column(c) for c in columns)).select_from(
                table("response")
            )
            for row in conn.execute(stmt.order_by(column("uid"))):
                record = {c: _canonical(v) for c, v in zip(columns, row, strict=True)}
                digest.update(json.dumps(record, sort_keys=True, default=str).encode())
                digest.update(b"\n")
    return Summary(counts, digest.hexdigest())


def _url(ctx: AppContext) -> URL:
    return make_url(ctx.app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        fail("backup needs a database file, not an in-memory SQLite database")
    return str(url.database)


def _pg_env(url: URL) -> dict[str, str]:
    """libpq settings for the pg tools: through the environment, never the command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        fail(f"{name} not found on PATH: {PG_TOOL_HINT}")
    return str(found)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = " ".join(proc.stderr.strip().splitlines()[-3:]) or f"exit status {proc.returncode}"
        fail(f"{Path(cmd[0]).name} failed: {detail}")


def _print_summary(engine: Engine) -> None:
    for line in database_summary(engine).lines():
        click.echo(line)


@main.command("backup")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="The backup file to write."
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_appctx
def backup(ctx: AppContext, out: str, force: bool) -> None:
    """备份数据库 / Copy the whole database to a file while the app keeps running."""
    url = _url(ctx)
    target = Path(out)
    if target.exists() and not force:
        fail(f"{out} exists; use --force to replace it")
    if not target.parent.is_dir():
        fail(f"{target.parent}: no such directory")
    backend = url.get_backend_name()
    if backend == "postgresql":
        tool = _pg_tool("pg_dump")
    elif backend != "sqlite":
        fail(f"backup supports SQLite and PostgreSQL, not {backend}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        if backend == "sqlite":
            source = _sqlite_path(url)
            if not Path(source).is_file():
                fail(f"{source}: no such database file")
            with (
                contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
                contextlib.closing(sqlite3.connect(tmp)) as dst,
            ):
                src.backup(dst)
                if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    fail("the copy failed its integrity check; nothing written")
        else:
            _run(
                [tool, "--format=custom", "--no-owner", "--no-privileges", "--file", tmp],
                _pg_env(url),
            )
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    click.echo(f"backup written to {target} ({target.stat().st_size} bytes)")
    if backend == "sqlite":
        engine = create_engine(URL.create("sqlite", database=str(target)))
        try:
            _print_summary(engine)
        finally:
            engine.dispose()


def _backup_kind(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def _check_sqlite_backup(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                fail(f"{path}: damaged (integrity check failed); nothing restored")
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        fail(f"{path}: not a readable SQLite database ({exc}); nothing restored")
    if not {"alembic_version", "response"} <= tables:
        fail(f"{path}: not a surveyapp database (no alembic_version or response table)")


@main.command("restore")
@click.argument("backup_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@pass_appctx
def restore(ctx: AppContext, backup_file: str, yes: bool) -> None:
    """恢复数据库 / Replace the whole database with a backup (stop the app servers first)."""
    url = _url(ctx)
    path = Path(backup_file)
    if not path.is_file():
        fail(f"{backup_file}: no such file")
    backend = url.get_backend_name()
    kind = _backup_kind(path)
    if kind is None:
        fail(f"{backup_file}: not a surveyapp backup (neither SQLite nor pg_dump custom format)")
    if kind != backend:
        fail(f"{backup_file} is a {kind} backup; the database is {backend}")
    tool = _pg_tool("pg_restore") if backend == "postgresql" else None
    if backend == "sqlite":
        _check_sqlite_backup(path)
    if not yes:
        shown = url.render_as_string(hide_password=True)
        click.confirm(f"Replace every table of {shown} with {backup_file}?", abort=True)

    from surveyapp.extensions import db

    with ctx.app.app_context():
        db.engine.dispose()  # no pooled connection of ours holds a lock during the restore
    if backend == "sqlite":
        with (
            contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(_sqlite_path(url), timeout=30)) as dst,
        ):
            src.backup(dst)
    else:
        assert tool is not None
        _run(
            [
                tool,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(url.database),
                str(path),
            ],
            _pg_env(url),
        )
    click.echo(f"restored {backup_file}")
    engine = create_engine(url)
    try:
        _print_summary(engine)
    finally:
        engine.dispose()
