"""Demo values of a few plan indicators: two years each, and one correction, so the plan
pages show values, sparklines, statuses and a value's history.  Demo only: called by
:func:`surveyapp.demo.seed_demo`, never by the application."""

from __future__ import annotations

from surveyapp.models.base import DbSession

from .catalogue import load_plans
from .values import check_entry, import_values

__all__ = ["DEMO_VALUES", "seed_plan_values"]

NOTE = "演示数据（统计公报）"

#: (plan, indicator, period, value); the first catering revenue is corrected below.
DEMO_VALUES: tuple[tuple[str, str, str, float], ...] = (
    ("puer-2023-quality", "catering-revenue", "2019", 46.2),
    ("puer-2023-quality", "catering-revenue", "2020", 48.1),
    ("puer-2023-quality", "catering-enterprises-above-size", "2019", 6),
    ("puer-2023-quality", "catering-enterprises-above-size", "2020", 11),
    ("shanghai-2025-life-services", "elderly-care-beds", "2023", 16.2),
    ("shanghai-2025-life-services", "elderly-care-beds", "2024", 16.9),
    ("shanghai-2025-life-services", "dementia-care-beds", "2023", 1.1),
    ("shanghai-2025-life-services", "dementia-care-beds", "2024", 1.32),
    ("lincang-2025-life-services", "childcare-places-per-1000", "2023", 2.9),
    ("lincang-2025-life-services", "childcare-places-per-1000", "2024", 3.6),
)
#: A correction: the 2020 revenue as the final statistics gave it.
DEMO_CORRECTION = ("puer-2023-quality", "catering-revenue", "2020", 48.9)


def seed_plan_values(session: DbSession) -> int:
    """Store the demo values (then the correction) through the values import, as
    ``"demo"``; the number of rows stored."""
    plans = load_plans()
    entries = [check_entry(plans, p, i, period, v, NOTE) for p, i, period, v in DEMO_VALUES]
    first = import_values(session, entries, "demo", file="demo")
    fix = check_entry(plans, *DEMO_CORRECTION, NOTE.replace("）", "，终稿）"))
    second = import_values(session, [fix], "demo", file="demo")
    return first.entered + second.corrected
