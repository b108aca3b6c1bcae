"""What to do with population margins the analysed respondents do not cover.

Raking (Deville & Särndal 1992; R's ``survey::rake``) cannot give weight to a category
nobody in the sample belongs to: the iteration has no respondent to scale up, so R
stops with an error.  A round stored in the database meets this all the time early in
its field period (no respondent from a remote county yet); a CSV file given to
``surveyapp analyze`` is meant to be complete.  So there are two named policies, and
every output states which one applied and what it dropped:

``refuse``
    A margin variable that is not a column, or a category without an analysed
    respondent, is an error (:class:`AbsentMargin`).  The default of
    ``surveyapp analyze`` on CSV files, as R's ``rake`` would refuse it.
``drop-absent``
    Such variables and categories are left out, and every remaining variable is
    scaled to the smallest remaining total so that all still describe one population.
    The dropped ``(variable, category)`` pairs are returned (category ``"*"`` for a
    whole variable) so the output can name them.  The default for stored rounds, so
    an early dashboard works.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Literal

__all__ = ["MARGINS_POLICIES", "AbsentMargin", "FittedMargins", "MarginsPolicy", "fit_margins"]

MarginsPolicy = Literal["refuse", "drop-absent"]
MARGINS_POLICIES: tuple[MarginsPolicy, ...] = ("refuse", "drop-absent")


class AbsentMargin(ValueError):
    """Under ``refuse``: ``variable`` is not a column (``category`` is ``"*"``) or its
    ``category`` has no analysed respondent to weight."""

    def __init__(self, variable: str, category: str) -> None:
        what = (
            f"margin variable {variable!r} is not a column of the responses"
            if category == "*"
            else f"margin {variable}={category} has no analysed respondent to weight"
        )
        super().__init__(what)
        self.variable = variable
        self.category = category


@dataclass(frozen=True)
class FittedMargins:
    """The totals to rake to (``None``: nothing left to weight to) and what was dropped."""

    totals: dict[str, dict[str, float]] | None
    dropped: tuple[tuple[str, str], ...] = ()


def fit_margins(
    margins: Mapping[str, Mapping[str, float]],
    present: Mapping[str, Set[str]],
    policy: MarginsPolicy,
) -> FittedMargins:
    """Apply ``policy`` to ``margins`` given the categories ``present`` among the
    analysed respondents (one set per column of the responses; a variable missing
    from ``present`` is not a column).

    >>> fit_margins({"g": {"a": 60, "b": 40}, "d": {"x": 50, "y": 50}},
    ...             {"g": {"a", "b"}, "d": {"x"}}, "drop-absent").totals
    {'g': {'a': 30.0, 'b': 20.0}, 'd': {'x': 50.0}}
    """
    if policy not in MARGINS_POLICIES:
        raise ValueError(f"margins policy {policy!r}: choose one of {', '.join(MARGINS_POLICIES)}")
    kept: dict[str, dict[str, float]] = {}
    dropped: list[tuple[str, str]] = []
    for var, cats in margins.items():
        if var not in present:
            if policy == "refuse":
                raise AbsentMargin(var, "*")
            dropped.append((var, "*"))
            continue
        seen = present[var]
        for cat in cats:
            if cat not in seen:
                if policy == "refuse":
                    raise AbsentMargin(var, cat)
                dropped.append((var, cat))
        here = {c: float(p) for c, p in cats.items() if c in seen}
        if here:
            kept[var] = here
    if not kept:
        return FittedMargins(None, tuple(dropped))
    # one population for every variable: the smallest remaining total (a variable
    # already at it is kept exactly as given)
    totals = {v: sum(c.values()) for v, c in kept.items()}
    target = min(totals.values())
    scaled = {
        v: cats if totals[v] == target else {c: p * target / totals[v] for c, p in cats.items()}
        for v, cats in kept.items()
    }
    return FittedMargins(scaled, tuple(dropped))
