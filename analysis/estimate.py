"""Design-based means and proportions with Taylor-linearised standard errors.

The design is stratified single-stage, each respondent its own primary unit, final
weights ``w`` treated as fixed, sampling with replacement within strata: R's
``svydesign(ids = ~1, strata = ~h, weights = ~w)`` (Lumley 2010, ch. 2-3).

For a domain ``D`` (a group, intersected with the respondents who have a value of the
quantity ``y``) the ratio mean is :math:`\\bar y_D = \\sum_D w_i y_i / \\sum_D w_i`
and its linearisation (Woodruff 1971; Lumley 2010, 2.2 and 3.4) is

.. math:: z_i = w_i 1\\{i \\in D\\} (y_i - \\bar y_D) / \\textstyle\\sum_D w_j ,

.. math:: \\widehat{V}(\\bar y_D) = \\sum_h \\frac{n_h}{n_h - 1}
          \\sum_{i \\in h} (z_i - \\bar z_h)^2 ,

where ``n_h`` is the full size of stratum ``h`` (rows outside the domain count, with
``z = 0``) and a stratum with ``n_h = 1`` contributes nothing (R's
``options(survey.lonely.psu = "certainty")``; ``"remove"`` gives the same numbers
here).  These are the numbers of ``svymean(..., na.rm = TRUE)`` and of ``svyby``,
which estimate domains with ``subset()`` keeping every stratum's size.

Everything is computed for all groups at once from per-(stratum, group) sums obtained
with :func:`numpy.bincount`; there is no loop over respondents or groups.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Woodruff, R. S. (1971). A simple method for approximating the variance of a
complicated estimate. *JASA* 66, 411-414.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. *Survey Methodology* 24.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from .matrix import Categorical, factorize

__all__ = [
    "Z95",
    "Design",
    "DomainEstimates",
    "Grouping",
    "domain_means",
    "logit_interval",
    "normal_interval",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: The normal quantile the contract prescribes for 95% intervals.
Z95 = 1.959964


@dataclass(frozen=True)
class Design:
    """A stratified single-stage design: final weights and stratum codes.

    Parameters
    ----------
    weights : ndarray, shape (n,)
        Final (fixed) weights, positive.
    strata : ndarray of intp, shape (n,)
        Stratum code ``0 .. n_strata - 1`` of every respondent.
    n_strata : int
    stratum_labels : tuple of str
    """

    weights: FloatArray
    strata: IntArray
    n_strata: int
    stratum_labels: tuple[str, ...] = ()

    @classmethod
    def create(cls, weights: ArrayLike, strata: ArrayLike | Categorical | None = None) -> Design:
        """A design from weights and (optionally) the stratum of each respondent."""
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError("weights must be one-dimensional")
        if w.size and not np.all(np.isfinite(w) & (w > 0)):
            raise ValueError("weights must be positive numbers")
        if strata is None:
            return cls(w, np.zeros(w.size, dtype=np.intp), 1 if w.size else 0, ())
        codes, labels = factorize(strata)
        if codes.size != w.size:
            raise ValueError(f"strata: expected {w.size} values, got {codes.size}")
        return cls(w, codes, len(labels), labels)

    @property
    def n(self) -> int:
        return int(self.weights.size)

    @property
    def stratum_sizes(self) -> IntArray:
        """``n_h``: respondents in each stratum."""
        return np.bincount(self.strata, minlength=self.n_strata).astype(np.intp)

    def subset(self, rows: NDArray[Any]) -> Design:
        """The design of a subset of respondents, as a new sample (strata recounted)."""
        w = self.weights[rows]
        codes, inv = np.unique(self.strata[rows], return_inverse=True)
        labels = tuple(self.stratum_labels[c] for c in codes) if self.stratum_labels else ()
        return Design(w, inv.reshape(-1).astype(np.intp), int(codes.size), labels)


@dataclass(frozen=True)
class Grouping:
    """Respondents split into groups by the values of one or more columns (crossed).

    Attributes
    ----------
    columns : tuple of str
        The grouping columns (empty for the whole sample).
    codes : ndarray of intp, shape (n,)
        Group of every respondent.
    keys : tuple of tuple of str
        The column values of each group, in group-code order.
    """

    columns: tuple[str, ...]
    codes: IntArray
    keys: tuple[tuple[str, ...], ...]

    @classmethod
    def whole(cls, n: int) -> Grouping:
        """One group holding everybody."""
        return cls((), np.zeros(n, dtype=np.intp), ((),))

    @classmethod
    def by(
        cls,
        columns: Mapping[str, ArrayLike | Categorical],
        names: Sequence[str],
        levels: Mapping[str, Sequence[str]] | None = None,
    ) -> Grouping:
        """Groups of every combination present of the values of ``names``.

        Groups are ordered by the first column's levels, then the second's, and so
        on (levels sorted, or in the order given by ``levels``).
        """
        names = tuple(names)
        if not names:
            first = next(iter(columns.values()), None)
            size = 0 if first is None else len(factorize(first)[0])
            return cls.whole(size)
        levels = levels or {}
        coded = []
        for name in names:
            if name not in columns:
                raise ValueError(f"cannot group by {name!r}: no such column")
            coded.append(factorize(columns[name], levels.get(name)))
        combined = np.zeros(coded[0][0].size, dtype=np.int64)
        for codes, labs in coded:
            combined = combined * max(len(labs), 1) + codes
        uniq, inverse = np.unique(combined, return_inverse=True)
        keys = []
        for value in uniq.tolist():
            parts = []
            for _codes, labs in reversed(coded):
                size = max(len(labs), 1)
                parts.append(labs[value % size])
                value //= size
            keys.append(tuple(reversed(parts)))
        return cls(names, inverse.reshape(-1).astype(np.intp), tuple(keys))

    @property
    def n_groups(self) -> int:
        return len(self.keys)

    def label(self, g: int) -> dict[str, str]:
        return dict(zip(self.columns, self.keys[g], strict=True))


@dataclass(frozen=True)
class DomainEstimates:
    """Means of ``m`` quantities in ``G`` groups; every array has shape (G, m).

    Attributes
    ----------
    estimate : ndarray
        Weighted ratio mean (``NaN`` for an empty domain).
    se : ndarray
        Linearised standard error.
    n : ndarray of int
        Respondents in the domain (group and a value of the quantity).
    df : ndarray of int
        Degrees of freedom: ``n`` minus the strata present in the domain (R's
        ``degf()`` of the subset design).
    weight_sum : ndarray
        :math:`\\sum_D w_i`, the estimated population of the domain.
    """

    estimate: FloatArray
    se: FloatArray
    n: NDArray[np.int64]
    df: NDArray[np.int64]
    weight_sum: FloatArray


def domain_means(y: ArrayLike, design: Design, grouping: Grouping) -> DomainEstimates:
    """Weighted means and linearised standard errors of every column of ``y`` in every group.

    Parameters
    ----------
    y : array_like, shape (n,) or (n, m)
        Quantities; ``NaN`` marks a respondent with no value (outside the domain).
    design : Design
    grouping : Grouping

    Returns
    -------
    DomainEstimates
        Arrays of shape (G, m) (``m = 1`` for a one-dimensional ``y``).

    Notes
    -----
    With ``e_i = w_i (y_i - \\bar y_g)`` in the domain and 0 elsewhere, and
    ``A_{hg} = \\sum_{i \\in h} e_i``, ``B_{hg} = \\sum_{i \\in h} e_i^2``, the variance is
    :math:`\\sum_h f_h (B_{hg} - A_{hg}^2 / n_h) / W_g^2` with ``f_h = n_h/(n_h-1)``
    (0 for ``n_h = 1``) and ``W_g`` the domain's weight sum.  The residuals are taken
    about the domain mean (two passes), which avoids the cancellation of a one-pass
    sum of squares.
    """
    arr = np.asarray(y, dtype=np.float64)
    one = arr.ndim == 1
    if one:
        arr = arr[:, None]
    n, m = arr.shape
    if n != design.n or grouping.codes.size != n:
        raise ValueError("y, the design and the grouping must describe the same respondents")
    w = design.weights
    g = grouping.codes
    G = grouping.n_groups
    H = max(design.n_strata, 1)
    cell = design.strata * G + g
    nh = np.bincount(design.strata, minlength=H).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fh = np.where(nh > 1, nh / (nh - 1), 0.0)
        inv_nh = np.where(nh > 0, 1.0 / nh, 0.0)
    est = np.empty((G, m))
    se = np.empty((G, m))
    cnt = np.empty((G, m), dtype=np.int64)
    dfs = np.empty((G, m), dtype=np.int64)
    wsum = np.empty((G, m))
    for j in range(m):
        col = arr[:, j]
        valid = ~np.isnan(col)
        if valid.all():
            wv = w
            yv = col
        else:
            wv = np.where(valid, w, 0.0)
            yv = np.where(valid, col, 0.0)
        W = np.bincount(g, weights=wv, minlength=G)
        S = np.bincount(g, weights=wv * yv, minlength=G)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = S / W
        e = wv * (yv - np.nan_to_num(mean)[g])
        A = np.bincount(cell, weights=e, minlength=H * G).reshape(H, G)
        B = np.bincount(cell, weights=e * e, minlength=H * G).reshape(H, G)
        q = np.maximum(B - A * A * inv_nh[:, None], 0.0) * fh[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            var = q.sum(axis=0) / (W * W)
        present = np.bincount(cell, weights=valid, minlength=H * G).reshape(H, G)
        nd = present.sum(axis=0).astype(np.int64)
        est[:, j] = np.where(W > 0, mean, np.nan)
        se[:, j] = np.where(W > 0, np.sqrt(var), np.nan)
        cnt[:, j] = nd
        dfs[:, j] = nd - (present > 0).sum(axis=0)
        wsum[:, j] = W
    return DomainEstimates(est, se, cnt, dfs, wsum)


def normal_interval(estimate: ArrayLike, se: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``estimate ± 1.959964 · se`` (contract, 7)."""
    e = np.asarray(estimate, dtype=np.float64)
    s = np.asarray(se, dtype=np.float64)
    return e - Z95 * s, e + Z95 * s


