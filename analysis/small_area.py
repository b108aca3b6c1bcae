"""Small-area estimates: the Fay–Herriot area-level model and its EBLUP.

Model (``m`` areas, ``p`` columns of ``X``, the first the intercept)::

    θ̂_d = x_dᵀβ + u_d + e_d,   u_d ~ N(0, σ²_u),   e_d ~ N(0, ψ_d),   V = diag(σ²_u + ψ_d)

with θ̂_d the direct (survey) estimate of area ``d`` and ψ_d its sampling variance,
taken as known.  For a given σ²_u:

- β̃ = (XᵀV⁻¹X)⁻¹XᵀV⁻¹θ̂ (weighted least squares);
- γ_d = σ²_u / (σ²_u + ψ_d); the EBLUP θ̃_d = γ_d θ̂_d + (1 − γ_d) x_dᵀβ̃; the
  synthetic estimate is x_dᵀβ̃.

σ²_u is estimated by one of (``method``):

- ``"reml"``: the maximum over σ²_u ≥ 0 of the restricted (residual) likelihood
  ``−½ [Σ log v_d + log det(XᵀV⁻¹X) + Σ r_d²/v_d]``, v_d = σ²_u + ψ_d, r = θ̂ − Xβ̃;
- ``"ml"``: the maximum of the profile likelihood ``−½ [Σ log v_d + Σ r_d²/v_d]``;
- ``"fh"``: the Fay–Herriot (1979) moments equation ``Σ_d r_d² / v_d = m − p``, whose
  left side decreases in σ²_u.

A solution below zero is set to zero (every γ_d is then 0 and the EBLUP is the
synthetic estimate).  The maximum is located on a logarithmic grid of σ²_u (so that a
likelihood with two local maxima gives its global one), then the root of the score
(``½ Σ r_d²/v_d² − ½ [Σ 1/v_d − tr((XᵀV⁻¹X)⁻¹XᵀV⁻²X)]`` for REML, without the trace
for ML) is found by Brent's method in the bracket around it, to machine precision; the
FH equation is solved by Brent's method between 0 and a bound where it is negative.
This is the estimate Fisher scoring (R's ``sae::eblupFH``, ``samplics``) converges to,
without its dependence on a starting value and a stopping rule.

Mean squared error (Prasad and Rao 1990; Datta and Lahiri 2000; Datta, Rao and Smith
2005; Rao and Molina 2015, section 6.2), with B_d = ψ_d / (σ²_u + ψ_d):

- g1_d = ψ_d (1 − B_d), g2_d = B_d² x_dᵀ(XᵀV⁻¹X)⁻¹x_d, g3_d = B_d² v̄ / (σ²_u + ψ_d),
  where v̄, the asymptotic variance of σ̂²_u, is 2 / Σ v_d⁻² (REML, ML) or
  2m / (Σ v_d⁻¹)² (FH);
- REML: mse_d = g1 + g2 + 2 g3;
- ML: mse_d = g1 + g2 + 2 g3 − b B_d², b = −tr[(XᵀV⁻¹X)⁻¹XᵀV⁻²X] / Σ v_d⁻²
  (the bias of σ̂²_u, Datta and Lahiri 2000);
- FH: mse_d = g1 + g2 + 2 g3 − b B_d², b = 2 (m Σ v_d⁻² − (Σ v_d⁻¹)²) / (Σ v_d⁻¹)³
  (Datta, Rao and Smith 2005).

These are the definitions of R's ``sae`` package (``eblupFH``, ``mseFH``).  An area
without a direct estimate gets the synthetic estimate x_dᵀβ̃ with
mse_d = σ²_u + x_dᵀ(XᵀV⁻¹X)⁻¹x_d (:func:`predict_synthetic`).

For stored rounds, a district's direct variance is unusable when it has 1–3
respondents; :func:`smoothed_variances` gives ψ_d = s²_w · deff / n_d, with s²_w the
pooled within-district variance of the respondent index (:func:`pooled_within_variance`)
and deff the round's Kish design effect.

References
----------
Fay, R. E. and Herriot, R. A. (1979). Estimates of income for small places: an
application of James–Stein procedures to census data. *JASA* 74, 269–277.
Prasad, N. G. N. and Rao, J. N. K. (1990). The estimation of the mean squared error of
small-area estimators. *JASA* 85, 163–171.
Datta, G. S. and Lahiri, P. (2000). A unified measure of uncertainty of estimated best
linear unbiased predictors in small area estimation problems. *Statistica Sinica* 10,
613–627.
Datta, G. S., Rao, J. N. K. and Smith, D. D. (2005). On measuring the variability of
small area estimators under a basic area level model. *Biometrika* 92, 183–196.
Rao, J. N. K. and Molina, I. (2015). *Small Area Estimation*, 2nd ed., Wiley, ch. 6.
Molina, I. and Marhuenda, Y. (2015). sae: an R package for small area estimation.
*The R Journal* 7, 81–98.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from .estimate import Z95

__all__ = [
    "FayHerriotFit",
    "Method",
    "SmallAreaEstimates",
    "dependent_column",
    "design_matrix",
    "estimate_areas",
    "fit_fay_herriot",
    "pooled_within_variance",
    "predict_synthetic",
    "smoothed_variances",
]

#: How σ²_u is estimated: restricted or full maximum likelihood, or the Fay–Herriot
#: moments equation.
Method = Literal["reml", "ml", "fh"]
METHODS: tuple[Method, ...] = ("reml", "ml", "fh")

FloatArray = NDArray[np.float64]

_GRID = 10.0 ** np.linspace(-12.0, 0.0, 121)  # the grid of σ²_u, times an upper bound


@dataclass(frozen=True)
class FayHerriotFit:
    """A fitted Fay–Herriot model and its EBLUPs, one entry per area in input order.

    ``beta_cov`` is (XᵀV̂⁻¹X)⁻¹, the covariance of β̃ at σ̂²_u.  ``loglik`` is the
    Gaussian log-likelihood of the direct estimates at (β̃, σ̂²_u) (the full one, for
    every method, as ``sae`` reports it); ``restricted_loglik`` the REML criterion.
    ``residual`` is θ̂_d − x_dᵀβ̃ and ``std_residual`` the same over √(σ̂²_u + ψ_d):
    under the model roughly standard normal, the check of each area against the model.
    """

    method: Method
    sigma2_u: float
    converged: bool
    iterations: int
    beta: FloatArray
    beta_cov: FloatArray
    direct: FloatArray
    variance: FloatArray
    x: FloatArray
    gamma: FloatArray
    synthetic: FloatArray
    eblup: FloatArray
    g1: FloatArray
    g2: FloatArray
    g3: FloatArray
    mse: FloatArray
    loglik: float
    restricted_loglik: float

    @property
    def m(self) -> int:
        """Number of areas."""
        return int(self.direct.shape[0])

    @property
    def p(self) -> int:
        """Number of regression coefficients (the intercept included)."""
        return int(self.x.shape[1])

    @property
    def at_zero(self) -> bool:
        """σ²_u was estimated at 0: every EBLUP is the synthetic estimate."""
        return self.sigma2_u == 0.0

    @property
    def beta_se(self) -> FloatArray:
        """Standard errors of β̃: √diag (XᵀV̂⁻¹X)⁻¹."""
        return np.sqrt(np.diag(self.beta_cov))

    @property
    def beta_z(self) -> FloatArray:
        """β̃ / se(β̃)."""
        return self.beta / self.beta_se

    @property
    def beta_p(self) -> FloatArray:
        """Two-sided normal p-values of β̃ (as ``sae`` gives them)."""
        return 2.0 * stats.norm.sf(np.abs(self.beta_z))

    @property
    def residual(self) -> FloatArray:
        """θ̂_d − x_dᵀβ̃."""
        return self.direct - self.synthetic

    @property
    def std_residual(self) -> FloatArray:
        """(θ̂_d − x_dᵀβ̃) / √(σ̂²_u + ψ_d)."""
        return self.residual / np.sqrt(self.sigma2_u + self.variance)

    @property
    def rmse(self) -> FloatArray:
        """√mse_d (``NaN`` where an ML or FH correction made the MSE negative)."""
        with np.errstate(invalid="ignore"):
            return np.sqrt(self.mse)

    @property
    def ci(self) -> tuple[FloatArray, FloatArray]:
        """The 95% intervals eblup ∓ 1.959964·√mse."""
        half = Z95 * self.rmse
        return self.eblup - half, self.eblup + half

    @property
    def aic(self) -> float:
        """−2 loglik + 2 (p + 1), as ``sae`` counts the parameters."""
        return -2.0 * self.loglik + 2.0 * (self.p + 1)

    @property
    def bic(self) -> float:
        """−2 loglik + log(m) (p + 1)."""
        return -2.0 * self.loglik + math.log(self.m) * (self.p + 1)


@dataclass(frozen=True)
class SmallAreaEstimates:
    """Estimates for every area, with or without a direct estimate.

    ``synthetic_only[d]`` says area ``d`` had no direct estimate: its ``estimate`` is
    x_dᵀβ̃ and its ``mse`` σ̂²_u + x_dᵀ(XᵀV̂⁻¹X)⁻¹x_d.  The others carry the EBLUP and its
    MSE from ``fit`` (fitted on them alone).
    """

    fit: FayHerriotFit
    estimate: FloatArray
    mse: FloatArray
    synthetic_only: NDArray[np.bool_]

    @property
    def gamma(self) -> FloatArray:
        """γ_d of the EBLUP, 0 for the synthetic-only areas (the weight of the direct
        estimate in each area's estimate)."""
        out = np.zeros(self.estimate.shape[0])
        out[~self.synthetic_only] = self.fit.gamma
        return out

    @property
    def ci(self) -> tuple[FloatArray, FloatArray]:
        """The 95% intervals estimate ∓ 1.959964·√mse."""
        with np.errstate(invalid="ignore"):
            half = Z95 * np.sqrt(self.mse)
        return self.estimate - half, self.estimate + half


def design_matrix(covariates: ArrayLike | None, m: int) -> FloatArray:
    """X: the intercept followed by the covariate columns (``m × k``, ``k`` may be 0,
    or ``None`` for the intercept only)."""
    ones = np.ones((m, 1))
    if covariates is None:
        return ones
    z = np.asarray(covariates, dtype=np.float64)
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2 or z.shape[0] != m:
        raise ValueError(f"covariates must have one row per area ({m}), got shape {z.shape}")
    return np.hstack([ones, z])


def dependent_column(x: FloatArray) -> int | None:
    """The first column of ``x`` that is a linear combination of the columns before it
    (``None`` when ``x`` has full column rank).

    Decided by the rank of the leading columns (SVD, numpy's default tolerance) after
    scaling each column to unit length, so units do not matter.
    """
    norms = np.linalg.norm(x, axis=0)
    scaled = x / np.where(norms > 0, norms, 1.0)
    for j in range(x.shape[1]):
        if norms[j] == 0 or np.linalg.matrix_rank(scaled[:, : j + 1]) <= j:
            return j
    return None


def _check(direct: FloatArray, variance: FloatArray, x: FloatArray) -> None:
    m, p = x.shape
    if direct.ndim != 1 or variance.shape != direct.shape or m != direct.shape[0]:
        raise ValueError("direct, variance and the covariates need one entry per area")
    if not (np.all(np.isfinite(direct)) and np.all(np.isfinite(variance))):
        raise ValueError("direct estimates and variances must be finite numbers")
    if not np.all(np.isfinite(x)):
        raise ValueError("covariates must be finite numbers")
    if np.any(variance <= 0):
        raise ValueError(f"sampling variance of area {int(np.argmin(variance))} is not > 0")
    if m < p + 1:
        raise ValueError(f"{m} areas for {p} parameters: at least {p + 1} are needed")
    j = dependent_column(x)
    if j is not None:
        raise ValueError(f"column {j} of the design matrix depends on the ones before it")


@dataclass(frozen=True)
class _Wls:
    """Weighted least squares at one σ²_u."""

    v: FloatArray  # σ²_u + ψ_d
    beta: FloatArray
    cov: FloatArray  # (XᵀV⁻¹X)⁻¹
    q: FloatArray  # x_dᵀ(XᵀV⁻¹X)⁻¹x_d
    r: FloatArray  # θ̂ − Xβ̃
    logdet: float  # log det(XᵀV⁻¹X)


def _wls(direct: FloatArray, variance: FloatArray, x: FloatArray, s: float) -> _Wls:
    v = s + variance
    w = 1.0 / np.sqrt(v)
    qmat, rmat = np.linalg.qr(x * w[:, None])
    rinv = np.linalg.inv(rmat)  # p × p, upper triangular
    beta = rinv @ (qmat.T @ (direct * w))
    xr = x @ rinv
    return _Wls(
        v=v,
        beta=beta,
        cov=rinv @ rinv.T,
        q=np.einsum("ij,ij->i", xr, xr),
        r=direct - x @ beta,
        logdet=2.0 * float(np.sum(np.log(np.abs(np.diag(rmat))))),
    )


def _criterion(method: Method, f: _Wls) -> float:
    """The log-likelihood maximised (constants left out): REML or profile ML."""
    value = -0.5 * (float(np.sum(np.log(f.v))) + float(np.sum(f.r**2 / f.v)))
    return value - 0.5 * f.logdet if method == "reml" else value


def _score(method: Method, f: _Wls) -> float:
    """d criterion / d σ²_u; for FH the moments equation Σ r²/v − (m − p)."""
    if method == "fh":
        return float(np.sum(f.r**2 / f.v)) - (f.r.shape[0] - f.beta.shape[0])
    trace = float(np.sum(1.0 / f.v))
    if method == "reml":
        trace -= float(np.sum(f.q / f.v**2))
    return 0.5 * float(np.sum(f.r**2 / f.v**2)) - 0.5 * trace


def _upper(method: Method, direct: FloatArray, variance: FloatArray, x: FloatArray) -> float:
    """A σ²_u where the score (or FH equation) is negative: the bracket's top."""
    ols = _wls(direct, np.ones_like(variance), x, 0.0)
    upper = max(float(np.sum(ols.r**2)), float(np.max(variance)), 1e-300)
    for _ in range(2000):
        if _score(method, _wls(direct, variance, x, upper)) < 0:
            return upper
        upper *= 2.0
    raise ValueError("σ²_u could not be bracketed (the direct estimates are not usable)")


def _estimate_sigma2(
    method: Method, direct: FloatArray, variance: FloatArray, x: FloatArray
) -> tuple[float, bool, int]:
    """σ̂²_u ≥ 0, whether the root search converged, and its number of evaluations."""

    def score(s: float) -> float:
        return _score(method, _wls(direct, variance, x, s))

    if score(0.0) <= 0 and method == "fh":
        return 0.0, True, 1
    upper = _upper(method, direct, variance, x)
    if method == "fh":
        lo, hi = 0.0, upper
    else:
        grid = np.concatenate([[0.0], upper * _GRID])
        values = [_criterion(method, _wls(direct, variance, x, s)) for s in grid]
        i = int(np.argmax(values))
        if i == 0 and score(0.0) <= 0:
            return 0.0, True, len(grid)
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        mid = grid[i]
        if i > 0 and score(mid) > 0:
            lo = mid
        elif i > 0:
            hi = mid
        if not (score(lo) >= 0 >= score(hi)):  # two stationary points in one grid step
            lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
            fine = np.linspace(lo, hi, 201)
            signs = np.array([score(s) for s in fine])
            found = np.flatnonzero((signs[:-1] >= 0) & (signs[1:] <= 0))
            if found.size == 0:  # no root to polish: the grid's best, reported unconverged
                return float(grid[i]), False, len(grid) + fine.size
            lo, hi = fine[found[0]], fine[found[0] + 1]
    if score(hi) == 0.0:
        return float(hi), True, 0
    root, info = optimize.brentq(
        score,
        lo,
        hi,
        xtol=1e-300,
        rtol=4 * np.finfo(float).eps,
        maxiter=500,
        full_output=True,
        disp=False,
    )
    return max(float(root), 0.0), bool(info.converged), int(info.function_calls)


def fit_fay_herriot(
    direct: ArrayLike,
    variance: ArrayLike,
    covariates: ArrayLike | None = None,
    *,
    method: Method = "reml",
    sigma2_u: float | None = None,
) -> FayHerriotFit:
    """Fit the Fay–Herriot model and give every area its EBLUP and MSE.

    Parameters
    ----------
    direct : array, shape (m,)
        Direct estimates θ̂_d.
    variance : array, shape (m,)
        Their sampling variances ψ_d (known, > 0).
    covariates : array, shape (m, k), optional
        Auxiliary variables; an intercept is always added (``p = k + 1``).
    method : {"reml", "ml", "fh"}
        How σ²_u is estimated (module docstring); it also selects the MSE formula.
    sigma2_u : float, optional
        Take σ²_u as given (≥ 0) instead of estimating it: the EBLUP and the MSE
        formulas of ``method`` evaluated there (a sensitivity check; the tests).

    Raises
    ------
    ValueError
        Non-finite numbers, a variance ≤ 0, fewer than p + 1 areas, a design matrix
        without full column rank (:func:`dependent_column` names the column), an
        unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    y = np.asarray(direct, dtype=np.float64)
    psi = np.asarray(variance, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError("direct estimates must be a vector, one per area")
    x = design_matrix(covariates, y.shape[0])
    _check(y, psi, x)
    if sigma2_u is None:
        s, converged, iterations = _estimate_sigma2(method, y, psi, x)
    elif sigma2_u >= 0 and math.isfinite(sigma2_u):
        s, converged, iterations = float(sigma2_u), True, 0
    else:
        raise ValueError(f"sigma2_u must be a finite number ≥ 0, got {sigma2_u}")
    f = _wls(y, psi, x, s)
    m, p = x.shape
    gamma = s / f.v
    b = psi / f.v  # B_d = 1 − γ_d
    synthetic = x @ f.beta
    sum_v1 = float(np.sum(1.0 / f.v))
    sum_v2 = float(np.sum(1.0 / f.v**2))
    g1 = psi * (1.0 - b)
    g2 = b**2 * f.q
    vbar = 2.0 * m / sum_v1**2 if method == "fh" else 2.0 / sum_v2
    g3 = b**2 * vbar / f.v
    mse = g1 + g2 + 2.0 * g3
    if method == "ml":
        bias = -float(np.sum(f.q / f.v**2)) / sum_v2  # −tr[(XᵀV⁻¹X)⁻¹XᵀV⁻²X] / Σ v⁻²
        mse = mse - bias * b**2
    elif method == "fh":
        bias = 2.0 * (m * sum_v2 - sum_v1**2) / sum_v1**3
        mse = mse - bias * b**2
    quad = float(np.sum(f.r**2 / f.v))
    log_v = float(np.sum(np.log(f.v)))
    return FayHerriotFit(
        method=method,
        sigma2_u=s,
        converged=converged,
        iterations=iterations,
        beta=f.beta,
        beta_cov=f.cov,
        direct=y,
        variance=psi,
        x=x,
        gamma=gamma,
        synthetic=synthetic,
        eblup=gamma * y + b * synthetic,
        g1=g1,
        g2=g2,
        g3=g3,
        mse=mse,
        loglik=-0.5 * (m * math.log(2 * math.pi) + log_v + quad),
        restricted_loglik=-0.5 * ((m - p) * math.log(2 * math.pi) + log_v + f.logdet + quad),
    )


def predict_synthetic(fit: FayHerriotFit, covariates: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Synthetic estimates x_dᵀβ̃ and their MSE σ̂²_u + x_dᵀ(XᵀV̂⁻¹X)⁻¹x_d for areas
    outside the fit (no direct estimate).  ``covariates`` is ``n × k`` with the fit's
    covariate columns (``n × 0`` for an intercept-only model)."""
    z = np.asarray(covariates, dtype=np.float64)
    x = design_matrix(z, z.shape[0])
    if x.shape[1] != fit.p:
        raise ValueError(f"covariates need {fit.p - 1} columns, got {x.shape[1] - 1}")
    q = np.einsum("ij,jk,ik->i", x, fit.beta_cov, x)
    return x @ fit.beta, fit.sigma2_u + q


def estimate_areas(
    direct: ArrayLike,
    variance: ArrayLike,
    covariates: ArrayLike | None = None,
    *,
    method: Method = "reml",
) -> SmallAreaEstimates:
    """Small-area estimates for every area, those without a direct estimate included.

    An area whose ``direct`` is ``NaN`` (no respondents) is left out of the fit and gets
    the synthetic estimate; ``variance`` is ignored there.  The others get the EBLUP of
    :func:`fit_fay_herriot` fitted on them.  This is the entry point for stored rounds:
    direct district estimates, their (smoothed, :func:`smoothed_variances`) variances
    and the uploaded auxiliaries, as arrays in district order.

    Examples
    --------
    District means of the respondent index (``NaN`` where a district has no
    respondent), their respondent counts, the auxiliaries, the round's Kish deff::

        s2_w = pooled_within_variance(index, district_codes)
        psi = smoothed_variances(counts, s2_w, deff)
        result = estimate_areas(means, psi, auxiliaries, method="reml")
        low, high = result.ci  # 模型估计; result.synthetic_only marks the synthetic ones
    """
    y = np.asarray(direct, dtype=np.float64)
    psi = np.asarray(variance, dtype=np.float64)
    x = design_matrix(covariates, y.shape[0])
    observed = np.isfinite(y)
    fit = fit_fay_herriot(y[observed], psi[observed], x[observed, 1:], method=method)
    estimate = np.empty_like(y)
    mse = np.empty_like(y)
    estimate[observed], mse[observed] = fit.eblup, fit.mse
    if not observed.all():
        estimate[~observed], mse[~observed] = predict_synthetic(fit, x[~observed, 1:])
    return SmallAreaEstimates(fit=fit, estimate=estimate, mse=mse, synthetic_only=~observed)


def pooled_within_variance(values: ArrayLike, groups: ArrayLike) -> float:
    """s²_w = Σ_d Σ_{i∈d} (y_i − ȳ_d)² / (n − D): the pooled within-district variance of
    the respondents' values (``NaN`` values left out; ``groups`` are integer codes ≥ 0;
    D counts the districts with a respondent)."""
    y = np.asarray(values, dtype=np.float64)
    g = np.asarray(groups, dtype=np.intp)
    keep = np.isfinite(y)
    y, g = y[keep], g[keep]
    counts = np.bincount(g)
    sums = np.bincount(g, weights=y, minlength=counts.shape[0])
    present = counts > 0
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=present)
    dof = y.shape[0] - int(present.sum())
    if dof <= 0:
        raise ValueError("no district has two respondents: no within-district variance")
    return float(np.sum((y - means[g]) ** 2)) / dof


def smoothed_variances(n: ArrayLike, s2_within: float, deff: float = 1.0) -> FloatArray:
    """ψ_d = s²_w · deff / n_d, the smoothed sampling variance of a district mean of
    n_d respondents (for districts of 1–3 respondents the direct variance is unusable);
    ``deff`` is the round's Kish design effect 1 + CV² of the weights.  ``inf`` where
    n_d = 0."""
    counts = np.asarray(n, dtype=np.float64)
    if s2_within <= 0 or deff <= 0 or np.any(counts < 0):
        raise ValueError("s2_within and deff must be > 0, respondent counts ≥ 0")
    with np.errstate(divide="ignore"):
        return s2_within * deff / counts
