"""One open or scheduled round per sector, period and overlapping districts, unless an
admin marks the new one as a parallel sample; a round made by mistake is deleted (no
response yet) or archived (responses kept, hidden) (issue 14, item 1)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Invitation, QuestionnaireVersion, Round
from surveyapp.models.base import utcnow
from surveyapp.rounds.service import (
    RoundError,
    archive_round,
    close_round,
    create_round,
    delete_round,
    get_round,
    issue_invitations,
)
from tests.api.test_submit import _payload

ALL = None  # every district of the questionnaire


@pytest.fixture
def new_round(app, publish):
    """``new_round(code, districts=None, period="2026Q4", parallel=False)`` through the
    service, as the admin page and the CLI call it; returns the code or the refusal."""
    version_id = publish("catering")

    def _new(code, districts=ALL, period="2026Q4", parallel=False):
        with app.app_context():
            version = db.session.get(QuestionnaireVersion, version_id)
            try:
                r = create_round(
                    db.session,
                    version,
                    period,
                    code=code,
                    districts=districts,
                    parallel=parallel,
                    actor="cli",
                )
            except RoundError as exc:
                db.session.rollback()
                return exc
            db.session.commit()
            return r.code

    return _new


def test_a_second_round_of_the_sector_and_period_is_refused(new_round):
    assert new_round("catering-2026q4") == "catering-2026q4"
    refused = new_round("catering-dup-2026q4")
    assert isinstance(refused, RoundError)
    assert refused.code == "overlap" and refused.field == "parallel"
    assert refused.params["other"] == "catering-2026q4"
    assert "--parallel" in str(refused)


def test_an_all_district_round_and_a_one_district_round_overlap(new_round):
    assert new_round("cat-simao", districts=["思茅区"]) == "cat-simao"
    assert isinstance(new_round("cat-all"), RoundError)  # all districts include 思茅区
    assert isinstance(
        new_round("cat-simao-2", districts=["思茅区", "宁洱哈尼族彝族自治县"]), RoundError
    )
    # districts that do not meet: two rounds side by side are fine
    assert new_round("cat-ninger", districts=["宁洱哈尼族彝族自治县"]) == "cat-ninger"


def test_a_parallel_sample_is_allowed(app, new_round):
    new_round("cat-main")
    assert new_round("cat-phone", parallel=True) == "cat-phone"
    with app.app_context():
        assert get_round(db.session, "cat-phone").parallel is True
        row = db.session.scalars(select(AuditLog).where(AuditLog.target == "round:cat-phone")).one()
        assert row.details["parallel"] is True


def test_another_period_or_a_closed_or_archived_round_does_not_block(app, new_round):
    new_round("cat-q4")
    assert new_round("cat-q1", period="2027Q1") == "cat-q1"  # next quarter, prepared now
    with app.app_context():
        close_round(db.session, get_round(db.session, "cat-q4"))
        db.session.commit()
    assert new_round("cat-q4-rerun") == "cat-q4-rerun"
    with app.app_context():
        archive_round(db.session, get_round(db.session, "cat-q4-rerun"))
        db.session.commit()
    assert new_round("cat-q4-third") == "cat-q4-third"


def test_a_round_without_responses_is_deleted_with_its_invitations(app, new_round):
    new_round("cat-oops")
    with app.app_context():
        r = get_round(db.session, "cat-oops")
        issue_invitations(db.session, r, 3)
        db.session.commit()
        delete_round(db.session, r, actor="cli")
        db.session.commit()
        assert get_round(db.session, "cat-oops") is None
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "round.delete"))
        assert [a.target for a in audit] == ["round:cat-oops"]
    assert new_round("cat-oops") == "cat-oops"  # the code is free again


def test_a_round_with_responses_is_archived_not_deleted(app, client, keyed, new_round):
    new_round("cat-answered")
    reply = client.post(
        "/api/v1/rounds/cat-answered/responses",
        json=_payload(app, "cat-answered"),
        headers=keyed,
    )
    assert reply.status_code == 201
    with app.app_context():
        r = get_round(db.session, "cat-answered")
        with pytest.raises(RoundError) as refused:
            delete_round(db.session, r)
        assert refused.value.code == "has_responses" and "archive" in str(refused.value)
        archive_round(db.session, r, actor="cli", now=utcnow())
        db.session.commit()
        r = get_round(db.session, "cat-answered")
        assert r.archived_at is not None and r.status == "closed"  # kept, and closed
        assert r.state(utcnow()) == "closed"
        with pytest.raises(RoundError) as again:
            archive_round(db.session, r)
        assert again.value.code == "already_archived"
        (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "round.archive"))
        assert row.details == {"responses": 1, "closed_now": True}
    # an archived round takes no answers
    late = client.post(
        "/api/v1/rounds/cat-answered/responses",
        json=_payload(app, "cat-answered") | {"device_id": "another"},
        headers=keyed,
    )
    assert late.status_code == 410 and late.get_json()["error"] == "round_closed"


def test_cli_refuses_a_duplicate_and_deletes_or_archives(app, cli, client, keyed):
    cli("questionnaires", "load")
    args = ("rounds", "create", "--questionnaire", "catering", "--period", "2026Q4")
    assert cli(*args, "--code", "catering-2026q4").exit_code == 0
    dup = cli(*args, "--code", "catering-dup-2026q4")
    assert dup.exit_code == 2
    assert len(dup.output.strip().splitlines()) == 1
    assert "round catering-2026q4 already runs" in dup.output and "--parallel" in dup.output
    parallel = cli(*args, "--code", "catering-phone-2026q4", "--parallel")
    assert parallel.exit_code == 0 and "parallel sample" in parallel.output
    listed = cli("rounds", "list").output
    assert "catering-phone-2026q4" in listed and "parallel" in listed

    assert cli("rounds", "delete", "catering-phone-2026q4").output == (
        "round catering-phone-2026q4 deleted\n"
    )
    assert cli("rounds", "delete", "nosuch").exit_code == 2
    body = _payload(app, "catering-2026q4")
    url = "/api/v1/rounds/catering-2026q4/responses"
    assert client.post(url, json=body, headers=keyed).status_code == 201
    kept = cli("rounds", "delete", "catering-2026q4")
    assert kept.exit_code == 2 and "has 1 response(s)" in kept.output
    archived = cli("rounds", "archive", "catering-2026q4")
    assert archived.exit_code == 0, archived.output
    assert "archived" in cli("rounds", "list").output
    assert cli("rounds", "archive", "catering-2026q4").exit_code == 2
    with app.app_context():
        actions = list(
            db.session.scalars(
                select(AuditLog.action).where(AuditLog.actor == "cli").order_by(AuditLog.id)
            )
        )
        assert {"round.delete", "round.archive"} <= set(actions)
        assert db.session.scalar(select(func.count()).select_from(Round)) == 1  # kept
