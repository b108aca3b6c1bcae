"""Frozen result types of :func:`analysis.run` and their JSON form.

``AnalysisResult.to_dict()`` gives exactly the keys of the analysis contract, plus
extra keys (``items``, ``drivers``, ``reliability``, ``quality``, details of the
weights, and ``n``/``df`` where useful).  Numbers are plain floats, unrounded; a
number that does not exist (``NaN``) becomes ``null``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .drivers import DriversResult
from .goal import GoalStatus
from .quality import QualityRules
from .reliability import Reliability

__all__ = [
    "AnalysisResult",
    "Estimate",
    "GroupResult",
    "IndexEstimate",
    "QualityReport",
    "RateEstimate",
    "ScoreEstimate",
    "Verdict",
    "Measure",
    "WeightsInfo",
    "has_goal",
    "num",
    "verdict_of",
]

#: What a reader is told about a measure against its goal: the goal test's status, or
#: ``small`` when there are too few respondents (or no number) to test at all.
Verdict = Literal["met", "not_met", "inconclusive", "small"]

#: The measures a goal can be set on: the index (0-100, ``goal``) and the
#: satisfaction rate (percent, ``rate_goal``).
Measure = Literal["index", "rate"]


def num(x: float | None) -> float | None:
    """A JSON-ready number: ``NaN`` and infinities become ``None``."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Estimate:
    """A mean with its standard error, 95% interval and number of respondents."""

    estimate: float
    se: float
    ci: tuple[float, float]
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": num(self.estimate),
            "se": num(self.se),
            "ci": [num(self.ci[0]), num(self.ci[1])],
            "n": self.n,
        }


@dataclass(frozen=True)
class IndexEstimate(Estimate):
    """The index with its goal verdict (``None`` for a small sample)."""

    goal_status: GoalStatus | None = None
    p_value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["goal_status"] = self.goal_status
        d["p_value"] = num(self.p_value)
        return d


@dataclass(frozen=True)
class RateEstimate(Estimate):
    """The satisfaction rate (percent), logit interval with ``df`` degrees of freedom.

    ``goal`` is the rate's own goal (the questionnaire's ``rate_goal``), ``None`` when
    it has none; with a goal, ``goal_status`` and ``p_value`` are the one-sided goal
    test of the index's rule (:func:`analysis.goal_test`) on the rate and its
    linearised SE, and the JSON carries ``goal``, ``goal_status`` and ``p_value``.
    """

    df: int = 0
    goal: float | None = None
    goal_status: GoalStatus | None = None
    p_value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["df"] = self.df
        if self.goal is not None:
            d["goal"] = self.goal
            d["goal_status"] = self.goal_status
            d["p_value"] = num(self.p_value)
        return d


@dataclass(frozen=True)
class ScoreEstimate(Estimate):
    """A dimension or item score; ``dimension`` is set for items."""

    id: str = ""
    dimension: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.dimension is not None:
            d["dimension"] = self.dimension
        d.update(super().to_dict())
        return d


@dataclass(frozen=True)
class GroupResult:
    """Estimates of one group (``by`` maps each grouping column to its value)."""

    by: dict[str, str]
    n: int
    small_sample: bool
    index: IndexEstimate
    satisfaction_rate: RateEstimate
    dimensions: tuple[ScoreEstimate, ...]
    items: tuple[ScoreEstimate, ...]
    deff: float
    effective_n: float
    population: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": dict(self.by),
            "n": self.n,
            "small_sample": self.small_sample,
            "index": self.index.to_dict(),
            "satisfaction_rate": self.satisfaction_rate.to_dict(),
            "dimensions": [d.to_dict() for d in self.dimensions],
            "items": [i.to_dict() for i in self.items],
            "deff": num(self.deff),
            "effective_n": num(self.effective_n),
            "population": num(self.population),
        }


@dataclass(frozen=True)
class WeightsInfo:
    """How the weights were made.

    ``method`` is ``"none"`` (everybody weighs 1) or ``"raking"``.  ``source`` names
    where the margins came from (a round's upload, a file, ``--margins``), ``policy``
    the :mod:`analysis.margins_policy` applied to margins the respondents do not cover,
    and ``dropped`` the ``(variable, category)`` pairs it left out (``"*"``: the whole
    variable); all three are set by the caller that chose the margins.
    """

    method: Literal["none", "raking"]
    iterations: int = 0
    converged: bool = True
    variables: tuple[str, ...] = ()
    max_relative_error: float = 0.0
    population: float | None = None
    trim: float | None = None
    trim_rounds: int = 0
    trimmed: int = 0
    min: float = 1.0
    max: float = 1.0
    max_weight_ratio: float = 1.0
    source: str | None = None
    policy: str | None = None
    dropped: tuple[tuple[str, str], ...] = ()

    def _margins_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.source is not None:
            d["margins_source"] = self.source
        if self.policy is not None:
            d["margins_policy"] = self.policy
        if self.dropped:
            d["dropped"] = [v if c == "*" else f"{v}={c}" for v, c in self.dropped]
        return d

    def to_dict(self) -> dict[str, Any]:
        if self.method == "none":
            return {"method": "none", **self._margins_dict()}
        d: dict[str, Any] = {
            "method": self.method,
            "iterations": self.iterations,
            "converged": self.converged,
            "variables": list(self.variables),
            "max_relative_error": num(self.max_relative_error),
            "population": num(self.population),
            "min": num(self.min),
            "max": num(self.max),
            "max_weight_ratio": num(self.max_weight_ratio),
        }
        if self.trim is not None:
            d.update({"trim": self.trim, "trim_rounds": self.trim_rounds, "trimmed": self.trimmed})
        return d | self._margins_dict()


