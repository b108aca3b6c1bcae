"""Demo inspections (called by ``surveyapp demo`` only): an inspector pool, last
quarter's catering draw with every result entered, and its list published with the
results (一公开) as one edition, so the public page /inspections has something to show."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from surveyapp.credit.classes import CreditSettings
from surveyapp.indices.periods import previous_period
from surveyapp.inspections.draw import draw
from surveyapp.inspections.publication import publish_results
from surveyapp.inspections.service import ResultChecker, enter_results, gather_inputs, store_plan
from surveyapp.models.base import DbSession
from surveyapp.models.credit import Inspector
from surveyapp.responses.importer import ImportProblem
from surveyapp.rounds.dates import china_today

__all__ = ["seed_inspections"]

DEMO_INSPECTORS = ("张明", "李华", "王芳", "赵磊", "陈静", "刘洋", "杨帆", "黄丽")
DEMO_SEED = 20261207
FINDINGS = "后厨生鲜食品与熟食混放，已责令当场整改"


def _quarter(day) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def seed_inspections(session: DbSession, now: datetime) -> int:
    """The pool, last quarter's catering plan, its results and one published edition
    (nothing if seeded already); returns the edition number, or 0."""
    if session.scalar(select(Inspector.id).limit(1)) is not None:
        return 0
    session.add_all(
        Inspector(code=f"530800{n:04d}", name=name) for n, name in enumerate(DEMO_INSPECTORS, 1)
    )
    session.commit()
    today = china_today(now)
    period = previous_period(_quarter(today))
    drawn_on = today - timedelta(days=80)
    inputs = gather_inputs(
        session, CreditSettings.from_config({}), "catering", period, [], drawn_on
    )
    plan = store_plan(session, draw(inputs, DEMO_SEED), "demo", now=now - timedelta(days=80))
    checker = ResultChecker.of(session, plan, today)
    drafts = []
    for n, entry in enumerate(plan.plan["drawn"]):
        failed = n % 5 == 0
        values = {"credit_code": entry["id"], "result": "不合格" if failed else "合格",
                  "inspected_on": (drawn_on + timedelta(days=10 + n % 40)).isoformat(),
                  "findings": FINDINGS if failed else ""}  # fmt: skip
        problems: list[ImportProblem] = []
        draft = checker.check(n + 2, values, problems)
        if draft is not None:
            drafts.append(draft)
    enter_results(session, plan, drafts, "demo", via="csv", file="demo")
    edition = publish_results(session, plan, "demo", now=now)
    session.commit()
    return edition.edition
