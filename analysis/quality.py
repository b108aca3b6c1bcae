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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .matrix import ResponseMatrix, factorize

__all__ = ["QualityFlags", "QualityRules", "flag_responses"]

BoolArray = NDArray[np.bool_]

#: Rows of the score matrix hashed at a time (about a megabyte of scores).
HASH_BLOCK = 8192


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


def _row_parts(
    matrix: ResponseMatrix, columns: Sequence[str] | None
) -> list[Callable[[NDArray[np.intp] | None], NDArray[np.int64]]]:
    """The compared values of every row, as 64-bit integer columns made on demand (for
    all rows, ``None``, or some): the bits of each score (every ``NaN`` alike) and the
    codes of each respondent column.  Made column by column, never all at once: a
    million rows would hold 150 MB of them."""
    names = list(matrix.columns) if columns is None else list(columns)

    def score(j: int) -> Callable[[NDArray[np.intp] | None], NDArray[np.int64]]:
        def part(rows: NDArray[np.intp] | None) -> NDArray[np.int64]:
            values = matrix.overall if j < 0 else matrix.scores[:, j]
            if rows is not None:
                values = values[rows]
            return np.where(np.isnan(values), -1e300, values).view(np.int64)

        return part

    def coded(name: str) -> Callable[[NDArray[np.intp] | None], NDArray[np.int64]]:
        codes = factorize(matrix.column(name))[0]

        def part(rows: NDArray[np.intp] | None) -> NDArray[np.int64]:
            return (codes if rows is None else codes[rows]).astype(np.int64)

        return part

    k = matrix.scores.shape[1]
    return [score(j) for j in range(k)] + [score(-1)] + [coded(name) for name in names]


def _folded(values: NDArray[np.float64]) -> NDArray[np.uint64]:
    """A float array's bits (every ``NaN`` alike) with their high half folded into the
    low half (``v ^ v >> 32``, a bijection): a float's information sits in its top bits,
    and a product carries bits only upwards."""
    v = np.where(np.isnan(values), -1e300, values).view(np.uint64)
    v ^= v >> np.uint64(32)
    return v


def _row_hashes(matrix: ResponseMatrix, columns: Sequence[str] | None) -> NDArray[np.uint64]:
    """A 64-bit hash of every row's answers and respondent values.

    A sum of the (folded) values times random odd multipliers, modulo 2**64, then mixed
    (the finaliser of MurmurHash3).  The score matrix is taken a block of rows at a
    time, so every value is read once, in memory order.
    """
    n, k = matrix.scores.shape
    names = list(matrix.columns) if columns is None else list(columns)
    rng = np.random.default_rng(20240611)
    mult = rng.integers(1, 2**63, size=k + 1 + len(names), dtype=np.uint64) | np.uint64(1)
    h = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, n, HASH_BLOCK):
            block = _folded(matrix.scores[start : start + HASH_BLOCK])
            block *= mult[:k]
            h[start : start + HASH_BLOCK] = block.sum(axis=1, dtype=np.uint64)
        h += _folded(matrix.overall) * mult[k]
        for name, m in zip(names, mult[k + 1 :], strict=True):
            h += factorize(matrix.column(name))[0].astype(np.uint64) * m
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
    return h


def first_of_hash(h: NDArray[np.uint64]) -> NDArray[np.intp]:
    """For every row, the first row with the same hash (itself when it is the first).

    A hash table in numpy, with no sort: open addressing with linear probing in a table
    of at least twice as many slots as rows.  All rows still looking for their slot take
    a step together: a row finding an empty slot claims it (the lowest row among those
    arriving at once), a row finding its own hash there is resolved to the slot's row,
    any other row moves to the next slot.  Rows of one hash walk the same slots in
    step, so the slot of a hash is claimed by its lowest row.
    """
    n = h.size
    bits = max(int(2 * n - 1).bit_length(), 1)
    size = 1 << bits
    table = np.full(size, -1, dtype=np.intp)
    first = np.empty(n, dtype=np.intp)
    rows = np.arange(n, dtype=np.intp)
    slot = (h >> np.uint64(64 - bits)).astype(np.intp) if bits < 64 else h.astype(np.intp)
    mask = size - 1
    while rows.size:
        empty = table[slot] < 0
        if empty.any():
            claim_slots = slot[empty]
            table[claim_slots] = n
            np.minimum.at(table, claim_slots, rows[empty])  # the lowest arriving row
        owner = table[slot]
        same = h[owner] == h[rows]
        first[rows[same]] = owner[same]
        rows, slot = rows[~same], (slot[~same] + 1) & mask
    return first


def _first_by_sorting(keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each row of ``keys`` is the first of its value (exact, by sorting)."""
    _, first = np.unique(keys, axis=0, return_index=True)
    is_first = np.zeros(keys.shape[0], dtype=bool)
    is_first[first] = True
    return is_first


def duplicates(matrix: ResponseMatrix, columns: Sequence[str] | None) -> BoolArray:
    """Rows repeating an earlier row's answers and respondent values (the first is kept).

    Rows are hashed to 64 bits (:func:`_row_hashes`) and every row is matched to the
    first row of its hash through a hash table (:func:`first_of_hash`), with no sort of
    the rows.  A row and the first of its hash are then compared exactly, so a hash
    collision cannot flag a response; the rows of a hash shared by different answers
    (a collision: practically never) are settled exactly by sorting them alone.
    """
    n = matrix.n
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    first = first_of_hash(_row_hashes(matrix, columns))
    cand = np.flatnonzero(first != np.arange(n))
    if cand.size == 0:
        return out
    rep = first[cand]
    parts = _row_parts(matrix, columns)
    equal = np.ones(cand.size, dtype=bool)
    for part in parts:
        equal &= part(cand) == part(rep)
    out[cand[equal]] = True
    if not equal.all():  # a collision: settle the rows of those hashes exactly
        rows = np.flatnonzero(np.isin(first, rep[~equal]))
        keys = np.column_stack([part(rows) for part in parts])
        out[rows] = ~_first_by_sorting(keys)
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
