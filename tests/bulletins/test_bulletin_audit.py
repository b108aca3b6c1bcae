"""Every publication is audited: ``bulletin publish --period`` and ``--due`` as "cli"
(the web pages' audit, with the signed-in user, is in test_bulletin_manage.py)."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models.bulletin import Bulletin
from surveyapp.models.user import AuditLog


def _audit_rows(app) -> list[tuple[str, str | None, int | None, dict]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "bulletin.publish").order_by(AuditLog.id)
        )
        return [(r.actor, r.target, r.user_id, r.details) for r in rows]


def _sha(app, edition: int) -> str:
    with app.app_context():
        return db.session.scalars(select(Bulletin.sha256).where(Bulletin.edition == edition)).one()


def test_cli_publications_are_audited(cli, app, demo):
    due = cli("bulletin", "publish", "--due")
    assert due.exit_code == 0, due.output
    ((actor, target, user_id, details),) = _audit_rows(app)
    assert (actor, target, user_id) == ("cli", "bulletin:1", None)
    assert details["period"] == demo["previous"] and details["sha256"] == _sha(app, 1)
    assert details["replaces_edition"] is None and "catering" in details["sectors"]

    correction = cli("bulletin", "publish", "--period", demo["previous"], "--replaces", "1")
    assert correction.exit_code == 0, correction.output
    last = _audit_rows(app)[-1]
    assert last[:2] == ("cli", "bulletin:2") and last[3]["replaces_edition"] == 1


def test_a_refused_publication_leaves_no_audit_row(cli, app, make_round):
    make_round("catering", code="cat-empty", period="2019Q2")
    refused = cli("bulletin", "publish", "--period", "2019Q2")
    assert refused.exit_code == 2
    assert _audit_rows(app) == []
