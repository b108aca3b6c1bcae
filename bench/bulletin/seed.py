"""The benchmark's data: the demo's six sectors and ten districts, over four quarters.

:func:`surveyapp.demo.seed_demo` fills a quarter and the one before it; called twice
with its notion of "the current quarter" moved back, it fills four consecutive closed
quarters with the same generator the demo and the tests use.
"""

from __future__ import annotations

from unittest import mock

from sqlalchemy.orm import Session

from surveyapp import demo
from surveyapp.models.base import utcnow
from surveyapp.rounds.service import current_quarter


def last_closed_quarters(n: int = 4) -> list[str]:
    """The ``n`` quarters before the current one, oldest first."""
    periods = [demo.previous_quarter(current_quarter(utcnow()))]
    while len(periods) < n:
        periods.insert(0, demo.previous_quarter(periods[0]))
    return periods


def seed_periods(session: Session, periods: list[str], per_round: int, seed: int = 7) -> int:
    """Seed every sector for each pair of ``periods`` (an even number, oldest first);
    returns the number of responses stored."""
    if len(periods) % 2:
        raise ValueError("give an even number of periods (the demo seeds them in pairs)")
    total = 0
    for i in range(1, len(periods), 2):
        with mock.patch.object(demo, "current_quarter", lambda _now, p=periods[i]: p):
            total += demo.seed_demo(session, per_round=per_round, seed=seed + i).responses
    return total
