"""Internal consistency of each dimension: Cronbach's alpha, and alpha if an item is dropped.

For a dimension of ``k`` items answered in full by a respondent (complete cases,
unweighted, on the 0-100 item scores),

.. math:: \\alpha = \\frac{k}{k-1}\\Big(1 - \\frac{\\sum_j \\sigma^2_j}{\\sigma^2_T}\\Big),

with :math:`\\sigma^2_j` the item variances and :math:`\\sigma^2_T` the variance of the
sum of the items.  Both come from the items' covariance matrix ``C``: the sum of the
variances is ``trace(C)`` and the total variance ``sum(C)``, so alpha with item ``j``
dropped needs no second pass over the data.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16, 297-334.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .spec import ScoringSpec

__all__ = ["Reliability", "cronbach_alpha", "reliability"]


@dataclass(frozen=True)
class Reliability:
    """Alpha of one dimension over its ``n`` complete cases.

    ``alpha`` is ``None`` for a one-item dimension or too few complete cases;
    ``alpha_if_dropped`` maps each item to the alpha of the others (``None`` when
    fewer than two items would remain).
    """

    dimension: str
    n: int
    alpha: float | None
    alpha_if_dropped: dict[str, float | None]

    def to_dict(self) -> dict[str, object]:
        return {
            "dimension": self.dimension,
            "n": self.n,
            "alpha": self.alpha,
            "alpha_if_dropped": dict(self.alpha_if_dropped),
        }


def _alpha_from_cov(c: NDArray[np.float64]) -> float | None:
    k = c.shape[0]
    total = float(c.sum())
    if k < 2 or not math.isfinite(total) or total <= 0:
        return None
    return k / (k - 1) * (1.0 - float(np.trace(c)) / total)


def cronbach_alpha(items: NDArray[np.float64]) -> float | None:
    """Cronbach's alpha of the columns of ``items`` (rows with a ``NaN`` are dropped)."""
    x = np.asarray(items, dtype=np.float64)
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 2 or x.shape[1] < 2:
        return None
    return _alpha_from_cov(np.cov(x, rowvar=False))


def reliability(
    scores: NDArray[np.float64], spec: ScoringSpec, rows: NDArray[np.intp] | None = None
) -> tuple[Reliability, ...]:
    """Alpha of every dimension, with alpha if each item is dropped.

    Parameters
    ----------
    scores : ndarray, shape (n, k)
        Raw answers, ``NaN`` = unanswered, in ``spec.items`` order; they are put on the
        0-100 item-score scale first.
    spec : ScoringSpec
    rows : ndarray of int, optional
        The respondents to use (default: all).
    """
    out = []
    for dim in spec.dimensions:
        cols = list(spec.items_of(dim.id))
        ids = [spec.items[j].id for j in cols]
        x = (
            scores[:, cols]
            if rows is None
            else scores[np.ix_(rows, np.asarray(cols, dtype=np.intp))]
        )
        lo = np.array([spec.items[j].min for j in cols])
        hi = np.array([spec.items[j].max for j in cols])
        x = (x - lo) * (100.0 / (hi - lo))
        x = x[~np.isnan(x).any(axis=1)]
        n = int(x.shape[0])
        if len(cols) < 2 or n < 2:
            out.append(Reliability(dim.id, n, None, {i: None for i in ids}))
            continue
        c = np.atleast_2d(np.cov(x, rowvar=False))
        dropped: dict[str, float | None] = {}
        for pos, item_id in enumerate(ids):
            keep = [p for p in range(len(cols)) if p != pos]
            dropped[item_id] = _alpha_from_cov(c[np.ix_(keep, keep)])
        out.append(Reliability(dim.id, n, _alpha_from_cov(c), dropped))
    return tuple(out)
