"""Rating signals on the credit record (raised, idempotent, ended by recovery or by
credit repair) and the consumer-warning proposals for D-class providers (proposed,
published by a person or dismissed with a reason, within a bureau's sectors)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.accounts.service import create_user
from surveyapp.credit.classes import CreditSettings
from surveyapp.credit.indicators import IndicatorSettings
from surveyapp.credit.proposals import (
    ProposalError,
    dismiss_proposal,
    publish_proposed_warning,
    warning_proposals,
)
from surveyapp.credit.record import end_event, timeline
from surveyapp.credit.rules import default_rules
from surveyapp.credit.signals import RECOVERED, update_signals, uses_signals
from surveyapp.models import AuditLog, Provider
from surveyapp.models.complaint import ConsumerWarning
from surveyapp.models.credit import RATING_SIGNAL, CreditEvent
from tests.credit.credit_data import AS_OF, add_providers, event, provider_id
from tests.providers.registry_data import rating

SETTINGS = IndicatorSettings(window_months=12, low_score=0.6)
RECENT = datetime(2026, 10, 1, 4, tzinfo=UTC)  # in the window ending on AS_OF
OLD = RECENT - timedelta(days=400)  # in the window before


def _rate(session, pid, stars, at, n, tag):
    for k in range(n):
        session.add(rating(pid, "catering", stars, at - timedelta(hours=k), device=f"{tag}{k}"))
    session.commit()


def _signals(session, code=None):
    query = select(CreditEvent).where(CreditEvent.kind == RATING_SIGNAL)
    if code is not None:
        query = query.where(CreditEvent.provider_id == provider_id(session, code))
    return session.scalars(query.order_by(CreditEvent.id)).all()


@pytest.fixture
def rated(session):
    """a: low in both windows; b: low in the last window only; c: satisfied."""
    a, b, c = add_providers(session, 3)
    ida, idb, idc = (provider_id(session, x) for x in (a, b, c))
    _rate(session, ida, 1, RECENT, 30, "a")
    _rate(session, ida, 2, OLD, 20, "a-old")
    _rate(session, idb, 1, RECENT, 30, "b")
    _rate(session, idb, 5, OLD, 20, "b-old")
    _rate(session, idc, 5, RECENT, 30, "c")
    _rate(session, idc, 5, OLD, 20, "c-old")
    return a, b, c


def test_a_signal_needs_two_low_windows_and_is_raised_once(session, rated):
    a, b, c = rated
    run = update_signals(session, SETTINGS, AS_OF, "test")
    assert run.raised == (a,) and run.ended == () and run.still_open == 1
    (signal,) = _signals(session)
    assert signal.occurred_on == AS_OF and signal.source == "rating-signal"
    # its source: both windows and both posterior shares, below the threshold
    assert "2025-12-07..2026-12-06" in signal.description
    assert "2024-12-07..2025-12-06" in signal.description and "below 0.6" in signal.description
    again = update_signals(session, SETTINGS, AS_OF, "test")
    later = update_signals(session, SETTINGS, AS_OF + timedelta(days=3), "test")
    assert again.raised == later.raised == () and len(_signals(session)) == 1
    assert session.scalar(select(func.count()).where(AuditLog.action == "credit.signals")) == 1
    provider = session.get(Provider, provider_id(session, a))
    kinds = [e.kind for e in timeline(session, provider, AS_OF)]
    assert RATING_SIGNAL in kinds
    assert RATING_SIGNAL not in [
        e.kind for e in timeline(session, provider, AS_OF, public_only=True)
    ]


def test_a_signal_ends_when_the_score_recovers_and_may_come_back(session, rated):
    a, _, _ = rated
    update_signals(session, SETTINGS, AS_OF, "test")
    later = AS_OF + timedelta(days=10)
    _rate(session, provider_id(session, a), 5, datetime(2026, 12, 10, tzinfo=UTC), 200, "good")
    run = update_signals(session, SETTINGS, later, "test")
    assert run.ended == (a,) and run.still_open == 0
    (signal,) = _signals(session, a)
    assert signal.ended_on == later and signal.end_reason.startswith(RECOVERED)
    assert not signal.counts_on(later)


def test_credit_repair_ends_a_signal_and_the_same_ratings_never_raise_it_again(session, rated):
    a, _, _ = rated
    update_signals(session, SETTINGS, AS_OF, "test")
    (signal,) = _signals(session, a)
    end_event(session, signal.id, AS_OF, "整改完成，复核通过", "test")
    for day in (AS_OF, AS_OF + timedelta(days=30)):
        assert update_signals(session, SETTINGS, day, "test").raised == ()
    assert len(_signals(session, a)) == 1
    # a year of ratings after the repair, still low: a new signal
    year_later = date(2027, 12, 20)
    _rate(session, provider_id(session, a), 1, datetime(2027, 11, 1, tzinfo=UTC), 30, "new")
    assert update_signals(session, SETTINGS, year_later, "test").raised == (a,)


def test_rules_that_count_low_scores_use_signals(cli, session, rated):
    assert uses_signals(default_rules())
    shown = cli("credit", "classes", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert _signals(session) == []  # printing the classes writes nothing
    kept = cli("credit", "classes", "--as-of", AS_OF.isoformat(), "--record", "2026Q4")
    assert kept.exit_code == 0, kept.output
    assert len(_signals(session)) == 1  # keeping a period's classes updated the record
    out = cli("credit", "signals", "--as-of", AS_OF.isoformat())
    assert out.exit_code == 0 and "0 rating signal(s) raised, 0 ended, 1 open" in out.output
    bad = cli("credit", "signals", "--as-of", "2026-13-01")
    assert bad.exit_code == 2 and "--as-of" in bad.output


# --- consumer-warning proposals -----------------------------------------------------

CREDIT = CreditSettings.from_config({})


def _class_d(session, codes):
    for n, code in enumerate(codes):
        event(session, code, "penalty", date(2026, 5, 1), 500 + n)
        event(session, code, "abnormal", date(2026, 5, 1), 600 + n)  # 40 + 30 points: D


def _user(session, name, role, sectors=None):
    user, _ = create_user(session, name, role, "correct horse battery", sectors=sectors)
    session.commit()
    return user


def test_d_class_providers_are_proposed_until_a_person_decides(session):
    d1, d2, ok = add_providers(session, 3)
    _class_d(session, [d1, d2])
    bureau = _user(session, "shangwu", "bureau", ["catering"])
    proposals = warning_proposals(session, CREDIT, AS_OF, ["catering"], 180)
    assert [p.key for p in proposals] == [d1, d2]
    assert {f.indicator for f in proposals[0].standing.computed.factors} == {
        "penalties_24m", "abnormal_listings"}  # fmt: skip
    assert warning_proposals(session, CREDIT, AS_OF, ["retail"], 180) == []
    p1 = session.get(Provider, provider_id(session, d1))
    warning = publish_proposed_warning(session, CREDIT, p1, "关于店0的消费提示", "请理性消费。",
                                       bureau, as_of=AS_OF, window_days=180,
                                       now=datetime(2026, 12, 6, 2, tzinfo=UTC))  # fmt: skip
    session.commit()
    assert warning.scope == "provider" and warning.issuer == "shangwu"
    p2 = session.get(Provider, provider_id(session, d2))
    with pytest.raises(ProposalError, match="reason"):
        dismiss_proposal(session, CREDIT, p2, "  ", bureau, as_of=AS_OF, window_days=180)
    dismiss_proposal(session, CREDIT, p2, "已约谈整改，暂不警示", bureau, as_of=AS_OF,
                     window_days=180, now=datetime(2026, 12, 6, 3, tzinfo=UTC))  # fmt: skip
    session.commit()
    assert warning_proposals(session, CREDIT, AS_OF, ["catering"], 180) == []
    actions = set(session.scalars(select(AuditLog.action)))
    assert {"credit.warning_proposal.publish", "credit.warning_proposal.dismiss",
            "complaint.warning"} <= actions  # fmt: skip
    # outside the window both come back; a provider not proposed cannot be warned this way
    later = AS_OF + timedelta(days=200)
    assert [p.key for p in warning_proposals(session, CREDIT, later, ["catering"], 180)] == [
        d1, d2]  # fmt: skip
    p3 = session.get(Provider, provider_id(session, ok))
    with pytest.raises(ProposalError, match="not proposed"):
        publish_proposed_warning(session, CREDIT, p3, "t", "b", bureau, as_of=AS_OF,
                                 window_days=180)  # fmt: skip
    assert session.scalar(select(func.count()).select_from(ConsumerWarning)) == 1


def test_a_bureau_acts_on_its_own_sectors_only(session):
    (d1,) = add_providers(session, 1)
    _class_d(session, [d1])
    other = _user(session, "wenlv", "bureau", ["tourism"])
    provider = session.get(Provider, provider_id(session, d1))
    with pytest.raises(ProposalError, match="cannot act"):
        dismiss_proposal(session, CREDIT, provider, "x", other, as_of=AS_OF, window_days=180)
    with pytest.raises(ProposalError, match="cannot act"):
        publish_proposed_warning(session, CREDIT, provider, "t", "b", other, as_of=AS_OF,
                                 window_days=180)  # fmt: skip
