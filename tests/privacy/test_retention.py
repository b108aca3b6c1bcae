"""The hash-retention rule: hashes cleared only after a round has been closed long enough.

Responses are stored through the real submission path (so both hashes are set), then
the purge runs at chosen moments: before closing, within the retention window, beyond
it, and again.  Answers, open answers and every other column must come out unchanged.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from surveyapp.catalog import questionnaire_of
from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Response, Round
from surveyapp.models.base import utcnow
from surveyapp.privacy.retention import AUDIT_ACTION, purge_expired_hashes
from surveyapp.responses.submit import Client, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.rounds.service import close_round, get_round
from tests.api.test_submit import _payload

DAYS = 30


@pytest.fixture
def answered(app, make_round):
    """``answered(code, n)``: an open round with ``n`` responses carrying both hashes."""

    def _make(code: str, n: int = 3) -> str:
        make_round("catering", code=code)
        body = _payload(app, code, open={"suggestions": f"{code} 的建议 <b>原样</b>"})
        with app.app_context():
            round_ = get_round(db.session, code)
            clean = validate_submission(questionnaire_of(round_.questionnaire_version), body)
            for i in range(n):
                client = Client(device_id=f"device-{code}-{i}", fingerprint=f"10.0.0.{i}|UA")
                submit_response(db.session, round_, clean, client)
        return code

    return _make


def _rows(app, code: str) -> list[dict]:
    """Every column of the round's responses, in id order."""
    with app.app_context():
        round_ = get_round(db.session, code)
        rows = db.session.scalars(
            select(Response).where(Response.round_id == round_.id).order_by(Response.id)
        )
        return [{c.key: getattr(r, c.key) for c in Response.__table__.columns} for r in rows]


def _close(app, code: str, days_ago: float) -> None:
    """Close the round by hand, ``days_ago`` days before now."""
    with app.app_context():
        round_ = close_round(db.session, get_round(db.session, code))
        round_.closed_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def _purge(app, now=None, dry_run=False):
    with app.app_context():
        report = purge_expired_hashes(db.session, now or utcnow(), DAYS, dry_run=dry_run)
        db.session.commit()
        return report


def _hashed(rows) -> int:
    return sum(1 for r in rows if r["device_hash"] or r["fingerprint_hash"])


def _without_hashes(rows) -> list[dict]:
    return [{k: v for k, v in r.items() if not k.endswith("_hash")} for r in rows]


def test_only_rounds_closed_beyond_the_retention_are_purged(app, answered):
    answered("open-round", 2)
    answered("recent", 2)
    answered("old", 3)
    _close(app, "recent", days_ago=DAYS - 1)
    _close(app, "old", days_ago=DAYS + 1)
    before = {code: _rows(app, code) for code in ("open-round", "recent", "old")}
    assert all(_hashed(rows) == len(rows) for rows in before.values())
    assert all(r["device_hash"] and r["fingerprint_hash"] for r in before["old"])

    report = _purge(app)

    assert [(r.code, r.responses) for r in report.rounds] == [("old", 3)]
    assert report.responses == 3 and not report.dry_run
    after = {code: _rows(app, code) for code in before}
    assert after["open-round"] == before["open-round"]
    assert after["recent"] == before["recent"]
    assert _hashed(after["old"]) == 0
    # answers, open answers, timestamps, flags: exactly as stored
    assert _without_hashes(after["old"]) == _without_hashes(before["old"])
    with app.app_context():
        purged = {r.code: r.hashes_purged_at for r in db.session.scalars(select(Round))}
        assert purged["old"] is not None
        assert purged["recent"] is None and purged["open-round"] is None
        [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == AUDIT_ACTION))
        assert entry.target == "round:old" and entry.actor == "cli"
        assert entry.details == {"responses": 3, "retention_days": DAYS}


def test_a_round_past_its_closing_date_counts_from_that_date(app, answered):
    answered("lapsed", 2)
    with app.app_context():  # never closed by hand: its closing date passed
        round_ = get_round(db.session, "lapsed")
        closes_at = round_.closes_at
    assert _purge(app, now=closes_at + timedelta(days=DAYS - 1)).rounds == []
    assert _hashed(_rows(app, "lapsed")) == 2
    report = _purge(app, now=closes_at + timedelta(days=DAYS, seconds=1))
    assert [(r.code, r.responses) for r in report.rounds] == [("lapsed", 2)]
    assert _hashed(_rows(app, "lapsed")) == 0


def test_purge_is_idempotent(app, answered):
    answered("old", 2)
    _close(app, "old", days_ago=DAYS + 5)
    assert _purge(app).responses == 2
    rows = _rows(app, "old")
    second = _purge(app)
    assert second.rounds == [] and second.responses == 0
    assert _rows(app, "old") == rows
    with app.app_context():
        assert len(db.session.scalars(select(AuditLog)).all()) == 1


def test_dry_run_counts_without_writing(app, answered):
    answered("old", 2)
    _close(app, "old", days_ago=DAYS + 5)
    before = _rows(app, "old")
    report = _purge(app, dry_run=True)
    assert [(r.code, r.responses) for r in report.rounds] == [("old", 2)]
    assert _rows(app, "old") == before
    with app.app_context():
        assert get_round(db.session, "old").hashes_purged_at is None
        assert db.session.scalars(select(AuditLog)).all() == []


def test_negative_retention_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match="retention_days"):
        purge_expired_hashes(db.session, utcnow(), -1)


def _cli(database_url, *args, env=None):
    return CliRunner().invoke(
        main, ["--database-url", database_url, *args], env=env, catch_exceptions=False
    )


def test_cli_purge_reports_counts_and_dry_run(app, database_url, answered):
    answered("old", 3)
    answered("recent", 1)
    _close(app, "old", days_ago=DAYS + 2)
    _close(app, "recent", days_ago=2)

    dry = _cli(database_url, "privacy", "purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "round old" in dry.output and "would clear the hashes of 3 response(s)" in dry.output
    assert "1 round(s), 3 response(s) to purge; retention 30 day(s)" in dry.output
    assert _hashed(_rows(app, "old")) == 3

    done = _cli(database_url, "privacy", "purge")
    assert done.exit_code == 0, done.output
    assert "cleared the hashes of 3 response(s)" in done.output and "recent" not in done.output
    assert _hashed(_rows(app, "old")) == 0 and _hashed(_rows(app, "recent")) == 1

    again = _cli(database_url, "privacy", "purge")
    assert "0 round(s), 0 response(s) purged" in again.output

    # a shorter retention from the environment reaches the recent round too
    short = _cli(database_url, "privacy", "purge", env={"SURVEYAPP_HASH_RETENTION_DAYS": "1"})
    assert "round recent" in short.output and "retention 1 day(s)" in short.output
    assert _hashed(_rows(app, "recent")) == 0


def test_bad_retention_setting_is_refused_at_start(database_url):
    result = _cli(database_url, "privacy", "purge", env={"SURVEYAPP_HASH_RETENTION_DAYS": "-3"})
    assert result.exit_code == 2
    assert "SURVEYAPP_HASH_RETENTION_DAYS must be between 0 and 3650" in result.output
