"""SQLite faults: a read-only database and a full disk give a clear 503, lose nothing.

Each test works on a private SQLite file (whatever ``SURVEYAPP_TEST_DATABASE_URL``
says): a read-only open (``mode=ro``, as on a read-only mount; the tests may run as
root, for whom file permissions do not apply) and a page limit just above the current
size (``max_page_count``, SQLite's own "database or disk is full").
"""

from __future__ import annotations

import sqlite3

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.survey.device import DEVICE_COOKIE
from tests.api.test_submit import _payload
from tests.conftest import TEST_SECRET
from tests.security.wiring import wire_security
from tests.survey.conftest import Survey


@pytest.fixture
def sqlite_file(tmp_path, publish_on):
    """The private file, its URL, an open round and the header of a channel key there."""
    from surveyapp.channels import create_key
    from surveyapp.models.base import utcnow

    path = tmp_path / "faults.db"
    url = f"sqlite:///{path}"
    app = wire_security(
        create_app({"SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "TESTING": True})
    )
    with app.app_context():
        upgrade()
        code = publish_on(app)
        row, key = create_key(db.session, "faults", "miniprogram", actor="pytest")
        row.last_used_at = utcnow()  # no touch of the key soon after: the INSERT is what fails
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path, url, code, {"Authorization": f"Bearer {key}"}


@pytest.fixture
def publish_on():
    """Store the catering questionnaire and open a round on ``app``'s database."""

    def _publish(app) -> str:
        from datetime import timedelta

        from surveyapp.catalog import publish_questionnaire
        from surveyapp.models.base import utcnow
        from surveyapp.questionnaire import builtin_dir, load_questionnaire
        from surveyapp.rounds.service import create_round

        path = builtin_dir() / "catering.yaml"
        outcome = publish_questionnaire(
            db.session, load_questionnaire(path), path.read_text("utf-8")
        )
        db.session.flush()
        create_round(
            db.session,
            outcome.version,
            "2026Q4",
            code="faults",
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=30),
        )
        db.session.commit()
        return "faults"

    return _publish


def _app(url, **config):
    return wire_security(
        create_app(
            {
                "SECRET_KEY": TEST_SECRET,
                "DATABASE_URL": url,
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
                **config,
            }
        )
    )


def _count(url) -> int:
    app = _app(url)
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Response))
        db.session.remove()
        db.engine.dispose()
    return int(n)


def _intact(path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def _submit_twice_then_check(app, code, keyed, text="多设置休息座椅"):
    """One API submission and one survey submission; both refused with 503, nothing stored."""
    client = app.test_client()
    body = _payload(app, code, open={"suggestions": text})
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", json=body, headers={**keyed, "Accept-Language": "en"}
    )
    assert reply.status_code == 503
    assert reply.get_json()["error"] == "unavailable" and reply.headers["Retry-After"]

    s = Survey(app.test_client(), code)
    s.open()
    assert s.response.status_code == 200  # reading still works
    sent = s.walk(lambda name, options: options[-1], lambda name: text)
    assert s.response.status_code == 503 and s.response.headers["Retry-After"]
    assert "系统繁忙" in s.response.get_data(as_text=True)
    shown = s.page.data()
    for name, value in sent.items():  # the resident's answers are all still on the page
        assert shown.get(name) == value, name
    return s


def test_read_only_database_is_a_clear_503_and_nothing_is_lost(sqlite_file):
    path, url, code, keyed = sqlite_file
    readonly = _app(f"sqlite:///file:{path}?mode=ro&uri=true")
    s = _submit_twice_then_check(readonly, code, keyed)
    with readonly.app_context():
        db.engine.dispose()
    _intact(path)
    assert _count(url) == 0

    # writable again: the page on screen, sent again as it is, is taken
    writable = _app(url).test_client()
    for name, path_ in (("session", "/"), (DEVICE_COOKIE, "/s/")):
        writable.set_cookie(name, s.client.get_cookie(name, path=path_).value, path=path_)
    again = writable.post(f"/s/{code}", data={**s.page.data(), "go": "submit"})
    assert again.status_code == 303
    assert _count(url) == 1


def test_full_disk_is_a_clear_503_and_the_file_stays_sound(sqlite_file):
    path, url, code, keyed = sqlite_file
    long_text = "请" * 1000  # 3 KB: two of them never share a 4 KB page
    first = _app(url)
    body = _payload(first, code, open={"suggestions": long_text})
    assert (
        first.test_client()
        .post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
        .status_code
        == 201
    )
    with first.app_context():
        db.engine.dispose()
    with sqlite3.connect(path) as conn:  # no free pages left to reuse
        conn.execute("VACUUM")
    conn.close()

    full = _app(url)
    with full.app_context():

        @event.listens_for(db.engine, "connect")
        def _no_room(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        db.engine.dispose()
    _submit_twice_then_check(full, code, keyed, long_text)
    with full.app_context():
        db.engine.dispose()
    _intact(path)
    assert _count(url) == 1

    roomy = _app(url)  # space again: taken at once
    reply = roomy.test_client().post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    assert reply.status_code == 201
    assert _count(url) == 2
