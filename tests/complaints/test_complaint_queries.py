"""Overdue and due-soon queries agree with the deadlines case by case."""

from __future__ import annotations

from datetime import timedelta

from surveyapp.complaints import (
    case_deadlines,
    due_soon,
    intake,
    list_complaints,
    overdue,
    transition,
)
from surveyapp.models import Complaint
from surveyapp.rounds.dates import china_today
from tests.complaints.conftest import china


def test_the_queries_agree_with_each_cases_deadlines(session, settings, draft):
    now = china(2026, 10, 20, 15, 0)  # a Tuesday after National Day
    # one case received every 9 hours over seven weeks, around the holidays
    start = china(2026, 9, 1, 8, 0)
    drafts = [
        draft(external_id=f"Q-{i}", received_at=start + timedelta(hours=9 * i)) for i in range(130)
    ]
    drafts = [d for d in drafts if d.received_at <= now]
    stored = [
        session.get(Complaint, s.case.id) for s in intake(session, drafts, "cli", settings, now=now)
    ]
    for i, complaint in enumerate(stored):  # some accepted, mediated, ended
        if i % 3 == 0:
            at = complaint.received_at + timedelta(days=2)
            if at <= now:
                transition(session, complaint, "accepted", "cli", at=at)
                if i % 2 == 0:
                    transition(session, complaint, "mediation", "cli", at=at)
        elif i % 7 == 0:
            transition(
                session, complaint, "not_accepted", "cli", note="不属管辖", at=complaint.received_at
            )
    session.commit()
    calendar, today = settings.calendar(), china_today(now)
    soon_limit = calendar.add_working_days(today, 3).day

    def pending(c):
        d = case_deadlines(c, calendar, settings)
        if c.status == "received":
            return d.accept_by.day
        return d.close_by.day if c.status in ("accepted", "mediation") else None

    everything = list_complaints(session)
    expect_late = {c.id for c in everything if pending(c) and pending(c) < today}
    expect_soon = {c.id for c in everything if pending(c) and today <= pending(c) <= soon_limit}
    late = {c.id for c in overdue(session, now, calendar, settings)}
    soon = {c.id for c in due_soon(session, now, calendar, settings)}
    assert late == expect_late and soon == expect_soon
    assert late and soon and not late & soon
    assert all(
        case_deadlines(c, calendar, settings).late(c, today)
        for c in overdue(session, now, calendar, settings)
    )


def test_the_last_start_of_a_window_is_the_brute_force_one(settings):
    """Every day of 2026 (National Day, Spring Festival and their make-up days) and past
    the loaded calendar: the day found by walking back is the last one whose deadline
    falls before the given day."""
    from datetime import date

    from surveyapp.complaints.deadlines import _last_start

    calendar = settings.calendar()
    for n in (0, 1, 7, 45):
        for offset in range(0, 420, 3):
            before = date(2026, 1, 1) + timedelta(days=offset)
            found = _last_start(calendar, n, before)
            assert calendar.add_working_days(found, n).day < before
            assert calendar.add_working_days(found + timedelta(days=1), n).day >= before
