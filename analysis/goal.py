"""The goal test: is a measure (the index, or the satisfaction rate) above or below its goal?

With :math:`z = (\\hat\\theta - g) / \\mathrm{SE}` (analysis contract, 8):

* ``met`` when the one-sided p of being above the goal, :math:`1 - \\Phi(z)`, is < α;
* ``not_met`` when the one-sided p of being below it, :math:`\\Phi(z)`, is < α;
* ``inconclusive`` otherwise.

The reported ``p_value`` is :math:`1 - \\Phi(|z|)`, the one-sided p in the direction
of the estimate.  A result with fewer than ``min_n`` respondents gets no verdict.

The index is judged against ``goal``; the satisfaction rate, when the questionnaire
sets a ``rate_goal``, against it, with the rate's linearised SE (percent points).

A one-sided test at 5% is not "the 95% interval lies below the goal": ``not_met``
holds as soon as the estimate is 1.645 SE below the goal, so an index of 76.0 with
SE 2.1 (95% interval 71.9-80.1) is ``not_met`` though its interval reaches 80.
"""

from __future__ import annotations

import math
from typing import Literal

from scipy import special

__all__ = ["GoalStatus", "goal_test"]

GoalStatus = Literal["met", "not_met", "inconclusive"]


def goal_test(
    estimate: float, se: float, goal: float, *, alpha: float = 0.05
) -> tuple[GoalStatus | None, float | None]:
    """Verdict and one-sided p-value of an estimate against a goal.

    Returns ``(None, None)`` when the estimate or its SE is not a number.  A zero SE
    gives p = 0 (``met`` or ``not_met`` by the sign of the difference) unless the
    estimate equals the goal (p = 0.5, ``inconclusive``).
    """
    if not (math.isfinite(estimate) and math.isfinite(se)):
        return None, None
    diff = estimate - goal
    if se > 0:
        z = diff / se
    elif diff == 0:
        z = 0.0
    else:
        z = math.copysign(math.inf, diff)
    p = float(special.ndtr(-abs(z)))
    if z > 0 and p < alpha:
        return "met", p
    if z < 0 and p < alpha:
        return "not_met", p
    return "inconclusive", p
