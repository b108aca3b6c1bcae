"""The rounds service as the admin pages use it: every problem at once, audited changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, QuestionnaireVersion, Round
from surveyapp.rounds.service import (
    RoundError,
    close_round,
    create_round,
    get_round,
    issue_invitations,
    responses_by_district,
    round_problems,
    set_round_margins,
)


@pytest.fixture
def version_id(publish):
    return publish("catering")


def test_round_problems_lists_every_problem_with_its_field(app, version_id, make_round):
    make_round("catering", code="taken")
    with app.app_context():
        v = db.session.get(QuestionnaireVersion, version_id)
        problems = round_problems(
            db.session,
            v,
            "2026Q9",
            opens_at=datetime(2026, 10, 1, tzinfo=UTC),
            closes_at=datetime(2026, 9, 1, tzinfo=UTC),
            districts=["思茅区", "火星区"],
            targets={"思茅区": 0, "西盟佤族自治县": 5},
            code="taken",
        )
    found = [(p.code, p.field) for p in problems]
    assert found == [
        ("bad_period", "period"),
        ("dates_order", "closes"),
        ("unknown_district", "districts"),
        ("bad_target", "targets"),
        ("target_not_in_round", "targets"),
        ("code_taken", "code"),
    ]
    assert problems[2].params == {"district": "火星区", "qid": "catering"}


def test_create_round_raises_the_first_problem_and_adds_nothing(app, version_id):
    with app.app_context():
        v = db.session.get(QuestionnaireVersion, version_id)
        with pytest.raises(RoundError, match="must look like 2026Q3") as caught:
            create_round(db.session, v, "autumn", code="x y", actor="cli")
        assert caught.value.field == "period"
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_changes_are_audited_only_when_an_actor_is_given(app, version_id):
    with app.app_context():
        v = db.session.get(QuestionnaireVersion, version_id)
        quiet = create_round(db.session, v, "2026Q3", code="quiet")
        loud = create_round(db.session, v, "2026Q4", code="loud", actor="cli", ip="10.0.0.1")
        issue_invitations(db.session, loud, 3, actor="cli")
        set_round_margins(
            db.session, loud, {"gender": {"男": 1.0, "女": 1.0}}, actor="cli", source="m.csv"
        )
        close_round(db.session, loud, actor="cli")
        close_round(db.session, quiet)
        db.session.commit()
        rows = db.session.execute(
            select(AuditLog.action, AuditLog.target, AuditLog.ip).order_by(AuditLog.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("round.create", "round:loud", "10.0.0.1"),
        ("round.invitations", "round:loud", None),
        ("round.margins", "round:loud", None),
        ("round.close", "round:loud", None),
    ]


def test_invitations_have_a_limit_and_need_an_open_round(app, make_round):
    code = make_round("catering", code="inv-limits")
    with app.app_context():
        r = get_round(db.session, code)
        with pytest.raises(RoundError) as too_many:
            issue_invitations(db.session, r, 11, limit=10)
        assert (too_many.value.code, too_many.value.params) == ("bad_count", {"max": 10})
        close_round(db.session, r)
        with pytest.raises(RoundError, match="closed"):
            issue_invitations(db.session, r, 1)


def test_responses_by_district_counts_per_round(app, client, admin, make_round, keyed):
    from tests.admin.test_admin_rounds_invitations import _submission

    code = make_round("catering", code="counted", targets={"思茅区": 300, "景东彝族自治县": 200})
    other = make_round("catering", code="other")
    for i, district in enumerate(["思茅区", "思茅区", "西盟佤族自治县"]):
        body = _submission(app, code, None) | {"device_id": f"d{i}"}
        body["respondent"] = body["respondent"] | {"district": district}
        assert (
            client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed).status_code
            == 201
        )
    with app.app_context():
        ids = {r.code: r.id for r in db.session.scalars(select(Round))}
        counts = responses_by_district(db.session, [ids[code], ids[other]])
    assert counts == {ids[code]: {"思茅区": 2, "西盟佤族自治县": 1}, ids[other]: {}}
    listing = admin.get("/admin/rounds").get_data(as_text=True)
    assert "合计: 3 / 500" in listing
    assert "思茅区: 2 / 300" in listing and "景东彝族自治县: 0 / 200" in listing
    assert "西盟佤族自治县: 1 / 未设目标" in listing
