"""The responses as column arrays: the one input type of :func:`analysis.run`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Categorical", "ResponseMatrix", "factorize"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class Categorical:
    """A categorical column already coded: ``levels[codes[i]]`` is row ``i``'s value.

    :func:`factorize` accepts one as it is (dropping levels no row uses), so a column
    coded once can be subset and passed around without coding it again.
    """

    codes: IntArray
    levels: tuple[str, ...]

    def take(self, rows: NDArray[Any] | None) -> Categorical:
        """The same column for a subset of rows (``None``: all rows)."""
        return self if rows is None else Categorical(self.codes[rows], self.levels)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def values(self) -> NDArray[Any]:
        """The column as an object array of str."""
        return np.array(self.levels, dtype=object)[self.codes]

    @classmethod
    def create(cls, codes: ArrayLike, levels: Sequence[str]) -> Categorical:
        """Check and build: integer codes into ``levels`` (such as option positions)."""
        c = np.asarray(codes)
        if c.ndim != 1 or (c.size and c.dtype.kind not in "iu"):
            raise ValueError("categorical codes must be a one-dimensional integer array")
        levels = tuple(str(v) for v in levels)
        if c.size and (c.min() < 0 or c.max() >= len(levels)):
            raise ValueError(f"categorical codes must lie in 0..{len(levels) - 1}")
        return cls(c.astype(np.intp, copy=False), levels)


def _codes_of_objects(arr: NDArray[Any]) -> tuple[IntArray, list[str]]:
    """Codes in order of first appearance, by dict look-ups at C speed (few distinct values)."""
    values = arr.tolist()
    distinct = list(dict.fromkeys(values))
    lookup = {v: i for i, v in enumerate(distinct)}
    codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.intp, count=len(values))
    levels = ["" if v is None else str(v) for v in distinct]
    if len(set(levels)) != len(levels):  # None and "", or 1 and "1": merge equal texts
        first: dict[str, int] = {}
        remap = np.array([first.setdefault(lv, len(first)) for lv in levels], dtype=np.intp)
        return remap[codes], list(first)
    return codes, levels


def factorize(
    values: ArrayLike | Categorical, order: Sequence[str] | None = None
) -> tuple[IntArray, tuple[str, ...]]:
    """Integer codes of categorical values, vectorised.

    Parameters
    ----------
    values : array_like of str, or Categorical
        One value per respondent (``None`` is read as ``""``).
    order : sequence of str, optional
        Preferred order of the levels (such as a questionnaire's options); values
        not listed follow, sorted.

    Returns
    -------
    codes : ndarray of intp
        ``levels[codes[i]] == values[i]``.
    levels : tuple of str
        The distinct values present, sorted (or in ``order``).
    """
    if isinstance(values, Categorical):
        codes = np.asarray(values.codes, dtype=np.intp)
        levels = list(values.levels)
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            arr = arr.reshape(-1)
        if arr.dtype.kind == "O":
            codes, levels = _codes_of_objects(arr)
        else:
            if arr.dtype.kind != "U":
                arr = arr.astype(str)
            uniq, inverse = np.unique(arr, return_inverse=True)
            codes = inverse.reshape(-1).astype(np.intp, copy=False)
            levels = [str(u) for u in uniq]
            if order is None:
                return codes, tuple(levels)
    if codes.size == 0:
        return codes, ()
    present = np.flatnonzero(np.bincount(codes, minlength=len(levels)) > 0)
    rank = {v: i for i, v in enumerate(order or ())}
    kept = sorted(present.tolist(), key=lambda j: (rank.get(levels[j], len(rank)), levels[j]))
    remap = np.full(len(levels), -1, dtype=np.intp)
    remap[kept] = np.arange(len(kept))
    return remap[codes], tuple(levels[j] for j in kept)


def _column(name: str, values: ArrayLike | Categorical, n: int) -> NDArray[Any] | Categorical:
    if isinstance(values, Categorical):
        if len(values) != n:
            raise ValueError(f"column {name}: expected {n} values, got {len(values)}")
        return values
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
    columns : mapping of str to array_like of str, or to Categorical
        Respondent values (``district``, ``age_group``, ``gender``, ``period``, and
        any other column usable for grouping, strata or margins).  ``""`` is a value
        like any other.  A :class:`Categorical` (integer codes and their levels, as a
        loader that stores option positions has them) is used without re-coding.
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
    columns: Mapping[str, NDArray[Any] | Categorical] = field(default_factory=dict)
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

    def values(self, name: str) -> NDArray[Any]:
        """A respondent column as an object array of str, however it is stored."""
        col = self.column(name)
        return col.values() if isinstance(col, Categorical) else np.asarray(col, dtype=object)

    def column(self, name: str) -> NDArray[Any] | Categorical:
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
            columns={
                k: v.take(rows) if isinstance(v, Categorical) else v[rows]
                for k, v in self.columns.items()
            },
            durations=None if self.durations is None else self.durations[rows],
            flags=None if self.flags is None else self.flags[rows],
            levels=self.levels,
        )
