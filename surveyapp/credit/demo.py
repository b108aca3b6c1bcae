"""Demo credit records (called by ``surveyapp demo`` only): events from "other systems"
for the demo's providers and their classes recorded for two quarters, so the bureaus'
credit pages (``/dashboard/credit``) show a distribution, movers and a record to read.

:func:`seed_credit_events` runs before the demo's inspection draw (the draw reads the
classes the events make): penalties, abnormal-operation listings and honours over the
last twenty months, imported through :func:`surveyapp.credit.record.import_events`
(checked and audited as a real file would be), some of them repaired (信用修复), one
class overridden by the catering bureau; then last quarter's classes are recorded as
they stood at its end.  :func:`record_demo_classes` runs after the draw's results are
entered and records this quarter's classes as of today: the events of this quarter,
the repairs and the failed inspections move some providers between the two.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import select

from surveyapp.credit.classes import CreditSettings, compute_classes, record_classes
from surveyapp.credit.record import EventDraft, EventsFile, end_event, import_events, override_class
from surveyapp.indices.periods import previous_period
from surveyapp.models import Provider
from surveyapp.models.base import DbSession
from surveyapp.models.credit import ClassHistory, CreditEvent
from surveyapp.rounds.dates import china_today

__all__ = ["record_demo_classes", "seed_credit_events"]

#: The demo's credit events' own random stream (the other demo data are untouched)
CREDIT_SEED = 20261208
SOURCE = "市场监管综合执法系统"
#: kind → (share of providers, descriptions)
EVENTS = {
    "penalty": (0.09, ("超范围经营，罚款五千元", "销售过期食品，没收违法所得并罚款",
                       "未明码标价，警告并罚款")),
    "abnormal": (0.05, ("未按期公示年度报告", "通过登记的住所无法联系")),
    "honour": (0.07, ("示范企业", "放心消费承诺单位", "品牌认证")),
}  # fmt: skip


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _quarter_end(period: str) -> date:
    year, q = int(period[:4]), int(period[5])
    first_next = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first_next - timedelta(days=1)


def seed_credit_events(session: DbSession, now: datetime) -> int:
    """The events, repairs and one override, and last quarter's classes (nothing if the
    demo's events are there already); returns how many events were stored."""
    if session.scalar(select(CreditEvent.id).where(CreditEvent.source == SOURCE).limit(1)):
        return 0
    rng = np.random.default_rng(CREDIT_SEED)
    today = china_today(now)
    quarter_start = _quarter_end(previous_period(_quarter(today))) + timedelta(days=1)
    providers = list(session.scalars(select(Provider).where(Provider.status == "open")
                                     .order_by(Provider.id)))  # fmt: skip
    drafts: list[EventDraft] = []
    for kind, (share, texts) in EVENTS.items():
        for p in providers:
            if rng.random() >= share:
                continue
            # a third of them in this quarter (they move classes), the rest up to 20 months ago
            if rng.random() < 1 / 3 and quarter_start < today:
                day = quarter_start + timedelta(
                    days=int(rng.integers(0, (today - quarter_start).days))
                )
            else:
                day = today - timedelta(days=int(rng.integers(100, 600)))
            n = len(drafts) + 1
            drafts.append(EventDraft(n + 1, p.key, "credit_code" if p.credit_code else
                                     "registration_no", kind, day, SOURCE, f"DEMO-{n:05d}",
                                     None, texts[int(rng.integers(0, len(texts)))],
                                     kind != "abnormal"))  # fmt: skip
    import_events(session, EventsFile("demo-credit-events.csv", "utf-8", tuple(drafts), ()), "demo")
    stored = list(session.scalars(select(CreditEvent).where(CreditEvent.source == SOURCE,
                                                            CreditEvent.kind != "honour")))  # fmt: skip
    for e in stored[::4]:  # a quarter of the penalties and listings repaired (信用修复)
        end = max(e.occurred_on + timedelta(days=60), quarter_start)
        if end < today:
            end_event(session, e.id, end, "整改完成，经核查予以信用修复", "demo")
    first = next((p for p in providers if "catering" in p.sectors), None)
    if first is not None:
        override_class(session, first.key, "C", "媒体曝光食品安全问题，待核查", today +
                       timedelta(days=60), "catering", "demo", now=now)  # fmt: skip
    settings = CreditSettings.from_config({})
    last = previous_period(_quarter(today))
    record_classes(session, last, compute_classes(session, settings, _quarter_end(last)))
    return len(drafts)


def record_demo_classes(session: DbSession, now: datetime) -> int:
    """This quarter's classes as of today (nothing if recorded already)."""
    period = _quarter(china_today(now))
    if session.scalar(select(ClassHistory.provider_id).where(ClassHistory.period == period)
                      .limit(1)) is not None:  # fmt: skip
        return 0
    settings = CreditSettings.from_config({})
    classes = compute_classes(session, settings, china_today(now))
    return record_classes(session, period, classes)
