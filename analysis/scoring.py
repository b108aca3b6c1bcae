"""From raw answers to item scores, dimension scores and the respondent index.

Definitions (analysis contract, 1-3):

* item score: :math:`s = 100 (x - \\min) / (\\max - \\min)`;
* dimension score: :math:`d = \\sum_j a_j s_j / \\sum_j a_j` over the answered items
  ``j`` of the dimension, ``a_j`` the item weights;
* respondent index: :math:`I = \\sum_d v_d d / \\sum_d v_d` over the dimensions that
  have a score, ``v_d`` the dimension weights.

All three are computed on whole blocks of rows with matrix products.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .spec import ScoringSpec

__all__ = ["check_scores", "item_scores", "overall_score", "satisfied", "score_respondents"]

FloatArray = NDArray[np.float64]

#: Rows scored per block: bounds the temporaries to a few tens of megabytes.
BLOCK_ROWS = 1 << 16


def _item_bounds(spec: ScoringSpec) -> tuple[FloatArray, FloatArray]:
    lo = np.array([i.min for i in spec.items], dtype=np.float64)
    hi = np.array([i.max for i in spec.items], dtype=np.float64)
    return lo, hi


def check_scores(scores: FloatArray, overall: FloatArray, spec: ScoringSpec) -> None:
    """Raise ``ValueError`` naming the item when an answer lies outside its scale."""
    if scores.shape[1] != len(spec.items):
        raise ValueError(
            f"the scores have {scores.shape[1]} columns but questionnaire {spec.id} "
            f"has {len(spec.items)} rating items"
        )
    lo, hi = _item_bounds(spec)
    if scores.shape[0]:
        with np.errstate(invalid="ignore"):
            bad = (scores < lo) | (scores > hi) | np.isinf(scores)
        cols = np.flatnonzero(bad.any(axis=0))
        if cols.size:
            j = int(cols[0])
            i = int(np.flatnonzero(bad[:, j])[0])
            item = spec.items[j]
            raise ValueError(
                f"row {i + 1}, item {item.id}: score {scores[i, j]:g} is outside the scale "
                f"{item.min:g}-{item.max:g}"
            )
        with np.errstate(invalid="ignore"):
            obad = (overall < spec.overall_min) | (overall > spec.overall_max) | np.isinf(overall)
        if obad.any():
            i = int(np.flatnonzero(obad)[0])
            raise ValueError(
                f"row {i + 1}, item {spec.overall_id}: score {overall[i]:g} is outside the scale "
                f"{spec.overall_min:g}-{spec.overall_max:g}"
            )


def item_scores(scores: FloatArray, spec: ScoringSpec) -> FloatArray:
    """Item scores on 0-100 (``NaN`` kept): :math:`100 (x - \\min)/(\\max - \\min)`."""
    lo, hi = _item_bounds(spec)
    return (np.asarray(scores, dtype=np.float64) - lo) * (100.0 / (hi - lo))


def item_score(scores: FloatArray, spec: ScoringSpec, j: int) -> FloatArray:
    """Item scores on 0-100 of column ``j`` only."""
    item = spec.items[j]
    return (scores[:, j] - item.min) * (100.0 / (item.max - item.min))


def overall_score(overall: FloatArray, spec: ScoringSpec) -> FloatArray:
    """The overall item on 0-100, ``NaN`` where unanswered."""
    return (overall - spec.overall_min) * (100.0 / (spec.overall_max - spec.overall_min))


def satisfied(overall: FloatArray, spec: ScoringSpec) -> FloatArray:
    """100 for a satisfied respondent, 0 for a dissatisfied one, ``NaN`` when unanswered.

    Satisfied means an overall answer at or above ``spec.satisfied_threshold``
    (contract, 4); the mean of this column is the satisfaction rate in percent.
    """
    out = np.where(overall >= spec.satisfied_threshold, 100.0, 0.0)
    out[np.isnan(overall)] = np.nan
    return out


def score_respondents(scores: FloatArray, spec: ScoringSpec) -> tuple[FloatArray, FloatArray]:
    """Dimension scores and the index of every respondent.

    Parameters
    ----------
    scores : ndarray, shape (n, k)
        Raw answers, ``NaN`` = not answered.
    spec : ScoringSpec

    Returns
    -------
    dimensions : ndarray, shape (n, D)
        Weighted mean of the answered item scores of each dimension (``NaN`` when no
        item of the dimension is answered).
    index : ndarray, shape (n,)
        Weighted mean of the available dimension scores with the dimension weights,
        renormalised; ``NaN`` when no dimension has a score.
    """
    n, k = scores.shape
    dims = spec.dimensions
    pos = {d.id: c for c, d in enumerate(dims)}
    wmat = np.zeros((k, len(dims)))
    for j, item in enumerate(spec.items):
        wmat[j, pos[item.dimension]] = item.weight
    vdim = np.array([d.weight for d in dims], dtype=np.float64)
    lo, hi = _item_bounds(spec)
    factor = 100.0 / (hi - lo)
    out_dims = np.empty((n, len(dims)))
    out_index = np.empty(n)
    for start in range(0, n, BLOCK_ROWS):
        block = scores[start : start + BLOCK_ROWS]
        answered = ~np.isnan(block)
        s = np.where(answered, (block - lo) * factor, 0.0)
        num = s @ wmat
        den = answered.astype(np.float64) @ wmat
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(den > 0, num / den, np.nan)
        scored = ~np.isnan(d)
        dnum = np.where(scored, d, 0.0) @ vdim
        dden = scored.astype(np.float64) @ vdim
        with np.errstate(invalid="ignore", divide="ignore"):
            out_index[start : start + BLOCK_ROWS] = np.where(dden > 0, dnum / dden, np.nan)
        out_dims[start : start + BLOCK_ROWS] = d
    return out_dims, out_index
