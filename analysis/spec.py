"""What to score: items, dimensions, weights, scales, the overall item and the goals.

A :class:`ScoringSpec` is a plain description with no dependency on the
questionnaire model, so that :mod:`analysis` can be used on data from anywhere.
:func:`surveyapp.questionnaire.scoring.scoring_spec` builds one from a questionnaire.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_GOAL", "DimensionSpec", "ItemSpec", "ScoringSpec"]

#: The goal used when neither the caller nor the questionnaire gives one.
DEFAULT_GOAL = 80.0


def _check_scale(what: str, lo: float, hi: float) -> None:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        raise ValueError(f"{what}: the scale maximum ({hi}) must be above its minimum ({lo})")


@dataclass(frozen=True)
class ItemSpec:
    """One rating item.

    Parameters
    ----------
    id : str
        The item id (a column of the responses).
    dimension : str
        Id of the dimension the item belongs to.
    weight : float
        Weight of the item inside its dimension (renormalised over answered items).
    min, max : float
        The ends of the item's rating scale; a score ``x`` becomes
        ``100 (x - min) / (max - min)``.
    """

    id: str
    dimension: str
    weight: float = 1.0
    min: float = 1.0
    max: float = 5.0

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("an item needs an id")
        if not math.isfinite(self.weight) or self.weight <= 0:
            raise ValueError(
                f"item {self.id}: the weight must be a positive number, not {self.weight}"
            )
        _check_scale(f"item {self.id}", self.min, self.max)


@dataclass(frozen=True)
class DimensionSpec:
    """A dimension and its weight in the index (renormalised over scored dimensions)."""

    id: str
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a dimension needs an id")
        if not math.isfinite(self.weight) or self.weight <= 0:
            raise ValueError(
                f"dimension {self.id}: the weight must be a positive number, not {self.weight}"
            )


@dataclass(frozen=True)
class ScoringSpec:
    """Everything :func:`analysis.run` needs to know about a questionnaire.

    Parameters
    ----------
    id : str
        Questionnaire id, reported as ``questionnaire``.
    version : int
        Questionnaire version.
    dimensions : tuple of DimensionSpec
        Dimensions in questionnaire order.
    items : tuple of ItemSpec
        Rating items; their order is the column order of
        :attr:`ResponseMatrix.scores`.
    overall_id : str
        Id of the overall-satisfaction item.
    overall_min, overall_max : float
        Scale of the overall item.
    satisfied_threshold : float
        An overall answer at or above this value counts as satisfied.
    goal : float
        Goal of the index, used when the caller gives none.
    rate_goal : float, optional
        Goal of the satisfaction rate (percent), judged by the same one-sided test
        with the rate's linearised SE; ``None``: the rate has no goal and no verdict.
    """

    id: str
    version: int
    dimensions: tuple[DimensionSpec, ...]
    items: tuple[ItemSpec, ...]
    overall_id: str = "overall"
    overall_min: float = 1.0
    overall_max: float = 5.0
    satisfied_threshold: float = 4.0
    goal: float = DEFAULT_GOAL
    rate_goal: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dimensions", tuple(self.dimensions))
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise ValueError(f"questionnaire {self.id}: no rating items to score")
        dim_ids = [d.id for d in self.dimensions]
        if len(set(dim_ids)) != len(dim_ids):
            raise ValueError(f"questionnaire {self.id}: dimension ids must be unique")
        item_ids = [i.id for i in self.items]
        if len(set(item_ids)) != len(item_ids):
            raise ValueError(f"questionnaire {self.id}: item ids must be unique")
        if self.overall_id in item_ids:
            raise ValueError(
                f"questionnaire {self.id}: the overall item {self.overall_id} is also a rating item"
            )
        known = set(dim_ids)
        for item in self.items:
            if item.dimension not in known:
                raise ValueError(f"item {item.id}: unknown dimension {item.dimension}")
        empty = [d for d in dim_ids if not any(i.dimension == d for i in self.items)]
        if empty:
            raise ValueError(f"dimension {empty[0]} has no items")
        _check_scale(f"overall item {self.overall_id}", self.overall_min, self.overall_max)
        if not (self.overall_min <= self.satisfied_threshold <= self.overall_max):
            raise ValueError(
                f"overall item {self.overall_id}: satisfied_threshold {self.satisfied_threshold} "
                f"is outside its scale {self.overall_min}-{self.overall_max}"
            )
        if not math.isfinite(self.goal):
            raise ValueError("the goal must be a number")
        if self.rate_goal is not None and not (
            math.isfinite(self.rate_goal) and 0 <= self.rate_goal <= 100
        ):
            raise ValueError(
                f"the goal of the satisfaction rate must be a percentage from 0 to 100, "
                f"not {self.rate_goal}"
            )

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in column order."""
        return tuple(i.id for i in self.items)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    def items_of(self, dimension: str) -> tuple[int, ...]:
        """Column positions of the items of ``dimension``."""
        return tuple(j for j, i in enumerate(self.items) if i.dimension == dimension)
