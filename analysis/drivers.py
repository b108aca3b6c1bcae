"""What drives satisfaction: derived importance and the importance-performance table.

The overall item (on 0-100) is regressed on the dimension scores by weighted least
squares with the final weights and heteroscedasticity-robust (HC1, the weighted
sandwich) standard errors, over the respondents who have the overall item and every
dimension score.  The derived importance of a dimension is its coefficient if
positive, zero otherwise, normalised to sum to 1; it is reported next to the
questionnaire's (normalised) dimension weights.

The importance-performance table (Martilla & James 1977) places each dimension by its
score (performance) and derived importance, split at the means of both: high
importance and low performance is where to act first (``fix_first``); then
``keep_up`` (high, high), ``low_priority`` (low, low), ``possible_overkill``
(low importance, high performance).

References
----------
Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. *Journal of
Marketing* 41, 77-79.
Björck, Å. (1996). *Numerical Methods for Least Squares Problems*. SIAM.
White, H. (1980). A heteroskedasticity-consistent covariance matrix estimator.
*Econometrica* 48, 817-838.
MacKinnon, J. G. & White, H. (1985). Some heteroskedasticity-consistent covariance
matrix estimators with improved finite sample properties. *Journal of Econometrics* 29,
305-325 (HC1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = ["Driver", "DriversResult", "WlsFit", "drivers", "wls_hc1"]

QR_ABOVE = 1e8
"""Condition number of the scaled cross-product above which :func:`wls_hc1` solves by QR."""

Quadrant = Literal["fix_first", "keep_up", "low_priority", "possible_overkill"]


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Driver:
    """One dimension in the driver analysis."""

    id: str
    coefficient: float
    se: float
    p_value: float
    importance: float
    configured_weight: float
    score: float
    quadrant: Quadrant | None
    fix_first: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "coefficient": _num(self.coefficient),
            "se": _num(self.se),
            "p_value": _num(self.p_value),
            "importance": _num(self.importance),
            "configured_weight": _num(self.configured_weight),
            "score": _num(self.score),
            "quadrant": self.quadrant,
            "fix_first": self.fix_first,
        }


@dataclass(frozen=True)
class DriversResult:
    """The regression summary and one :class:`Driver` per dimension."""

    n: int
    r_squared: float
    intercept: float
    dimensions: tuple[Driver, ...]
    mean_importance: float
    mean_score: float

    def by_priority(self) -> tuple[Driver, ...]:
        """The dimensions in the order to act on them: ``fix_first`` ones first, then by
        derived importance, largest first (unknown importance last).

        One ordering for every reader of the table (the bulletin's importance-performance
        table, the dashboard's matrix), so they list the dimensions alike.
        """
        return tuple(
            sorted(
                self.dimensions,
                key=lambda d: (
                    not d.fix_first,
                    -d.importance if math.isfinite(d.importance) else math.inf,
                ),
            )
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "wls_hc1",
            "n": self.n,
            "r_squared": _num(self.r_squared),
            "intercept": _num(self.intercept),
            "mean_importance": _num(self.mean_importance),
            "mean_score": _num(self.mean_score),
            "dimensions": [d.to_dict() for d in self.dimensions],
        }


def _quadrant(importance: float, score: float, mi: float, ms: float) -> Quadrant | None:
    if not (math.isfinite(importance) and math.isfinite(mi)):
        return None
    if importance >= mi:
        return "keep_up" if score >= ms else "fix_first"
    return "possible_overkill" if score >= ms else "low_priority"


@dataclass(frozen=True)
class WlsFit:
    """A weighted least-squares fit with HC1 standard errors (:func:`wls_hc1`)."""

    params: NDArray[np.float64]
    bse: NDArray[np.float64]
    pvalues: NDArray[np.float64]
    rsquared: float


def wls_hc1(y: NDArray[np.float64], x: NDArray[np.float64], w: NDArray[np.float64]) -> WlsFit:
    r"""Weighted least squares with heteroscedasticity-robust (HC1) standard errors.

    With :math:`\tilde X = \sqrt{w}\,X` and :math:`\tilde y = \sqrt{w}\,y` (``x`` of full
    column rank, its first column the constant), the coefficients minimise
    :math:`\lVert \tilde y - \tilde X\beta\rVert^2`; then, from the whitened residuals
    :math:`\tilde e = \tilde y - \tilde X\beta` in a second vectorised pass,

    .. math::

        \widehat V_{HC1} = \frac{n}{n-p}\,(\tilde X^\top\tilde X)^{-1}\,
        \tilde X^\top \operatorname{diag}(\tilde e^2)\,\tilde X\,(\tilde X^\top\tilde X)^{-1}

    (White 1980; MacKinnon & White 1985).  P-values are two-sided from the normal
    distribution; :math:`R^2 = 1 - \sum\tilde e^2 / \sum w (y - \bar y_w)^2`.  The same
    numbers as ``statsmodels``' ``WLS(y, x, weights=w).fit(cov_type="HC1")``.

    The least-squares solve uses the :math:`p \times p` cross-product
    :math:`\tilde X^\top\tilde X`, scaled to unit diagonal, and one step of iterative
    refinement from the residuals (Björck 1996, 2.9): a few passes over
    :math:`\tilde X`, five times faster than a QR decomposition of the
    :math:`n \times p` matrix and as accurate while the scaled cross-product is well
    conditioned; beyond a condition number of :data:`QR_ABOVE` the solve is a QR
    decomposition of :math:`\tilde X` instead.
    """
    n, p = x.shape
    sw = np.sqrt(w)
    xt = x * sw[:, None]
    yt = y * sw
    gram = xt.T @ xt
    d = 1.0 / np.sqrt(np.diag(gram))
    scaled = gram * np.outer(d, d)
    if np.linalg.cond(scaled) <= QR_ABOVE:
        bread = np.linalg.inv(scaled) * np.outer(d, d)  # (X~'X~)^-1
        params = bread @ (xt.T @ yt)
        params += bread @ (xt.T @ (yt - xt @ params))  # one refinement step
    else:
        q, r = np.linalg.qr(xt)
        params = np.linalg.solve(r, q.T @ yt)
        del q
        r_inv = np.linalg.inv(r)
        bread = r_inv @ r_inv.T
    et = yt - xt @ params
    xt *= et[:, None]  # the second pass: rows of X~ times their residual
    meat = xt.T @ xt
    del xt
    cov = (bread @ meat @ bread) * (n / (n - p))
    bse = np.sqrt(np.diag(cov))
    pvalues = 2.0 * special.ndtr(-np.abs(params / bse))
    ybar = float(np.dot(w, y) / w.sum())
    tss = float(np.dot(w, (y - ybar) ** 2))
    rsquared = 1.0 - float(np.dot(et, et)) / tss if tss > 0 else math.nan
    return WlsFit(params, bse, pvalues, rsquared)


def drivers(
    overall: NDArray[np.float64],
    dimension_scores: NDArray[np.float64],
    weights: NDArray[np.float64],
    dimension_ids: Sequence[str],
    configured_weights: Sequence[float],
    performance: Sequence[float],
) -> DriversResult | None:
    """Regress the overall item on the dimension scores and derive importance.

    Parameters
    ----------
    overall : ndarray, shape (n,)
        The overall item on 0-100, ``NaN`` when unanswered.
    dimension_scores : ndarray, shape (n, D)
    weights : ndarray, shape (n,)
        Final weights.
    dimension_ids, configured_weights : sequences of length D
    performance : sequence of length D
        The estimated dimension scores (the x axis of the table).

    Returns
    -------
    DriversResult or None
        ``None`` when fewer than ``D + 2`` respondents have every value, or the
        dimension scores are collinear.
    """
    ok = ~np.isnan(overall) & ~np.isnan(dimension_scores).any(axis=1)
    n = int(ok.sum())
    D = dimension_scores.shape[1]
    if n < D + 2:
        return None
    x = np.empty((n, D + 1))
    x[:, 0] = 1.0
    x[:, 1:] = dimension_scores[ok]
    if np.linalg.matrix_rank(x.T @ x) < D + 1:  # on X'X: no n-by-p copy
        return None
    fit = wls_hc1(overall[ok], x, weights[ok])
    coef, se, pv = fit.params, fit.bse, fit.pvalues
    pos = np.clip(coef[1:], 0.0, None)
    total = float(pos.sum())
    importance = pos / total if total > 0 else np.full(D, math.nan)
    cw = np.asarray(configured_weights, dtype=np.float64)
    cw = cw / cw.sum()
    perf = np.asarray(performance, dtype=np.float64)
    mi = float(np.nanmean(importance)) if total > 0 else math.nan
    ms = float(np.nanmean(perf))
    rows = []
    for d, did in enumerate(dimension_ids):
        quad = _quadrant(float(importance[d]), float(perf[d]), mi, ms)
        rows.append(
            Driver(
                id=did,
                coefficient=float(coef[d + 1]),
                se=float(se[d + 1]),
                p_value=float(pv[d + 1]),
                importance=float(importance[d]),
                configured_weight=float(cw[d]),
                score=float(perf[d]),
                quadrant=quad,
                fix_first=quad == "fix_first",
            )
        )
    return DriversResult(n, float(fit.rsquared), float(coef[0]), tuple(rows), mi, ms)