def logit_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, *, scale: float = 100.0
) -> tuple[FloatArray, FloatArray]:
    """The logit interval of a proportion, as R's ``svyciprop(method = "logit")``.

    With ``p = estimate / scale`` and ``s = se / scale``,

    .. math:: \\mathrm{expit}\\big(\\mathrm{logit}(p) \\mp t_{0.975,\\,df}\\; s / (p (1-p))\\big),

    returned on the scale of ``estimate``.  ``p`` is clamped to [0, 1] first (a
    rounding error can put a weighted share of ones a hair above 1); ``p`` of 0 or 1
    gives the degenerate interval ``[p, p]``; ``df < 1`` gives ``NaN``.  The interval
    always contains ``p`` and lies in [0, 1]: with a tiny SE, ``expit(logit(p))`` may
    differ from ``p`` in the last bit, and the ends are widened to ``p`` then (R's
    ``svyciprop`` reports the same interval to printed precision).

    References
    ----------
    Korn & Graubard (1998); Lumley (2010), 2.3.1.
    """
    p = np.clip(np.asarray(estimate, dtype=np.float64) / scale, 0.0, 1.0)
    s = np.asarray(se, dtype=np.float64) / scale
    d = np.asarray(df, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d >= 1, special.stdtrit(np.maximum(d, 1.0), 0.975), np.nan)
        lg = np.log(p / (1 - p))
        half = t * s / (p * (1 - p))
        lo = 1.0 / (1.0 + np.exp(-(lg - half)))
        hi = 1.0 / (1.0 + np.exp(-(lg + half)))
    edge = (p <= 0) | (p >= 1)
    lo = np.where(edge & (d >= 1), p, np.minimum(lo, p))
    hi = np.where(edge & (d >= 1), p, np.maximum(hi, p))
    return lo * scale, hi * scale
