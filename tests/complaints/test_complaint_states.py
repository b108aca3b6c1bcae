"""The state machine: every allowed step, every refused one, each audited with its actor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.complaints import TRANSITIONS, TransitionError, intake, transition
from surveyapp.models import AuditLog, Complaint, User
from surveyapp.models.complaint import COMPLAINT_STATUSES
from tests.complaints.conftest import NOW, china

#: How to reach each state from received, with what each step needs
PATH = {
    "received": [],
    "accepted": [("accepted", {})],
    "not_accepted": [("not_accepted", {"note": "不属于本部门管辖"})],
    "mediation": [("accepted", {}), ("mediation", {})],
    "closed": [
        ("accepted", {}),
        ("mediation", {}),
        ("closed", {"outcome": "和解成功", "note": "退款"}),
    ],
}
#: What a step to each state needs to be well-formed (so only the rule can refuse it)
NEEDS = {
    "accepted": {},
    "not_accepted": {"note": "不予受理"},
    "mediation": {},
    "closed": {"outcome": "终止", "note": "撤回"},
    "received": {},
}


@pytest.fixture
def new_case(session, draft, settings):
    counter = iter(range(1000))

    def _make(state: str = "received") -> Complaint:
        stored = intake(
            session,
            [draft(external_id=f"S-{next(counter)}")],
            "intake",
            settings,
            now=NOW,
            source="hotline.csv",  # a file's intake: in the audit log too
        )
        complaint = session.get(Complaint, stored[0].case.id)
        at = complaint.received_at
        for step, needs in PATH[state]:
            at += timedelta(hours=1)
            transition(session, complaint, step, "handler", at=at, **needs)
        session.commit()
        return complaint

    return _make


@pytest.mark.parametrize(
    "start, to",
    [(s, t) for s in COMPLAINT_STATUSES for t in COMPLAINT_STATUSES if t not in TRANSITIONS[s]],
)
def test_every_illegal_transition_is_refused_and_changes_nothing(session, new_case, start, to):
    complaint = new_case(start)
    events = len(complaint.events)
    audits = session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
    with pytest.raises(TransitionError, match=f"cannot go from {start} to {to}"):
        transition(session, complaint, to, "handler", at=NOW, **NEEDS[to])
    session.rollback()
    session.refresh(complaint)
    assert complaint.status == start and len(complaint.events) == events
    assert session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) == audits


def test_the_whole_path_is_in_the_history_and_the_audit_log_with_its_actors(session, new_case):
    officer = User(username="officer-li", role="bureau", password_hash="x", sectors=["catering"])
    session.add(officer)
    session.commit()
    complaint = new_case("received")
    transition(session, complaint, "accepted", officer, at=china(2026, 10, 10, 9, 0))
    transition(session, complaint, "mediation", officer, at=china(2026, 10, 12, 9, 0))
    transition(session, complaint, "closed", "cli", outcome="未达成和解", note="双方分歧",
               at=china(2026, 11, 2, 9, 0))  # fmt: skip
    session.commit()
    session.refresh(complaint)
    steps = [(e.from_status, e.to_status, e.actor) for e in complaint.events]
    assert steps == [
        (None, "received", "intake"),
        ("received", "accepted", "officer-li"),
        ("accepted", "mediation", "officer-li"),
        ("mediation", "closed", "cli"),
    ]
    assert complaint.events[1].user_id == officer.id
    assert (complaint.accepted_at, complaint.closed_at) == (
        china(2026, 10, 10, 9, 0),
        china(2026, 11, 2, 9, 0),
    )
    assert (complaint.outcome, complaint.reason) == ("未达成和解", "双方分歧")
    audit = session.scalars(
        select(AuditLog).where(AuditLog.target == f"complaint:{complaint.id}").order_by(AuditLog.id)
    ).all()
    assert [(a.action, a.actor) for a in audit] == [
        ("complaint.intake", "intake"),
        ("complaint.accepted", "officer-li"),
        ("complaint.mediation", "officer-li"),
        ("complaint.closed", "cli"),
    ]
    assert audit[-1].details == {"from": "mediation", "to": "closed", "outcome": "未达成和解"}
    assert not any("张三丰" in str(a.details) or "13812345678" in str(a.details) for a in audit)


@pytest.mark.parametrize(
    "state, to, fields, message",
    [
        ("received", "not_accepted", {}, "needs a reason"),
        ("mediation", "closed", {"note": "x"}, "needs an outcome"),
        ("mediation", "closed", {"note": "x", "outcome": "撤诉"}, "needs an outcome"),
        ("mediation", "closed", {"outcome": "和解成功", "note": " "}, "needs a reason"),
        ("accepted", "closed", {"outcome": "和解成功", "note": "x"}, "can only end 终止"),
        ("received", "accepted", {"outcome": "和解成功"}, "only closing takes an outcome"),
    ],
)
def test_a_step_without_what_it_needs_is_refused(session, new_case, state, to, fields, message):
    complaint = new_case(state)
    with pytest.raises(TransitionError, match=message):
        transition(session, complaint, to, "handler", at=NOW, **fields)
    assert complaint.status == state


def test_accepted_may_end_without_mediation_only_as_terminated(session, new_case):
    complaint = new_case("accepted")
    transition(session, complaint, "closed", "handler", outcome="终止", note="投诉人撤回", at=NOW)
    assert (complaint.status, complaint.outcome) == ("closed", "终止")


def test_a_step_dated_before_the_last_one_is_refused(session, new_case):
    complaint = new_case("received")
    with pytest.raises(TransitionError, match="before the case's last step"):
        transition(
            session, complaint, "accepted", "handler", at=complaint.received_at - timedelta(days=1)
        )
