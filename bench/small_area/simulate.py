"""Does the Fay–Herriot EBLUP help thin districts?  A simulation with known true indices.

Each scenario fixes a set of districts once (seeded): sample sizes from 3 to 400
respondents (log-uniform, so about a third below 15), auxiliary data known for every
district — the elderly share, venue density (venues per 10,000 residents), complaints per
10,000 residents and, where the scenario says so, last year's index — and a true index

    θ_d = 78 − 40 (elderly_d − 0.2) + 3 log(venues_d / 20) − 0.6 (complaints_d − 6) + u_d,
    u_d ~ N(0, σ_u²)

(last year's index is θ_d plus a drift of SD 2).  Then, ``reps`` times, every district is
surveyed afresh: a respondent's index is 100 × Beta(κμ_d, κ(1 − μ_d)) with μ_d = θ_d/100
and κ = 5 (values in 0–100, SD about 17 points, mean exactly θ_d), and

- the **direct** estimate is the district mean, with the interval mean ∓ 1.96 s_d/√n_d
  (what the platform reports today, the district's own respondents only);
- the **EBLUP** is :func:`analysis.small_area.fit_fay_herriot` (REML) on the direct
  estimates with the smoothed variances of the spec, ψ_d = s²_w / n_d (s²_w the pooled
  within-district variance, :func:`analysis.small_area.pooled_within_variance`; deff = 1:
  simple random samples within districts), with the interval eblup ∓ 1.96 √mse_d.

Reported per scenario and per band of sample sizes: the mean squared error of either
estimate around the true θ_d (averaged over replications, then over the districts of
the band), the coverage of the 95% intervals (and the lowest coverage of a single
district's EBLUP interval: the model pulls an unusual district towards its synthetic
estimate, so its interval misses more often than the average says), and the mean of the EBLUP's estimated MSE
over its actual MSE (1 = the estimated MSE is honest on average).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.estimate import Z95
from analysis.small_area import fit_fay_herriot, pooled_within_variance

KAPPA = 5.0
BANDS = ((3, 9), (10, 29), (30, 99), (100, 400))


@dataclass(frozen=True)
class Scenario:
    """A set of districts: how many, how much of the truth the auxiliaries miss (σ_u),
    and whether last year's index is among them."""

    name: str
    districts: int
    sigma_u: float
    last_year: bool


SCENARIOS = (
    Scenario("40 districts, 4 auxiliaries incl. last year's index", 40, 4.0, True),
    Scenario("40 districts, 3 auxiliaries (no last year's index)", 40, 4.0, False),
    Scenario("12 districts (one prefecture), last year's index only", 12, 4.0, True),
)


@dataclass(frozen=True)
class Districts:
    n: np.ndarray  # respondents per district
    aux: np.ndarray  # districts × auxiliaries
    theta: np.ndarray  # true index


def make_districts(scenario: Scenario, rng: np.random.Generator) -> Districts:
    m = scenario.districts
    n = np.round(np.exp(np.linspace(np.log(3), np.log(400), m))).astype(int)
    rng.shuffle(n)
    elderly = rng.uniform(0.12, 0.30, m)
    venues = rng.lognormal(np.log(20), 0.5, m)
    complaints = rng.gamma(4.0, 1.5, m)
    theta = (
        78
        - 40 * (elderly - 0.2)
        + 3 * np.log(venues / 20)
        - 0.6 * (complaints - 6)
        + rng.normal(0, scenario.sigma_u, m)
    )
    theta = np.clip(theta, 5, 95)
    last_year = theta + rng.normal(0, 2.0, m)
    if scenario.districts <= 15:  # a prefecture: one auxiliary, so the model stays small
        aux = last_year[:, None]
    elif scenario.last_year:
        aux = np.column_stack([elderly, np.log(venues), complaints, last_year])
    else:
        aux = np.column_stack([elderly, np.log(venues), complaints])
    return Districts(n=n, aux=aux, theta=theta)


