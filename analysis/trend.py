"""Trends and changes over periods, for the whole result or one group of it.

The dashboard (a sector, or one district of it) and the bulletin (a sector) show the
same two things: the index of each period of a trend, and the change since the
previous period with its test.  Both are built here, so the rule "a change is shown
only when both periods have enough respondents" and the scoping to a group cannot
differ between them.  Pure: results in, results out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .change import Change, ChangeResult
from .result import AnalysisResult, GroupResult, IndexEstimate, RateEstimate, ScoreEstimate

__all__ = ["Scope", "TrendPoint", "change_in", "comparable", "scope_of", "trend"]

#: A group of a result, e.g. ``{"district": "思茅区"}``; ``None`` is the whole result.
Group = Mapping[str, str] | None


@dataclass(frozen=True)
class TrendPoint:
    """The index of one period; ``index`` is ``None`` when the period has no analysis."""

    period: str
    index: IndexEstimate | None
    small_sample: bool = False


@dataclass(frozen=True)
class Scope:
    """The numbers of a result for the whole sample or one group of it."""

    index: IndexEstimate | None
    n: int
    small_sample: bool
    dimensions: tuple[ScoreEstimate, ...] = ()
    rate: RateEstimate | None = None


_NOTHING = Scope(None, 0, True)


def _group(result: AnalysisResult, group: Mapping[str, str]) -> GroupResult | None:
    wanted = dict(group)
    return next((g for g in result.groups if g.by == wanted), None)


def scope_of(result: AnalysisResult | None, group: Group = None) -> Scope:
    """The whole result, or the group ``group`` of it (nothing when it has no such group)."""
    if result is None:
        return _NOTHING
    if group is None:
        return Scope(
            result.index, result.n, result.small_sample, result.dimensions,
            result.satisfaction_rate,
        )  # fmt: skip
    g = _group(result, group)
    if g is None:
        return _NOTHING
    return Scope(g.index, g.n, g.small_sample, g.dimensions, g.satisfaction_rate)


def trend(
    periods: Sequence[str], results: Mapping[str, AnalysisResult | None], group: Group = None
) -> tuple[TrendPoint, ...]:
    """One point per period of ``periods`` (oldest first) that ``results`` has, with
    the scope's index; a period with no result is a point without an index."""
    points = []
    for p in periods:
        if p not in results:
            continue
        s = scope_of(results[p], group)
        points.append(TrendPoint(p, s.index, s.small_sample))
    return tuple(points)


def comparable(
    before: AnalysisResult | None, after: AnalysisResult | None, group: Group = None
) -> bool:
    """Whether a change between the two is shown: both exist and, in the scope, both
    have enough respondents for a verdict (a small sample's index is not published)."""
    if before is None or after is None:
        return False
    return not scope_of(before, group).small_sample and not scope_of(after, group).small_sample


def change_in(changes: ChangeResult, group: Group = None) -> Change | None:
    """The index change of the scope from :func:`analysis.compare_periods`' result."""
    if group is None:
        return changes.index
    wanted = dict(group)
    return next((g.index for g in changes.groups if g.by == wanted), None)
