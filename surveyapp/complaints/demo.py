"""Demo complaints (called by ``surveyapp demo`` only): two quarters of cases across
the demo's providers (free-text names where the registry is empty), some of them
overdue, and the last full month's publicity published as one edition."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select

from surveyapp.complaints.drafts import ComplaintDraft, intake
from surveyapp.complaints.handling import publicity_files, store_publicity_edition
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.models import Provider
from surveyapp.models.base import DbSession
from surveyapp.models.complaint import Complaint
from surveyapp.rounds.dates import china_today

__all__ = ["seed_complaints"]

DEMO_CHANNEL = "12315"
FREE_NAMES = ("思茅老街米线店", "普洱好再来超市", "茶城宾馆", "暖心家政服务部", "顺达快递站")
SECTOR_OF_NAME = ("catering", "supermarket", "lodging", "domestic", "logistics")
WHAT = ("结账金额与标价不一致", "预付卡商家停业无法退款", "服务人员态度恶劣", "商品过期仍在销售")


def _last_month(now: datetime) -> str:
    first = china_today(now).replace(day=1) - timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def seed_complaints(
    session: DbSession, rng: np.random.Generator, now: datetime, n: int = 160
) -> int:
    """Store ``n`` demo complaints received over the last 180 days (none if seeded
    already) and publish last month's publicity; returns how many were stored."""
    if session.scalar(select(Complaint.id).where(Complaint.channel == DEMO_CHANNEL).limit(1)):
        return 0
    settings = ComplaintSettings()
    providers = list(session.scalars(select(Provider).order_by(Provider.id).limit(40)))
    drafts = []
    for i in range(n):
        received = now - timedelta(days=float(rng.uniform(1, 180)))
        age = (now - received).days
        roll = float(rng.uniform())
        status, accepted, closed, outcome, reason = "received", None, None, None, None
        if age > 12 and roll < 0.85:  # most older cases were handled
            accepted = received + timedelta(days=float(rng.uniform(0.5, 5)))
            status = "accepted" if roll < 0.1 else "mediation"
            if age > 30 and roll < 0.75:  # cases still open past 45 working days: overdue
                status = "closed"
                closed = accepted + timedelta(days=float(rng.uniform(3, min(age - 6, 60))))
                outcome = ("和解成功", "和解成功", "未达成和解", "终止")[int(rng.integers(0, 4))]
                reason = "调解完毕"
        elif age > 12 and roll < 0.9:
            status, closed, reason = "not_accepted", received + timedelta(days=3), "不属于受理范围"
        if closed is not None and closed > now:
            closed = now
        provider = providers[int(rng.integers(0, len(providers)))] if providers else None
        k = int(rng.integers(0, len(FREE_NAMES)))
        drafts.append(
            ComplaintDraft(
                received_at=received,
                channel=DEMO_CHANNEL,
                sector=(provider.sectors or [SECTOR_OF_NAME[k]])[0]
                if provider
                else SECTOR_OF_NAME[k],
                category=settings.categories[int(rng.integers(0, len(settings.categories)))],
                description=WHAT[int(rng.integers(0, len(WHAT)))],
                external_id=f"DEMO-{i + 1:05d}",
                provider_id=provider.id if provider else None,
                provider_name=None if provider else FREE_NAMES[k],
                amount=None,
                complainant_name=f"居民{i + 1}",
                complainant_phone=f"139{int(rng.integers(10_000_000, 99_999_999))}",
                status=status,
                accepted_at=accepted,
                closed_at=closed,
                outcome=outcome,
                reason=reason,
            )
        )
    intake(session, drafts, "demo", settings, now=now, source="demo")
    period = _last_month(now)
    pdf, csv, inputs = publicity_files(session, period, settings, "zh", china_today(now))
    store_publicity_edition(
        session,
        period=period,
        lang="zh",
        pdf=pdf,
        csv=csv,
        inputs={**inputs, "demo": True},
        actor="demo",
        now=now,
    )
    session.commit()
    return len(drafts)
