"""``surveyapp backup`` / ``restore``: a copy taken while running comes back identical."""

from __future__ import annotations

import os
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, delete, make_url, text

from surveyapp.cli import main
from surveyapp.cli.backup import database_summary
from surveyapp.extensions import db
from surveyapp.models import Response
from tests.api.test_submit import _payload


@pytest.fixture
def cli(database_url):
    runner = CliRunner()

    def run(*args, url=None, input=None, env=None):
        return runner.invoke(
            main,
            ["--database-url", url or database_url, *args],
            input=input,
            env=env,
            catch_exceptions=False,
        )

    return run


@pytest.fixture
def answered(app, client, make_round, keyed):
    """A round with a few responses (open answers, flags) and invitations."""
    from surveyapp.rounds.service import get_round, issue_invitations

    code = make_round("catering")
    for n in range(5):
        body = _payload(
            app, code, open={"suggestions": f"建议 {n} <b>x</b>"}, device_id=f"device-{n:012d}"
        )
        assert (
            client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed).status_code
            == 201
        )
    with app.app_context():
        issue_invitations(db.session, get_round(db.session, code), 3)
        db.session.execute(text("UPDATE response SET flags = 'burst' WHERE id % 2 = 0"))
        db.session.commit()
    return code


def _summary(url: str):
    engine = create_engine(url)
    try:
        return database_summary(engine)
    finally:
        engine.dispose()


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the same kind as the test database (restore target)."""
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "restored.db")
        return
    base = make_url(database_url)
    name = f"surveyapp_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_then_restore_gives_the_same_counts_and_responses(
    app, answered, cli, database_url, tmp_path
):
    before = _summary(database_url)
    assert before.counts["response"] == 5 and before.counts["invitation"] == 3
    out = tmp_path / "survey.backup"
    made = cli("backup", "--out", str(out))
    assert made.exit_code == 0, made.output
    assert f"backup written to {out}" in made.output
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]

    # damage: a response deleted, another one changed, then restore
    with app.app_context():
        db.session.execute(
            delete(Response).where(
                Response.id == db.session.scalar(db.select(Response.id).limit(1))
            )
        )
        db.session.execute(text("UPDATE response SET flags = NULL"))
        db.session.commit()
    assert _summary(database_url) != before

    restored = cli("restore", str(out), "--yes")
    assert restored.exit_code == 0, restored.output
    after = _summary(database_url)
    assert after == before
    assert f"responses sha256: {before.responses_sha256}" in restored.output


def test_restore_into_an_empty_database(app, answered, cli, database_url, scratch_url, tmp_path):
    out = tmp_path / "survey.backup"
    assert cli("backup", "--out", str(out)).exit_code == 0
    result = cli("restore", str(out), "--yes", url=scratch_url)
    assert result.exit_code == 0, result.output
    assert _summary(scratch_url) == _summary(database_url)


def test_restore_asks_first(app, answered, cli, tmp_path, database_url):
    out = tmp_path / "b.backup"
    assert cli("backup", "--out", str(out)).exit_code == 0
    before = _summary(database_url)
    result = cli("restore", str(out), input="n\n")
    assert result.exit_code == 1 and "Replace every table" in result.output
    assert "Aborted" in result.output
    assert _summary(database_url) == before


def test_backup_refuses_to_overwrite_without_force(app, cli, tmp_path):
    out = tmp_path / "exists.backup"
    out.write_bytes(b"keep me")
    result = cli("backup", "--out", str(out))
    assert result.exit_code == 2
    assert "exists; use --force" in result.output
    assert out.read_bytes() == b"keep me"
    assert cli("backup", "--out", str(out), "--force").exit_code == 0
    assert out.read_bytes() != b"keep me"


def test_restore_refuses_what_is_not_a_backup(app, answered, cli, tmp_path, database_url):
    before = _summary(database_url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")
    result = cli("restore", str(junk), "--yes")
    assert result.exit_code == 2
    assert "not a surveyapp backup" in result.output
    missing = cli("restore", str(tmp_path / "missing.backup"), "--yes")
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert _summary(database_url) == before


def test_restore_refuses_a_backup_of_the_other_database_kind(app, cli, tmp_path, database_url):
    other = tmp_path / "other.backup"
    if database_url.startswith("sqlite"):
        other.write_bytes(b"PGDMP\x01\x0f\x00" + b"\x00" * 64)
        expected = "is a postgresql backup; the database is sqlite"
    else:
        import sqlite3

        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        expected = "is a sqlite backup; the database is postgresql"
    result = cli("restore", str(other), "--yes")
    assert result.exit_code == 2 and expected in result.output


def test_sqlite_restore_refuses_a_database_of_another_application(tmp_path, cli):
    import sqlite3

    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    target = "sqlite:///" + str(tmp_path / "target.db")
    result = cli("restore", str(foreign), "--yes", url=target)
    assert result.exit_code == 2
    assert "not a surveyapp database" in result.output


def test_postgres_tools_missing_is_a_clear_error(cli, tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/nowhere"
    empty = tmp_path / "bin"
    empty.mkdir()
    result = cli("backup", "--out", str(tmp_path / "pg.backup"), url=url, env={"PATH": str(empty)})
    assert result.exit_code == 2
    assert "pg_dump not found on PATH: install the PostgreSQL client tools" in result.output
    dump = tmp_path / "pg.dump"
    dump.write_bytes(b"PGDMP" + b"\x00" * 64)
    result = cli("restore", str(dump), "--yes", url=url, env={"PATH": str(empty)})
    assert result.exit_code == 2
    assert "pg_restore not found on PATH" in result.output
