"""The scoring view of a questionnaire, for :mod:`analysis`."""

from __future__ import annotations

from analysis import DimensionSpec, ItemSpec, ScoringSpec

from .model import Questionnaire

__all__ = ["scoring_spec"]


def scoring_spec(q: Questionnaire) -> ScoringSpec:
    """The :class:`analysis.ScoringSpec` of ``q``.

    Items follow ``q.items`` (the storage and CSV order), each with its dimension,
    weight and scale; dimensions keep their weights; the overall item gives the
    satisfied threshold; the goals (of the index, and of the rate if set) are the
    questionnaire's.
    """
    items = tuple(
        ItemSpec(item.id, dim.id, float(item.weight), float(item.scale.min), float(item.scale.max))
        for dim in q.dimensions
        for item in dim.items
    )
    return ScoringSpec(
        id=q.id,
        version=int(q.version),
        dimensions=tuple(DimensionSpec(d.id, float(d.weight)) for d in q.dimensions),
        items=items,
        overall_id=q.overall.id,
        overall_min=float(q.overall.scale.min),
        overall_max=float(q.overall.scale.max),
        satisfied_threshold=float(q.overall.satisfied_threshold),
        goal=float(q.goal),
        rate_goal=None if q.rate_goal is None else float(q.rate_goal),
    )
