"""Small-area (Fay–Herriot) estimates of a stored round's districts.

For a round with uploaded district auxiliaries (:mod:`.auxiliaries_file`),
:func:`estimate_districts` takes the analysis engine's by-district results and gives
every district of the auxiliaries a model-based estimate (small-area spec):

- the direct estimate θ̂_d is the district's index from :func:`analysis.run` (its
  ``groups``); a district with no analysed respondent has none;
- its sampling variance is smoothed, ψ_d = s²_w · deff / n_d
  (:func:`analysis.small_area.smoothed_variances`), with s²_w the pooled
  within-district variance of the analysed respondents' index
  (:func:`analysis.small_area.pooled_within_variance`) and deff the round's Kish
  design effect: a district of 1–3 respondents has an unusable (or zero) direct
  variance, and the same rule for every district keeps the model's ψ_d comparable;
- σ²_u, β̃, the EBLUP and its Prasad–Rao MSE by REML, the synthetic estimate x_dᵀβ̃
  (MSE σ²_u + x_dᵀ(XᵀV⁻¹X)⁻¹x_d) for a district without respondents
  (:func:`analysis.small_area.estimate_areas`).

A model-based estimate carries no goal verdict of its own (:func:`analysis.verdict_of`
is for direct estimates only).  The result is computed with the round's analysis
(:func:`~.stored.analyse_round`), so the dashboard and the API get it from the cache
with the rest (no refit per request) and a bulletin records it in its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis import AnalysisResult
from analysis.small_area import Method, estimate_areas, pooled_within_variance, smoothed_variances

__all__ = ["DistrictEstimate", "SmallAreaResult", "estimate_districts"]

#: The variance method of σ²_u for stored rounds (the spec's default).
METHOD: Method = "reml"


@dataclass(frozen=True)
class DistrictEstimate:
    """One district: its direct estimate (``None`` without respondents) and interval
    as the analysis gives them, the smoothed ψ_d, and the model-based estimate (the
    EBLUP, or the synthetic one when ``synthetic``) with its MSE and 95% interval."""

    district: str
    n: int
    direct: float | None
    direct_ci: tuple[float, float] | None
    variance: float | None
    estimate: float
    mse: float
    ci: tuple[float, float]
    gamma: float
    synthetic: bool
    residual: float | None
    std_residual: float | None

    @property
    def rmse(self) -> float:
        return math.sqrt(self.mse) if self.mse >= 0 else math.nan


@dataclass(frozen=True)
class SmallAreaResult:
    """The fit and every district's estimates, in the auxiliaries' district order.

    ``at_zero`` (σ²_u estimated at 0) is the model check the pages warn about: every
    district then gets the synthetic estimate.
    """

    method: str
    by: str
    covariates: tuple[str, ...]
    sigma2_u: float
    converged: bool
    beta: dict[str, float]
    beta_se: dict[str, float]
    s2_within: float
    deff: float
    districts: tuple[DistrictEstimate, ...]

    @property
    def at_zero(self) -> bool:
        return self.sigma2_u == 0.0

    def of(self, district: str) -> DistrictEstimate | None:
        """The estimates of ``district`` (``None``: not in the auxiliaries)."""
        return next((d for d in self.districts if d.district == district), None)

    def record(self) -> dict[str, Any]:
        """The fit as a published edition's inputs keep it (plain JSON)."""
        return {
            "method": self.method,
            "by": self.by,
            "covariates": list(self.covariates),
            "sigma2_u": self.sigma2_u,
            "converged": self.converged,
            "beta": self.beta,
            "beta_se": self.beta_se,
            "s2_within": self.s2_within,
            "deff": self.deff,
            "districts": {
                d.district: {
                    "n": d.n,
                    "direct": d.direct,
                    "variance": d.variance,
                    "estimate": d.estimate,
                    "mse": d.mse,
                    "synthetic": d.synthetic,
                }
                for d in self.districts
            },
        }


def _pair(ci: tuple[float, float]) -> tuple[float, float]:
    return float(ci[0]), float(ci[1])


def _opt(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def estimate_districts(
    result: AnalysisResult,
    index: np.ndarray,
    groups: np.ndarray,
    auxiliaries: Mapping[str, Mapping[str, float]],
) -> SmallAreaResult:
    """The Fay–Herriot estimates of the districts of ``auxiliaries``.

    ``result`` is the round's analysis grouped by one variable (the districts);
    ``index`` and ``groups`` are the analysed respondents' index and district (for
    s²_w).  Raises :class:`ValueError` when the model cannot be fitted (no district
    with two respondents, fewer districts with respondents than parameters + 1, a
    covariate without variation among them).
    """
    if len(result.by) != 1:
        raise ValueError("the small-area estimates need results by one variable")
    by = result.by[0]
    names = list(auxiliaries)
    covariates = tuple(auxiliaries[names[0]])
    found = {g.by[by]: g for g in result.groups}
    counts = np.array([found[d].n if d in found else 0 for d in names], dtype=np.float64)
    direct = np.array(
        [found[d].index.estimate if d in found and found[d].n else math.nan for d in names]
    )
    _, codes = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    s2_w = pooled_within_variance(np.asarray(index, dtype=np.float64), codes)
    deff = float(result.deff) if math.isfinite(result.deff) and result.deff > 0 else 1.0
    psi = smoothed_variances(counts, s2_w, deff)
    x = np.array([[float(auxiliaries[d][c]) for c in covariates] for d in names])
    sae = estimate_areas(direct, np.where(np.isfinite(direct), psi, 1.0), x, method=METHOD)
    fit = sae.fit
    low, high = sae.ci
    gamma = sae.gamma
    observed = np.flatnonzero(~sae.synthetic_only)
    place = {int(i): k for k, i in enumerate(observed)}
    districts = []
    for i, name in enumerate(names):
        group = found.get(name)
        k = place.get(i)
        districts.append(
            DistrictEstimate(
                district=name,
                n=int(counts[i]),
                direct=None if k is None else float(direct[i]),
                direct_ci=None if k is None or group is None else _pair(group.index.ci),
                variance=None if k is None else float(psi[i]),
                estimate=float(sae.estimate[i]),
                mse=float(sae.mse[i]),
                ci=(float(low[i]), float(high[i])),
                gamma=float(gamma[i]),
                synthetic=k is None,
                residual=None if k is None else float(fit.residual[k]),
                std_residual=None if k is None else _opt(fit.std_residual[k]),
            )
        )
    labels = ["(Intercept)", *covariates]
    return SmallAreaResult(
        method=METHOD,
        by=by,
        covariates=covariates,
        sigma2_u=float(fit.sigma2_u),
        converged=bool(fit.converged),
        beta=dict(zip(labels, map(float, fit.beta), strict=True)),
        beta_se=dict(zip(labels, map(float, fit.beta_se), strict=True)),
        s2_within=s2_w,
        deff=deff,
        districts=tuple(districts),
    )
