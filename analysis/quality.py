"""Data-quality rules: speeders, straight-liners and duplicates.

Each rule flags responses; flagged responses are left out of the estimates when the
caller asks for it, never deleted, and every rule's count is reported.

* speeder: completion time under ``speed_fraction`` (default 1/3) of the median
  completion time of the responses with a known time;
* straight-liner: every answered rating item has the same value, over at least
  ``straightline_min_items`` (default 10) answered items;
* duplicate: the same answers (rating items and overall item, unanswered included)
  and the same respondent values as an earlier response; the first one is kept.

References
----------
Leiner, D. J. (2019). Too fast, too straight, too weird: non-reactive indicators for
meaningless data in internet surveys. *Survey Research Methods* 13, 229-248.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .matrix import ResponseMatrix, factorize

__all__ = ["QualityFlags", "QualityRules", "flag_responses"]

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class QualityRules:
    """Which data-quality rules to apply, and their thresholds.

    ``duplicate_columns`` lists the respondent columns compared by the duplicate rule
    (``None``: every column of the matrix).
    """

    speeders: bool = True
    speed_fraction: float = 1.0 / 3.0
    straightliners: bool = True
    straightline_min_items: int = 10
    duplicates: bool = True
    duplicate_columns: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if not (0 < self.speed_fraction < 1):
            raise ValueError(f"speed_fraction must be between 0 and 1, not {self.speed_fraction}")
        if self.straightline_min_items < 2:
            raise ValueError("straightline_min_items must be at least 2")


@dataclass(frozen=True)
class QualityFlags:
    """Per-response flags of each rule (all False for a rule not applied)."""

    speeder: BoolArray
    straightliner: BoolArray
    duplicate: BoolArray
    flagged: BoolArray
    median_duration: float

    @property
    def any(self) -> BoolArray:
        """Flagged by some rule, or flagged beforehand."""
        return self.speeder | self.straightliner | self.duplicate | self.flagged

    def counts(self) -> dict[str, int]:
        return {
            "speeders": int(self.speeder.sum()),
            "straightliners": int(self.straightliner.sum()),
            "duplicates": int(self.duplicate.sum()),
            "flagged": int(self.flagged.sum()),
            "any": int(self.any.sum()),
        }


def speeders(durations: NDArray[np.float64], fraction: float) -> tuple[BoolArray, float]:
    """Responses faster than ``fraction`` of the median known duration."""
    known = ~np.isnan(durations)
    if not known.any():
        return np.zeros(durations.size, dtype=bool), math.nan
    med = float(np.median(durations[known]))
    with np.errstate(invalid="ignore"):
        return known & (durations < fraction * med), med


def straightliners(scores: NDArray[np.float64], min_items: int) -> BoolArray:
    """Every answered rating identical over at least ``min_items`` answered items."""
    out = np.zeros(scores.shape[0], dtype=bool)
    if scores.shape[1] < min_items:
        return out
    block = 1 << 16
    for start in range(0, scores.shape[0], block):
        s = scores[start : start + block]
        answered = (~np.isnan(s)).sum(axis=1)
        hi = np.fmax.reduce(s, axis=1)
        lo = np.fmin.reduce(s, axis=1)
        out[start : start + block] = (answered >= min_items) & (hi == lo)
    return out


def duplicates(matrix: ResponseMatrix, columns: Sequence[str] | None) -> BoolArray:
    """Rows repeating an earlier row's answers and respondent values (the first is kept).

    Rows are hashed to 64 bits with random odd multipliers; rows sharing a hash are then
    compared exactly, so a hash collision cannot flag a response.
    """
    n = matrix.n
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    names = list(matrix.columns) if columns is None else list(columns)
    parts = [np.where(np.isnan(matrix.scores), -1e300, matrix.scores).view(np.int64)]
    parts.append(np.where(np.isnan(matrix.overall), -1e300, matrix.overall).view(np.int64)[:, None])
    for name in names:
        parts.append(factorize(matrix.column(name))[0].astype(np.int64)[:, None])
    rng = np.random.default_rng(20240611)
    h = np.zeros(n, dtype=np.uint64)
    for part in parts:
        mult = np.asarray(rng.integers(1, 2**63, size=part.shape[1], dtype=np.uint64)) | np.uint64(
            1
        )
        with np.errstate(over="ignore"):
            for c in range(part.shape[1]):
                h = (h ^ (part[:, c].view(np.uint64) * mult[c])) * np.uint64(0x9E3779B97F4A7C15)
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    cand = np.flatnonzero(counts[inverse.reshape(-1)] > 1)
    if cand.size == 0:
        return out
    keys = np.concatenate([p[cand] for p in parts], axis=1)
    _, first = np.unique(keys, axis=0, return_index=True)
    is_first = np.zeros(cand.size, dtype=bool)
    is_first[first] = True
    out[cand[~is_first]] = True
    return out


def flag_responses(matrix: ResponseMatrix, rules: QualityRules) -> QualityFlags:
    """Apply ``rules`` to every response of ``matrix``."""
    n = matrix.n
    none = np.zeros(n, dtype=bool)
    median = math.nan
    if rules.speeders and matrix.durations is not None:
        fast, median = speeders(matrix.durations, rules.speed_fraction)
    else:
        fast = none
    straight = (
        straightliners(matrix.scores, rules.straightline_min_items)
        if rules.straightliners
        else none
    )
    dup = duplicates(matrix, rules.duplicate_columns) if rules.duplicates else none
    flagged = none if matrix.flags is None else matrix.flags
    return QualityFlags(fast, straight, dup, flagged, median)