@dataclass(frozen=True)
class Band:
    """Figures for the districts of one band of sample sizes (or all of them)."""

    label: str
    districts: int
    mse_direct: float
    mse_eblup: float
    cover_direct: float
    cover_eblup: float
    mse_ratio: float  # mean estimated MSE of the EBLUP over its actual MSE
    worst_eblup: float  # the lowest coverage of one district's EBLUP interval


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    reps: int
    at_zero: int  # replications with σ²_u estimated at 0
    bands: tuple[Band, ...]  # the bands, then all districts


def survey(d: Districts, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One round: every respondent's index, their district, and the district means."""
    groups = np.repeat(np.arange(d.n.shape[0]), d.n)
    mu = d.theta[groups] / 100
    values = 100 * rng.beta(KAPPA * mu, KAPPA * (1 - mu))
    means = np.bincount(groups, weights=values) / d.n
    return values, groups, means


def simulate(scenario: Scenario, reps: int, seed: int) -> Outcome:
    rng = np.random.default_rng(seed)
    d = make_districts(scenario, rng)
    m = d.n.shape[0]
    err_direct = np.zeros((reps, m))
    err_eblup = np.zeros((reps, m))
    in_direct = np.zeros((reps, m), dtype=bool)
    in_eblup = np.zeros((reps, m), dtype=bool)
    est_mse = np.zeros((reps, m))
    at_zero = 0
    for r in range(reps):
        values, groups, means = survey(d, rng)
        ss = np.bincount(groups, weights=(values - means[groups]) ** 2)
        se_direct = np.sqrt(ss / (d.n - 1) / d.n)
        psi = pooled_within_variance(values, groups) / d.n
        fit = fit_fay_herriot(means, psi, d.aux, method="reml")
        at_zero += fit.at_zero
        err_direct[r] = means - d.theta
        err_eblup[r] = fit.eblup - d.theta
        in_direct[r] = np.abs(err_direct[r]) <= Z95 * se_direct
        in_eblup[r] = np.abs(err_eblup[r]) <= Z95 * np.sqrt(np.maximum(fit.mse, 0))
        est_mse[r] = fit.mse
    mse_direct = np.mean(err_direct**2, axis=0)  # per district, over replications
    mse_eblup = np.mean(err_eblup**2, axis=0)
    bands = []
    for lo, hi in (*BANDS, (0, 10**9)):
        sel = (d.n >= lo) & (d.n <= hi)
        if not sel.any():
            continue
        bands.append(
            Band(
                label="all" if hi == 10**9 else f"n {lo}-{hi}",
                districts=int(sel.sum()),
                mse_direct=float(mse_direct[sel].mean()),
                mse_eblup=float(mse_eblup[sel].mean()),
                cover_direct=float(in_direct[:, sel].mean()),
                cover_eblup=float(in_eblup[:, sel].mean()),
                mse_ratio=float(est_mse[:, sel].mean() / mse_eblup[sel].mean()),
                worst_eblup=float(in_eblup[:, sel].mean(axis=0).min()),
            )
        )
    return Outcome(scenario=scenario, reps=reps, at_zero=at_zero, bands=tuple(bands))


def report(outcomes: Sequence[Outcome]) -> list[str]:
    """The figures as text lines, one table a scenario."""
    lines = []
    for o in outcomes:
        lines.append(
            f"{o.scenario.name}: sigma_u {o.scenario.sigma_u:g}, {o.reps} rounds, "
            f"sigma2_u estimated at 0 in {o.at_zero}"
        )
        lines.append(
            f"  {'districts':<12} {'m':>3} {'MSE direct':>11} {'MSE EBLUP':>10} {'ratio':>6} "
            f"{'cover direct':>12} {'cover EBLUP':>11} {'worst EBLUP':>11} {'est/actual MSE':>14}"
        )
        for b in o.bands:
            lines.append(
                f"  {b.label:<12} {b.districts:>3} {b.mse_direct:>11.2f} {b.mse_eblup:>10.2f} "
                f"{b.mse_eblup / b.mse_direct:>6.2f} {b.cover_direct:>12.3f} "
                f"{b.cover_eblup:>11.3f} {b.worst_eblup:>11.3f} {b.mse_ratio:>14.2f}"
            )
    return lines