@dataclass(frozen=True)
class QualityReport:
    """What the data-quality rules flagged, and whether flagged responses were left out."""

    rules: QualityRules
    excluded: bool
    counts: dict[str, int]
    n_excluded: int
    median_duration: float | None

    def to_dict(self) -> dict[str, Any]:
        r = self.rules
        return {
            "excluded": self.excluded,
            "n_excluded": self.n_excluded,
            "counts": dict(self.counts),
            "median_duration": num(self.median_duration),
            "rules": {
                "speeders": r.speeders,
                "speed_fraction": r.speed_fraction,
                "straightliners": r.straightliners,
                "straightline_min_items": r.straightline_min_items,
                "duplicates": r.duplicates,
            },
        }


@dataclass(frozen=True)
class AnalysisResult:
    """Everything :func:`analysis.run` computes for one questionnaire and period.

    ``weights`` and ``respondent_ids`` (not part of the JSON) hold the final weight of
    every analysed respondent, in matrix order.
    """

    questionnaire: str
    version: int
    period: str | None
    goal: float
    n_received: int
    n: int
    effective_n: float
    deff: float
    small_sample: bool
    min_n: int
    weighting: WeightsInfo
    index: IndexEstimate
    satisfaction_rate: RateEstimate
    dimensions: tuple[ScoreEstimate, ...]
    items: tuple[ScoreEstimate, ...]
    groups: tuple[GroupResult, ...]
    by: tuple[str, ...]
    strata: str | None
    quality: QualityReport | None
    reliability: tuple[Reliability, ...]
    drivers: DriversResult | None
    rate_goal: float | None = None
    weights: NDArray[np.float64] = field(
        compare=False, repr=False, default_factory=lambda: np.zeros(0)
    )
    respondent_ids: NDArray[Any] = field(
        compare=False, repr=False, default_factory=lambda: np.zeros(0)
    )

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON document (plus extra keys), ready for :func:`json.dumps`."""
        return {
            "questionnaire": self.questionnaire,
            "version": self.version,
            "period": self.period,
            "goal": self.goal,
            **({} if self.rate_goal is None else {"rate_goal": self.rate_goal}),
            "n_received": self.n_received,
            "n": self.n,
            "effective_n": num(self.effective_n),
            "deff": num(self.deff),
            "small_sample": self.small_sample,
            "weights": self.weighting.to_dict(),
            "index": self.index.to_dict(),
            "satisfaction_rate": self.satisfaction_rate.to_dict(),
            "dimensions": [d.to_dict() for d in self.dimensions],
            "groups": [g.to_dict() for g in self.groups],
            "items": [i.to_dict() for i in self.items],
            "strata": self.strata,
            "by": list(self.by),
            "min_n": self.min_n,
            "quality": None if self.quality is None else self.quality.to_dict(),
            "reliability": [r.to_dict() for r in self.reliability],
            "drivers": None if self.drivers is None else self.drivers.to_dict(),
        }


def verdict_of(estimate: IndexEstimate | RateEstimate | None, small_sample: bool) -> Verdict:
    """The one verdict rule for the dashboard, the API, the bulletin and the CLI.

    ``estimate`` is the measure judged: the index against ``goal`` (always), or the
    satisfaction rate against its ``rate_goal`` (only when the questionnaire sets one:
    see :func:`has_goal`).  A small sample (fewer than ``min_n`` analysed
    respondents), a missing estimate or a goal test that could not run (no finite SE)
    is ``small``: no verdict is given; otherwise the goal test's status
    (:func:`analysis.goal_test`: ``not_met`` = significantly below the goal,
    one-sided at 5%; ``met`` = significantly above; else ``inconclusive``).
    """
    if estimate is None or small_sample or estimate.goal_status is None:
        return "small"
    if not math.isfinite(estimate.estimate):
        return "small"
    return estimate.goal_status


def has_goal(estimate: IndexEstimate | RateEstimate | None) -> bool:
    """Whether ``estimate`` is judged against a goal: the index always, a rate when a
    ``rate_goal`` is set."""
    if estimate is None:
        return False
    return isinstance(estimate, IndexEstimate) or estimate.goal is not None
