"""Change between two periods: difference of two independent period estimates.

For estimates :math:`\\hat\\theta_a` (earlier) and :math:`\\hat\\theta_b` (later) from
independent samples, the change is :math:`\\Delta = \\hat\\theta_b - \\hat\\theta_a`
with :math:`\\mathrm{SE}(\\Delta) = \\sqrt{\\mathrm{SE}_a^2 + \\mathrm{SE}_b^2}`, the 95%
interval :math:`\\Delta \\pm 1.959964\\,\\mathrm{SE}` and the two-sided p-value
:math:`2(1 - \\Phi(|\\Delta| / \\mathrm{SE}))`; the change is ``significant`` when
p < α (default 0.05).  Groups are matched on their ``by`` values; a group present in
one period only is left out.

References
----------
Lumley, T. (2010). *Complex Surveys*, 2.2 (contrasts of independent estimates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import special

from .estimate import Z95
from .result import AnalysisResult, Estimate, num

__all__ = ["Change", "ChangeResult", "GroupChange", "compare_periods", "difference"]


@dataclass(frozen=True)
class Change:
    """Later minus earlier estimate, with SE, 95% interval and two-sided test."""

    before: float
    after: float
    change: float
    se: float
    ci: tuple[float, float]
    p_value: float
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": num(self.before),
            "after": num(self.after),
            "change": num(self.change),
            "se": num(self.se),
            "ci": [num(self.ci[0]), num(self.ci[1])],
            "p_value": num(self.p_value),
            "significant": self.significant,
        }


def difference(before: Estimate, after: Estimate, *, alpha: float = 0.05) -> Change:
    """The change from ``before`` to ``after`` (independent samples)."""
    d = after.estimate - before.estimate
    se = math.sqrt(before.se**2 + after.se**2)
    if math.isfinite(d) and se > 0:
        p = float(2 * special.ndtr(-abs(d) / se))
    elif math.isfinite(d) and se == 0:
        p = 1.0 if d == 0 else 0.0
    else:
        p = math.nan
    return Change(
        before.estimate,
        after.estimate,
        d,
        se,
        (d - Z95 * se, d + Z95 * se),
        p,
        bool(math.isfinite(p) and p < alpha),
    )


@dataclass(frozen=True)
class GroupChange:
    by: dict[str, str]
    index: Change
    satisfaction_rate: Change
    dimensions: dict[str, Change]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": dict(self.by),
            "index": self.index.to_dict(),
            "satisfaction_rate": self.satisfaction_rate.to_dict(),
            "dimensions": {k: v.to_dict() for k, v in self.dimensions.items()},
        }


@dataclass(frozen=True)
class ChangeResult:
    questionnaire: str
    period_before: str | None
    period_after: str | None
    index: Change
    satisfaction_rate: Change
    dimensions: dict[str, Change]
    items: dict[str, Change]
    groups: tuple[GroupChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire,
            "period_before": self.period_before,
            "period_after": self.period_after,
            "index": self.index.to_dict(),
            "satisfaction_rate": self.satisfaction_rate.to_dict(),
            "dimensions": {k: v.to_dict() for k, v in self.dimensions.items()},
            "items": {k: v.to_dict() for k, v in self.items.items()},
            "groups": [g.to_dict() for g in self.groups],
        }


def compare_periods(
    before: AnalysisResult, after: AnalysisResult, *, alpha: float = 0.05
) -> ChangeResult:
    """Change of every estimate from ``before`` to ``after``, overall and per group.

    Both results must be of the same questionnaire; dimensions and items are matched
    by id, groups by their ``by`` values.
    """
    if before.questionnaire != after.questionnaire:
        raise ValueError(
            f"cannot compare questionnaire {before.questionnaire} with {after.questionnaire}"
        )

    def by_id(a: tuple[Any, ...], b: tuple[Any, ...]) -> dict[str, Change]:
        bmap = {x.id: x for x in b}
        return {x.id: difference(x, bmap[x.id], alpha=alpha) for x in a if x.id in bmap}

    after_groups = {tuple(sorted(g.by.items())): g for g in after.groups}
    groups = []
    for g in before.groups:
        h = after_groups.get(tuple(sorted(g.by.items())))
        if h is None:
            continue
        groups.append(
            GroupChange(
                dict(g.by),
                difference(g.index, h.index, alpha=alpha),
                difference(g.satisfaction_rate, h.satisfaction_rate, alpha=alpha),
                by_id(g.dimensions, h.dimensions),
            )
        )
    return ChangeResult(
        before.questionnaire,
        before.period,
        after.period,
        difference(before.index, after.index, alpha=alpha),
        difference(before.satisfaction_rate, after.satisfaction_rate, alpha=alpha),
        by_id(before.dimensions, after.dimensions),
        by_id(before.items, after.items),
        tuple(groups),
    )
