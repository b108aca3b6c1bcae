"""The demo's credit records: events of every kind (some repaired, the law's public ones
marked), one override, and two recorded quarters between which providers move."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.credit.board import movers, recorded_periods
from surveyapp.credit.demo import SOURCE, record_demo_classes, seed_credit_events
from surveyapp.demo import seed_providers
from surveyapp.extensions import db
from surveyapp.models import AuditLog
from surveyapp.models.base import utcnow
from surveyapp.models.credit import ClassOverride, CreditEvent


def test_demo_credit_records_and_two_periods_with_movers(app):
    with app.app_context():
        s = db.session
        seed_providers(s)
        now = utcnow()
        stored = seed_credit_events(s, now)
        assert stored > 20 and seed_credit_events(s, now) == 0  # once
        kinds = dict(s.execute(select(CreditEvent.kind, func.count())
                               .where(CreditEvent.source == SOURCE)
                               .group_by(CreditEvent.kind)).all())  # fmt: skip
        assert set(kinds) == {"penalty", "abnormal", "honour"}
        assert s.scalar(select(func.count()).where(CreditEvent.ended_on.is_not(None))) > 0
        assert not s.scalar(select(func.count()).where(CreditEvent.kind == "abnormal",
                                                       CreditEvent.public.is_(True)))  # fmt: skip
        assert s.scalars(select(ClassOverride)).one().bureau == "catering"
        assert s.scalar(select(func.count()).where(AuditLog.action == "credit.events_import"))
        assert record_demo_classes(s, now) > 0 and record_demo_classes(s, now) == 0
        moved = 0
        for sector in ("catering", "supermarket", "lodging"):
            periods = recorded_periods(s, sector)
            assert len(periods) == 2
            moved += len(movers(s, sector, periods[1], periods[0]))
        assert moved > 0
