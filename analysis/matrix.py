"""The responses as column arrays: the one input type of :func:`analysis.run`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ResponseMatrix", "factorize"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _as_str_array(values: ArrayLike) -> NDArray[Any]:
    """Text values as a fixed-width unicode array; ``None`` becomes ``""``."""
    arr = np.asarray(values)
    if arr.dtype.kind == "O":
        missing = np.frompyfunc(lambda v: v is None, 1, 1)(arr).astype(bool)
        if missing.any():
            arr = arr.copy()
            arr[missing] = ""
        arr = arr.astype(str)
    elif arr.dtype.kind != "U":
        arr = arr.astype(str)
    return arr


def factorize(
    values: ArrayLike, order: Sequence[str] | None = None
) -> tuple[IntArray, tuple[str, ...]]:
    """Integer codes of categorical values, vectorised.

    Parameters
    ----------
    values : array_like of str
        One value per respondent (``None`` is read as ``""``).
    order : sequence of str, optional
        Preferred order of the levels (such as a questionnaire's options); values
        not listed follow, sorted.

    Returns
    -------
    codes : ndarray of intp
        ``levels[codes[i]] == values[i]``.
    levels : tuple of str
        The distinct values present, in order.
    """
    arr = _as_str_array(values)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp), ()
    uniq, inverse = np.unique(arr, return_inverse=True)
    levels = [str(u) for u in uniq]
    inverse = inverse.reshape(-1).astype(np.intp, copy=False)
    if order is None:
        return inverse, tuple(levels)
    rank = {v: i for i, v in enumerate(order)}
    present = sorted(range(len(levels)), key=lambda j: (rank.get(levels[j], len(rank)), levels[j]))
    remap = np.empty(len(levels), dtype=np.intp)
    remap[present] = np.arange(len(levels))
    return remap[inverse], tuple(levels[j] for j in present)


def _column(name: str, values: ArrayLike, n: int) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"column {name}: expected {n} values, got shape {arr.shape}")
    if arr.dtype.kind not in "OU":
        arr = arr.astype(str)
    return arr


@dataclass(frozen=True)
class ResponseMatrix:
    """Responses of one questionnaire as column arrays (one row a respondent).

    Parameters
    ----------
    respondent_ids : array_like of str, shape (n,)
    scores : array_like of float, shape (n, k)
        Raw answers to the ``k`` rating items of the :class:`ScoringSpec`, in
        ``spec.items`` order; ``NaN`` = not answered or not applicable.
    overall : array_like of float, shape (n,)
        Raw answer to the overall item; ``NaN`` = not answered.
    columns : mapping of str to array_like of str
        Respondent values (``district``, ``age_group``, ``gender``, ``period``, and
        any other column usable for grouping, strata or margins).  ``""`` is a value
        like any other.
    durations : array_like of float, shape (n,), optional
        Completion time in seconds (``NaN`` = unknown).
    flags : array_like of bool, shape (n,), optional
        Responses already flagged (by a moderator, say); excluded together with
        the data-quality rules when ``exclude_flagged`` is asked for.
    levels : mapping of str to sequence of str, optional
        Preferred order of a column's categories in reports (such as a
        questionnaire's option order).

    The constructor converts and checks shapes; arrays are stored as given when
    they already have the right type, so building one does not copy a million rows.
    """

    respondent_ids: NDArray[Any]
    scores: FloatArray
    overall: FloatArray
    columns: Mapping[str, NDArray[Any]] = field(default_factory=dict)
    durations: FloatArray | None = None
    flags: NDArray[np.bool_] | None = None
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = np.asarray(self.respondent_ids)
        if ids.ndim != 1:
            raise ValueError("respondent_ids must be one-dimensional")
        n = ids.shape[0]
        scores = np.asarray(self.scores, dtype=np.float64)
        if scores.ndim != 2 or scores.shape[0] != n:
            raise ValueError(f"scores must have shape ({n}, k), got {scores.shape}")
        overall = np.asarray(self.overall, dtype=np.float64)
        if overall.shape != (n,):
            raise ValueError(f"overall must have shape ({n},), got {overall.shape}")
        columns = {str(k): _column(str(k), v, n) for k, v in dict(self.columns).items()}
        if self.durations is None:
            durations = np.full(n, np.nan)
        else:
            durations = np.asarray(self.durations, dtype=np.float64)
            if durations.shape != (n,):
                raise ValueError(f"durations must have shape ({n},), got {durations.shape}")
        if self.flags is None:
            flags = np.zeros(n, dtype=bool)
        else:
            flags = np.asarray(self.flags, dtype=bool)
            if flags.shape != (n,):
                raise ValueError(f"flags must have shape ({n},), got {flags.shape}")
        levels = {str(k): tuple(str(x) for x in v) for k, v in dict(self.levels).items()}
        object.__setattr__(self, "respondent_ids", ids)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "overall", overall)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "durations", durations)
        object.__setattr__(self, "flags", flags)
        object.__setattr__(self, "levels", levels)

    @property
    def n(self) -> int:
        """Number of respondents (rows)."""
        return int(self.respondent_ids.shape[0])

    def column(self, name: str) -> NDArray[Any]:
        """The values of a respondent column; ``ValueError`` naming it when absent."""
        try:
            return self.columns[name]
        except KeyError:
            known = ", ".join(sorted(self.columns)) or "none"
            raise ValueError(f"no column {name!r} in the responses (columns: {known})") from None

    def codes(self, name: str) -> tuple[IntArray, tuple[str, ...]]:
        """:func:`factorize` a column, in its preferred level order."""
        return factorize(self.column(name), self.levels.get(name))

    def take(self, rows: NDArray[Any]) -> ResponseMatrix:
        """A new matrix of the given rows (a boolean mask or integer positions)."""
        return ResponseMatrix(
            respondent_ids=self.respondent_ids[rows],
            scores=self.scores[rows],
            overall=self.overall[rows],
            columns={k: v[rows] for k, v in self.columns.items()},
            durations=None if self.durations is None else self.durations[rows],
            flags=None if self.flags is None else self.flags[rows],
            levels=self.levels,
        )
