"""A sector's plan targets judged like its configured goal: the dashboard's per-plan verdicts.

The configured goal (the questionnaire's ``goal``) is one number; the plans bind their
own satisfaction targets to a sector (80 in one plan, 90 in another:
:func:`~surveyapp.plans.catalogue.satisfaction_targets`).  Each target is judged by the
one verdict rule, :func:`analysis.verdict_of` on :func:`analysis.goal_test` (the
one-sided test of the estimate and its SE against the goal, no verdict for a small
sample), only with the plan's target in place of the configured goal: so a card never
says "met" for a plan while its interval would say "inconclusive" for the same number.
Pure: the caller passes the plans and the estimates it already has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from analysis import IndexEstimate, RateEstimate, Verdict, goal_test, verdict_of
from surveyapp.questionnaire.model import Text

from .catalogue import Direction, Plan, satisfaction_targets

__all__ = ["PlanTargetVerdict", "plan_target_verdicts", "verdict_against"]

Measure = Literal["index", "rate"]

#: A verdict on an "at most" target reads the other way round.
_FLIPPED: dict[Verdict, Verdict] = {"met": "not_met", "not_met": "met"}


@dataclass(frozen=True)
class PlanTargetVerdict:
    """One plan's target for a sector's satisfaction measure and where it stands."""

    plan_id: str
    plan_name: Text
    indicator_id: str
    name: Text
    measure: Measure  # the satisfaction index (0-100) or the satisfaction rate (percent)
    direction: Direction
    target: float
    deadline: date
    verdict: Verdict


def verdict_against(
    estimate: IndexEstimate | RateEstimate | None,
    small_sample: bool,
    goal: float,
    direction: Direction = "at_least",
) -> Verdict:
    """The verdict of ``estimate`` against ``goal`` instead of the goal it was analysed
    with: :func:`analysis.goal_test` re-run with ``goal``, then :func:`analysis.verdict_of`
    (so the small-sample and no-number cases stay the rule's own).  For an ``at_most``
    target the test's sides swap: significantly below is ``met``."""
    if estimate is None:
        return verdict_of(None, small_sample)
    status, p = goal_test(estimate.estimate, estimate.se, goal)
    if isinstance(estimate, RateEstimate):
        judged: IndexEstimate | RateEstimate = replace(
            estimate, goal=goal, goal_status=status, p_value=p
        )
    else:
        judged = replace(estimate, goal_status=status, p_value=p)
    verdict = verdict_of(judged, small_sample)
    return _FLIPPED.get(verdict, verdict) if direction == "at_most" else verdict


def plan_target_verdicts(
    plans: Iterable[Plan],
    sector: str,
    index: IndexEstimate | None,
    rate: RateEstimate | None,
    small_sample: bool,
) -> tuple[PlanTargetVerdict, ...]:
    """Every plan target bound to ``sector``'s satisfaction index or rate, by deadline,
    each with its verdict on the measure it is bound to (no rate measured: ``small``,
    as for any missing number).  Empty when no plan binds the sector."""
    found = []
    for plan, indicator in satisfaction_targets(plans, sector):
        assert indicator.bound_to is not None  # satisfaction_targets keeps bound ones only
        measure: Measure = "rate" if indicator.bound_to.kind == "satisfaction_rate" else "index"
        estimate = rate if measure == "rate" else index
        found.append(
            PlanTargetVerdict(
                plan_id=plan.id,
                plan_name=plan.name,
                indicator_id=indicator.id,
                name=indicator.name,
                measure=measure,
                direction=indicator.direction,
                target=indicator.target,
                deadline=indicator.deadline,
                verdict=verdict_against(
                    estimate, small_sample, indicator.target, indicator.direction
                ),
            )
        )
    return tuple(found)
