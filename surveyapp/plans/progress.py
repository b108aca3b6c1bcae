"""How an indicator stands: its value against the straight line from baseline to target.

Pure: dates and numbers in, a :class:`Progress` out (no database, no application).

The line runs from the baseline (value ``b`` on its date ``d0``) to the target (value
``t`` on its deadline ``d1``); on day ``d`` it expects ``e = b + (t − b)·(d − d0)/(d1 − d0)``
(``d`` clamped to ``[d0, d1]``).  A value ``v`` on day ``d`` is judged by its *gap*:
``(v − e) / |t − b|`` in percentage points of the baseline-to-target span, positive
when it is on the target's side of the line (above for ``at_least``, below for
``at_most``).  In this order:

* 无数据 ``no_data`` — no value;
* 已实现 ``achieved`` — the value meets the target (``v ≥ t``, or ``v ≤ t`` for ``at_most``);
* 未按期实现 ``missed`` — the deadline has passed (the day judged is after it: the
  deadline day itself still counts as in time) and the target is not met;
* 无基线 ``no_baseline`` — no baseline, so no line (until the deadline);
* 快于预期 ``ahead`` — gap above the tolerance;
* 基本符合预期 ``on_track`` — gap within ± the tolerance (the edges included);
* 滞后 ``behind`` — gap below minus the tolerance.

A baseline already at or past the target leaves no span: the line is the target
itself, and a value that falls short of it is ``behind``.

The arithmetic is exact (:class:`fractions.Fraction` of the decimal numbers as
written), so a value exactly at a tolerance edge is judged on the edge, not by a
rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal

__all__ = ["DEFAULT_TOLERANCE_PP", "STATUSES", "Progress", "Status", "Trajectory", "progress"]

Status = Literal["achieved", "ahead", "on_track", "behind", "missed", "no_baseline", "no_data"]

#: Every status with its Chinese and English words, in the order of the rules above.
STATUSES: dict[Status, tuple[str, str]] = {
    "no_data": ("无数据", "no data"),
    "achieved": ("已实现", "achieved"),
    "missed": ("未按期实现", "deadline passed, not achieved"),
    "no_baseline": ("无基线", "no baseline"),
    "ahead": ("快于预期", "ahead of schedule"),
    "on_track": ("基本符合预期", "on track"),
    "behind": ("滞后", "behind schedule"),
}

#: The tolerance of "on track", in percentage points of the baseline-to-target span.
DEFAULT_TOLERANCE_PP = 5.0


@dataclass(frozen=True)
class Trajectory:
    """What an indicator aims at: the direction, the target by its deadline (the last
    day included) and, when the plan gives one, the baseline and its date."""

    direction: Literal["at_least", "at_most"]
    target: float
    deadline: date
    baseline: float | None = None
    baseline_date: date | None = None


@dataclass(frozen=True)
class Progress:
    """A status; ``expected`` (the line's value on the day judged) and ``gap_pp`` (in
    percentage points of the span, positive = on the target's side) when a line was
    drawn."""

    status: Status
    expected: float | None = None
    gap_pp: float | None = None

    @property
    def zh(self) -> str:
        return STATUSES[self.status][0]

    @property
    def en(self) -> str:
        return STATUSES[self.status][1]


def _exact(x: float) -> Fraction:
    """The number as written in decimal (``0.1`` is one tenth, not its binary neighbour)."""
    return Fraction(repr(float(x)))


def progress(
    trajectory: Trajectory,
    value: float | None,
    on: date,
    *,
    as_of: date | None = None,
    tolerance_pp: float = DEFAULT_TOLERANCE_PP,
) -> Progress:
    """The status of ``value``, the indicator's value on day ``on`` (a period's last day).

    ``as_of`` is the day the question is asked (default ``on``): a value from before
    the deadline that misses the target is ``missed`` once ``as_of`` is past it.
    Raises :class:`ValueError` for a negative tolerance.
    """
    if tolerance_pp < 0:
        raise ValueError(f"the tolerance must be 0 or more percentage points, not {tolerance_pp}")
    if value is None:
        return Progress("no_data")
    sign = 1 if trajectory.direction == "at_least" else -1
    v, t = _exact(value), _exact(trajectory.target)
    if sign * (v - t) >= 0:
        return Progress("achieved")
    if max(on, as_of or on) > trajectory.deadline:
        return Progress("missed")
    if trajectory.baseline is None or trajectory.baseline_date is None:
        return Progress("no_baseline")
    b = _exact(trajectory.baseline)
    span = sign * (t - b)
    if span <= 0:  # the baseline met the target already: the line is the target
        return Progress("behind", float(t), None)
    d0, d1 = trajectory.baseline_date, trajectory.deadline
    elapsed = min(max((on - d0).days, 0), (d1 - d0).days)
    expected = b + (t - b) * Fraction(elapsed, (d1 - d0).days)
    gap = sign * (v - expected) / span * 100
    tolerance = _exact(tolerance_pp)
    status: Status = "ahead" if gap > tolerance else "on_track" if gap >= -tolerance else "behind"
    return Progress(status, float(expected), float(gap))
