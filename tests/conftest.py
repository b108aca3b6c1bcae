"""Shared fixtures: an app on a fresh database (SQLite file, or PostgreSQL in CI).

Set ``SURVEYAPP_TEST_DATABASE_URL`` (e.g. postgresql+psycopg://postgres@127.0.0.1/test)
to run the whole suite on PostgreSQL; each test run then works in a database of its
own that it creates and drops, so the named database is never touched.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, exc, make_url, select, text

from surveyapp import create_app
from surveyapp.background import close_app
from surveyapp.extensions import db
from surveyapp.models import Base, Round

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _postgres_database(base_url: str) -> Iterator[str]:
    url = make_url(base_url)
    name = f"surveyapp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # fails loudly when PostgreSQL is unreachable: never a skip
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database for the whole run."""
    base = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if base:
        gen = _postgres_database(base)
        url = next(gen)
    else:
        gen = None
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app({"SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if gen is not None:
        next(gen, None)


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """A new, empty (unmigrated) database of the test backend, dropped afterwards."""
    base = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path / "fresh.db")
        return
    yield from _postgres_database(base)


def _empty_tables(session) -> None:
    """Every table emptied, ids restarting at 1.

    On PostgreSQL a DELETE per table (children first) and every sequence set back is
    about 20x cheaper than one ``TRUNCATE ... RESTART IDENTITY CASCADE`` of the 40-odd
    tables (0.02 s against 0.4-0.7 s a test: a TRUNCATE gives every table and index a
    new file); the TRUNCATE stays as the fallback should a DELETE be refused.
    """
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    postgres = session.get_bind().dialect.name == "postgresql"
    try:
        for name in tables:
            session.execute(text(f"DELETE FROM {name}"))
        if postgres:
            session.execute(
                text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'")
            )
    except exc.DBAPIError:
        if not postgres:
            raise
        session.rollback()
        session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    session.commit()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,  # limits are tested in tests/security with their own apps
        }
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        _empty_tables(db.session)
    yield app
    close_app(app)  # waits for background refreshes first: no connection left to the GC


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def publish(app) -> Callable:
    """``publish("catering")`` stores a shipped questionnaire and returns its version row."""
    from surveyapp.catalog import publish_questionnaire
    from surveyapp.questionnaire import builtin_dir, load_questionnaire

    def _publish(qid: str = "catering"):
        path = builtin_dir() / f"{qid}.yaml"
        with app.app_context():
            outcome = publish_questionnaire(
                db.session, load_questionnaire(path), path.read_text("utf-8")
            )
            db.session.commit()
            return outcome.version.id

    return _publish


@pytest.fixture
def make_round(app, publish) -> Callable:
    """``make_round("catering", code="cat-test")`` opens a round now and returns its code.

    Rounds made here are parallel samples unless a test passes ``parallel=False``: many
    tests open several rounds of one sector and period side by side; the rule of one
    open round per sector, period and districts has its own tests (tests/rounds/)."""
    from datetime import timedelta

    from surveyapp.models import QuestionnaireVersion
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.service import create_round

    def _make(qid: str = "catering", code: str | None = None, period: str = "2026Q4", **kwargs):
        version_id = publish(qid)
        kwargs.setdefault("opens_at", utcnow() - timedelta(days=1))
        kwargs.setdefault("closes_at", utcnow() + timedelta(days=30))
        kwargs.setdefault("parallel", True)
        with app.app_context():
            version = db.session.get(QuestionnaireVersion, version_id)
            round_ = create_round(db.session, version, period, code=code or f"{qid}-test", **kwargs)
            db.session.commit()
            return round_.code

    return _make


@pytest.fixture
def cli(app, database_url, monkeypatch):
    """Run ``surveyapp ...`` on the test database; the apps it creates are disposed after."""
    from click.testing import CliRunner

    from surveyapp.cli import base, main

    created = []

    def tracked_create_app(config=None):
        made = create_app(config)
        created.append(made)
        return made

    monkeypatch.setattr(base, "create_app", tracked_create_app)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(
            main, ["--database-url", database_url, *args], input=input, catch_exceptions=False
        )

    yield run
    for made in created:  # close pooled connections now, not when garbage-collected
        close_app(made)


@pytest.fixture
def channel_key(app) -> Callable[..., str]:
    """``channel_key(channel="kiosk", rounds=["cat-q3"])`` makes a channel key of the
    submission API on the test database and returns the plain key."""
    from surveyapp.channels import create_key

    def _make(
        channel: str = "miniprogram",
        rounds: list[str] | None = None,
        trusted_stamps: bool = False,
        name: str = "test key",
    ) -> str:
        with app.app_context():
            _, plain = create_key(
                db.session,
                name,
                channel,
                rounds=rounds,
                trusted_stamps=trusted_stamps,
                actor="pytest",
            )
            db.session.commit()
        return plain

    return _make


@pytest.fixture
def keyed(channel_key) -> dict[str, str]:
    """``Authorization: Bearer <key>`` of a mini-program key for every round: the header
    the tests' API posts send (``client.post(url, json=body, headers=keyed)``)."""
    return {"Authorization": f"Bearer {channel_key()}"}


@pytest.fixture
def demo_size() -> tuple[int, int]:
    """``(responses per round, seed)`` of :func:`demo`; a package or module that needs
    more responses (or other ones) overrides this fixture, not ``demo``."""
    return 60, 3


@pytest.fixture
def demo(app, demo_size) -> dict[str, str]:
    """The demo data on the test database: six sectors, the previous quarter's rounds
    closed and the current quarter's open. Returns the ``previous`` and ``current`` periods."""
    from surveyapp.demo import seed_demo

    per_round, seed = demo_size
    with app.app_context():
        seed_demo(db.session, per_round=per_round, seed=seed)
        periods = sorted({r.period for r in db.session.scalars(select(Round))})
    return {"previous": periods[0], "current": periods[-1]}


@pytest.fixture
def accounts(make_user) -> dict[str, int]:
    """One account per role (the bureau for catering) by id; needs the signed-in side's
    ``make_user`` (tests/auth/helpers.py) in the package's conftest."""
    return {
        "admin": make_user("root", "admin"),
        "evaluator": make_user("eva", "evaluator"),
        "bureau": make_user("shangwu", "bureau", sectors=["catering"]),
        "viewer": make_user("view", "viewer"),
    }


def pdf_text_of(pdf: bytes) -> list[str]:
    """The text of every page of a PDF (pypdf), whitespace runs collapsed."""
    return [
        re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.fixture
def pdf_text() -> Callable[[bytes], list[str]]:
    return pdf_text_of
