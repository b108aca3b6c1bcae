"""Who may report an indicator's values: the one rule the form, the upload and the API share.

The plans name their responsible bureaus in free text (市商务局（牵头）、市民政局 …); the
platform's bureau accounts are given sectors instead (:attr:`surveyapp.models.User.sectors`).
An indicator therefore lists the sectors whose bureau reports it (``sectors:`` in its plan
file; a satisfaction binding belongs to its sector): a bureau account may enter, correct
and import the values of an indicator that shares one of its sectors; an administrator may
enter every indicator's; no other role enters any.  An indicator of no sector (most of
Lincang's and Shanghai's, led by offices without a platform sector) is the administrators'.
A bound indicator takes no entered value at all (:func:`surveyapp.plans.check_entry`).
"""

from __future__ import annotations

from collections.abc import Sequence

from surveyapp.models import User
from surveyapp.responses.importer import ImportProblem

from .catalogue import Indicator, Plan
from .values import ValueEntry

__all__ = ["may_enter", "may_see_value", "refused_rows"]

SATISFACTION = ("satisfaction_index", "satisfaction_rate")


def may_enter(user: User, indicator: Indicator) -> bool:
    """Whether ``user`` may enter (and correct) ``indicator``'s values."""
    if indicator.bound_to is not None or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role == "bureau":
        return bool(set(user.sectors or ()) & set(indicator.entry_sectors))
    return False


def may_see_value(user: User, indicator: Indicator) -> bool:
    """Whether ``user`` sees the indicator's value: every value but a sector's
    satisfaction to a bureau of other sectors (as on the dashboard)."""
    bound = indicator.bound_to
    if bound is None or bound.kind not in SATISFACTION or bound.sector is None:
        return True
    return user.may_see_sector(bound.sector)


def refused_rows(
    user: User, plans: Sequence[Plan], entries: Sequence[ValueEntry]
) -> list[ImportProblem]:
    """The rows of a checked values file that ``user`` may not enter (none: all may be)."""
    by_id = {p.id: p for p in plans}
    problems = []
    for entry in entries:
        indicator = by_id[entry.plan_id].indicator(entry.indicator_id)
        if indicator is not None and not may_enter(user, indicator):
            sectors = ", ".join(indicator.entry_sectors) or "none: administrators only"
            problems.append(
                ImportProblem(
                    entry.row or 0,
                    "indicator",
                    f"{entry.indicator_id} is reported by its own bureau (sectors: {sectors})",
                )
            )
    return problems
