"""Honest provider scores: empirical-Bayes posteriors shrunk toward the sector (issue 16).

The normative definitions are in ``shared/spec/supervision.md``, section Providers.  This
module is pure (numpy/scipy): tallies in, frozen results out; the caller (the provider
registry) counts the ratings of the rolling window in SQL and prints :func:`scores_json`.

Public API
----------
``ProviderTally(id, sector, n, satisfied, stars_sum, stars_sq_sum)``
    One provider's ratings in one sector over the window, from SQL aggregates in one pass:
    ``count(*)``, ``sum(overall >= 4)``, ``sum(overall)``, ``sum(overall * overall)``.
``score_providers(tallies, *, min_n=5) -> tuple[SectorScores, ...]``
    Every sector's prior and every provider's posterior.  Pass **all** sectors' tallies,
    even to print one sector: a sector with fewer than 10 providers with ratings uses the
    prior fitted over all sectors.  Sectors and providers keep the order of ``tallies``.
``scores_json(sectors, labels) -> dict``
    The JSON of ``surveyapp providers scores --format json``, exactly the spec's fields;
    ``labels`` maps a provider id to its :class:`ProviderLabel` (credit code, name, district).
``lowest_first(sector) -> tuple[ProviderScore, ...]``
    Published providers by posterior share of satisfied ratings, lowest first.
``fit_beta_prior(n, satisfied) -> BetaPrior``
    The prior fit alone (used by :func:`score_providers`; exposed for tests and benches).

Results: :class:`SectorScores` ``(sector, min_n, prior, stars_model, providers)`` with a
:class:`BetaPrior` (``alpha``, ``beta``, ``method``, ``scope``, ``edge``), a
:class:`StarsModel` (``mean``, ``mean_var``, ``between_var``, ``within_var``) and one
:class:`ProviderScore` per tally (``raw_share``, ``posterior_share``, ``ci``,
``published``, ``raw_stars``, ``posterior_stars``, ``stars_ci``).

Share of satisfied ratings (beta-binomial)
------------------------------------------
A rating is satisfied when its overall stars are 4 or 5.  Provider *i* has ``k_i``
satisfied ratings out of ``n_i``; given its true share ``p_i ~ Beta(α, β)``,
``k_i | p_i ~ Bin(n_i, p_i)``.  The prior maximises the marginal (beta-binomial)
log-likelihood over the sector's providers with ``n_i ≥ 1``

.. math:: \\ell(\\alpha, \\beta) = \\sum_i \\big[\\log B(k_i + \\alpha, n_i - k_i + \\beta)
          - \\log B(\\alpha, \\beta)\\big] + \\text{const},

parametrised by the mean ``m = α/(α+β)`` and the size ``s = α+β`` over the box
``m ∈ [0.5/N, 1 − 0.5/N]`` (``N = Σ n_i``) and ``s ∈ [0.1, 10 000]``.  When the maximum
lies on the box's edge it is taken there: data without over-dispersion give
``s = 10 000``, all-or-nothing providers ``s = 0.1``, and a sector whose providers are all
fully satisfied ends in the corner ``m = 1 − 0.5/N``, ``s = 0.1``.  When every provider
has a single rating the likelihood does not depend on ``s`` at all
(``ℓ = K log m + (N − K) log(1 − m)``): the data show no over-dispersion, so
``s = 10 000`` (complete pooling) and ``m = K/N`` within the box.  The fit runs on
``(logit m, log s)``: a grid, L-BFGS-B with the analytic gradient (digamma), an explicit
search along each edge of the box, then Newton steps with the analytic Hessian
(trigamma) when the maximum is interior.  Below 10 providers with ratings a sector has
no prior of its own and uses the prior fitted in the same way over every sector's
providers (``scope = "all sectors"``; the method string stays ``"beta-binomial ML"``).

A provider's posterior is ``Beta(k_i + α, n_i − k_i + β)``: ``posterior_share`` is its
mean ``(k_i + α)/(n_i + s)`` and ``ci`` its 2.5% and 97.5% quantiles
(``scipy.stats.beta.ppf``).  ``published`` is false when ``n_i < min_n``.

Mean stars (normal–normal)
--------------------------
Provider *i*'s mean overall stars ``ȳ_i`` has sampling variance ``v_i = σ²_w / n_i``,
with ``σ²_w`` the sector's pooled within-provider variance
``Σ_i Σ_j (y_ij − ȳ_i)² / (N − P)`` (``P`` providers with ratings; a provider with one
rating adds 0 on 0 degrees of freedom).  The between-provider variance is the one-way
ANOVA (method-of-moments) estimator for unbalanced groups, floored at zero,

.. math:: \\hat\\tau^2 = \\max\\Big(0, \\frac{\\mathrm{MSB} - \\sigma^2_w}{n_0}\\Big),\\quad
          n_0 = \\frac{N - \\sum_i n_i^2 / N}{P - 1},

which equals DerSimonian & Laird's estimator with weights ``n_i/σ²_w``.  With
``w_i = 1/(τ² + v_i)``, ``μ = Σ w_i ȳ_i / Σ w_i`` and ``B_i = v_i/(v_i + τ²)``, the
posterior mean is ``(1 − B_i) ȳ_i + B_i μ`` and its variance
``(1 − B_i) v_i + B_i² / Σ w_j`` (the second term carries the uncertainty of ``μ``, after
Morris 1983 and Kass & Steffey 1989; the uncertainty of ``τ²`` is not added).  The
interval is the posterior mean ± 1.96 SD, clipped to the 1–5 scale.  When every provider
of a sector has one rating, ``σ²_w`` is not identified: the variance of the ``ȳ_i`` is
taken as ``σ²_w`` and ``τ² = 0``, as the share's prior pools completely in that case.
A sector with fewer than 10 providers with ratings uses the model fitted over all sectors.

References
----------
Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its
generalizations. *JASA* 70, 311-319.
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
*JASA* 78, 47-55.
Kass, R. E. & Steffey, D. (1989). Approximate Bayesian inference in conditionally
independent hierarchical models. *JASA* 84, 717-726.
Carlin, B. P. & Louis, T. A. (2000). *Bayes and Empirical Bayes Methods for Data
Analysis*, 2nd ed., §3.3 (beta-binomial), §3.5 (normal–normal), Chapman & Hall.
DerSimonian, R. & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled
Clinical Trials* 7, 177-188.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

__all__ = [
    "METHOD",
    "MIN_PROVIDERS",
    "S_MAX",
    "S_MIN",
    "BetaPrior",
    "ProviderLabel",
    "ProviderScore",
    "ProviderTally",
    "ScoreColumns",
    "SectorScores",
    "StarsModel",
    "fit_beta_prior",
    "lowest_first",
    "score_columns",
    "score_providers",
    "scores_json",
]

METHOD = "beta-binomial ML"
S_MIN = 0.1
S_MAX = 10_000.0
MIN_PROVIDERS = 10
STARS_RANGE = (1.0, 5.0)
_Z = float(stats.norm.ppf(0.975))
_Q = (0.025, 0.975)

Scope = Literal["sector", "all sectors"]
Edge = Literal["interior", "s_min", "s_max", "m_min", "m_max"]


@dataclass(frozen=True)
class ProviderTally:
    """One provider's overall stars in one sector over the window (SQL aggregates).

    ``n`` ratings, ``satisfied`` of them with 4 or 5 stars, ``stars_sum`` = Σ stars and
    ``stars_sq_sum`` = Σ stars².  ``id`` is the credit code, else the registration number.
    """

    id: str
    sector: str
    n: int
    satisfied: int
    stars_sum: int
    stars_sq_sum: int


@dataclass(frozen=True)
class ProviderLabel:
    """What the scores JSON shows of a provider beside its numbers."""

    credit_code: str | None
    name: str
    district: str


@dataclass(frozen=True)
class BetaPrior:
    """The fitted Beta(α, β) prior of a sector's shares of satisfied ratings.

    ``edge`` says where the maximum lies: ``interior``, or the box edge it was taken on
    (``s_min``, ``s_max``, ``m_min``, ``m_max``; a corner reports its ``s`` edge).
    ``providers`` and ``ratings`` count the data it was fitted on.
    """

    alpha: float
    beta: float
    log_likelihood: float
    providers: int
    ratings: int
    edge: Edge
    scope: Scope = "sector"
    method: str = METHOD

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def size(self) -> float:
        return self.alpha + self.beta


@dataclass(frozen=True)
class StarsModel:
    """The normal–normal model of mean overall stars: ``μ``, its variance ``1/Σ w_i``, ``τ²``, ``σ²_w``."""

    mean: float
    mean_var: float
    between_var: float
    within_var: float
    providers: int
    ratings: int
    scope: Scope = "sector"


@dataclass(frozen=True)
class ProviderScore:
    """A provider's scores in one sector.

    ``raw_share``/``raw_stars`` are ``None`` without ratings; the posteriors are ``None``
    only when no sector has any rating.  ``published`` is ``n >= min_n``.
    """

    id: str
    n: int
    satisfied: int
    raw_share: float | None
    posterior_share: float | None
    ci: tuple[float, float] | None
    published: bool
    raw_stars: float | None
    posterior_stars: float | None
    stars_ci: tuple[float, float] | None


@dataclass(frozen=True)
class SectorScores:
    sector: str
    min_n: int
    prior: BetaPrior | None
    stars_model: StarsModel | None
    providers: tuple[ProviderScore, ...]


# --- the beta-binomial prior -------------------------------------------------------------


class _Marginal:
    """−ℓ/P and its gradient on (u, v) = (logit m, log s), over distinct (n, k) pairs."""

    def __init__(self, n: NDArray[np.int64], k: NDArray[np.int64]) -> None:
        pairs, counts = np.unique(np.stack([n, k], axis=1), axis=0, return_counts=True)
        self.n = pairs[:, 0].astype(np.float64)
        self.k = pairs[:, 1].astype(np.float64)
        self.c = counts.astype(np.float64)
        self.scale = float(counts.sum())

    def loglik(self, a: float, b: float) -> float:
        terms = special.betaln(self.k + a, self.n - self.k + b) - special.betaln(a, b)
        return float(self.c @ terms)

    def grad_ab(self, a: float, b: float) -> tuple[float, float]:
        s = a + b
        common = -special.digamma(self.n + s) + special.digamma(s)
        ga = self.c @ (special.digamma(self.k + a) - special.digamma(a) + common)
        gb = self.c @ (special.digamma(self.n - self.k + b) - special.digamma(b) + common)
        return float(ga), float(gb)

    def hess_ab(self, a: float, b: float) -> NDArray[np.float64]:
        s = a + b
        common = float(self.c @ (special.polygamma(1, s) - special.polygamma(1, self.n + s)))
        haa = float(self.c @ (special.polygamma(1, self.k + a) - special.polygamma(1, a)))
        hbb = float(self.c @ (special.polygamma(1, self.n - self.k + b) - special.polygamma(1, b)))
        return np.array([[haa + common, common], [common, hbb + common]])

    def objective(self, x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        m, s = special.expit(x[0]), math.exp(x[1])
        a, b = m * s, (1.0 - m) * s
        ga, gb = self.grad_ab(a, b)
        du = (ga - gb) * s * m * (1.0 - m)
        dv = ga * a + gb * b
        return -self.loglik(a, b) / self.scale, -np.array([du, dv]) / self.scale


def _ab(u: float, v: float) -> tuple[float, float]:
    m, s = float(special.expit(u)), math.exp(v)
    return m * s, (1.0 - m) * s


def fit_beta_prior(
    n: Sequence[int] | NDArray[np.integer], satisfied: Sequence[int] | NDArray[np.integer]
) -> BetaPrior:
    """Maximum marginal likelihood Beta prior of the shares ``satisfied/n`` (module docstring).

    ``n`` must be ≥ 1 and ``0 ≤ satisfied ≤ n`` for every provider; raises ``ValueError``
    otherwise or when there is no provider.
    """
    nn = np.asarray(n, dtype=np.int64)
    kk = np.asarray(satisfied, dtype=np.int64)
    if nn.ndim != 1 or nn.shape != kk.shape:
        raise ValueError("n and satisfied must be one-dimensional arrays of the same length")
    if nn.size == 0:
        raise ValueError("no provider with ratings: the prior cannot be fitted")
    if (nn < 1).any() or (kk < 0).any() or (kk > nn).any():
        raise ValueError("every provider needs n >= 1 and 0 <= satisfied <= n")
    total = int(nn.sum())
    m_lo, m_hi = 0.5 / total, 1.0 - 0.5 / total
    lik = _Marginal(nn, kk)

    def result(m: float, s: float, edge: Edge) -> BetaPrior:
        a, b = float(m * s), float((1.0 - m) * s)
        return BetaPrior(a, b, lik.loglik(a, b), int(nn.size), total, edge)

    if int(nn.max()) == 1:  # ℓ is flat in s: no over-dispersion can be seen
        return result(min(max(int(kk.sum()) / total, m_lo), m_hi), S_MAX, "s_max")

    u_lo, u_hi = float(special.logit(m_lo)), float(special.logit(m_hi))
    v_lo, v_hi = math.log(S_MIN), math.log(S_MAX)
    candidates: list[tuple[float, float, float]] = []  # (−ℓ/P, u, v)

    def f(u: float, v: float) -> float:
        return -lik.loglik(*_ab(u, v)) / lik.scale

    grid = [(f(u, v), u, v) for u in np.linspace(u_lo, u_hi, 9) for v in np.linspace(v_lo, v_hi, 9)]
    for _, u0, v0 in sorted(grid)[:2]:
        res = optimize.minimize(
            lik.objective, np.array([u0, v0]), jac=True, method="L-BFGS-B",
            bounds=[(u_lo, u_hi), (v_lo, v_hi)],
            options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 2000},
        )  # fmt: skip
        candidates.append((float(res.fun), float(res.x[0]), float(res.x[1])))
    # each edge of the box, explicitly: the best m at s = S_MIN, S_MAX; the best s at m = m_lo, m_hi
    opts = {"xatol": 1e-10}
    for v in (v_lo, v_hi):
        r = optimize.minimize_scalar(lambda u, v=v: f(u, v), bounds=(u_lo, u_hi), method="bounded", options=opts)  # fmt: skip
        candidates.append((float(r.fun), float(r.x), v))
    for u in (u_lo, u_hi):
        r = optimize.minimize_scalar(lambda v, u=u: f(u, v), bounds=(v_lo, v_hi), method="bounded", options=opts)  # fmt: skip
        candidates.append((float(r.fun), u, float(r.x)))
    candidates += [(f(u, v), u, v) for u in (u_lo, u_hi) for v in (v_lo, v_hi)]  # the corners
    _, u, v = min(candidates)
    a, b = _ab(u, v)
    a, b = _newton_polish(lik, a, b, (m_lo, m_hi))
    m, s = a / (a + b), a + b
    return result(*_snap(m, s, m_lo, m_hi))


def _snap(m: float, s: float, m_lo: float, m_hi: float) -> tuple[float, float, Edge]:
    """Put a maximum found within 1e-7 (relative, on the transformed scale) onto its edge."""
    tol = 1e-7
    edge: Edge = "interior"
    if abs(math.log(s / S_MIN)) < tol:
        s, edge = S_MIN, "s_min"
    elif abs(math.log(s / S_MAX)) < tol:
        s, edge = S_MAX, "s_max"
    if abs(special.logit(m) - special.logit(m_lo)) < tol:
        m = m_lo
        edge = "m_min" if edge == "interior" else edge
    elif abs(special.logit(m) - special.logit(m_hi)) < tol:
        m = m_hi
        edge = "m_max" if edge == "interior" else edge
    return m, s, edge


def _newton_polish(
    lik: _Marginal, a: float, b: float, m_box: tuple[float, float]
) -> tuple[float, float]:
    """Newton steps in (α, β) with the analytic Hessian, kept only while ℓ rises inside the box."""
    best = lik.loglik(a, b)
    for _ in range(20):
        h = lik.hess_ab(a, b)
        if not (h[0, 0] < 0 and np.linalg.det(h) > 0):  # not concave here (an edge maximum)
            break
        step = -np.linalg.solve(h, np.array(lik.grad_ab(a, b)))
        improved = False
        for t in (1.0, 0.5, 0.25, 0.125):
            a1, b1 = a + t * step[0], b + t * step[1]
            if a1 <= 0 or b1 <= 0:
                continue
            s1, m1 = a1 + b1, a1 / (a1 + b1)
            if not (S_MIN <= s1 <= S_MAX and m_box[0] <= m1 <= m_box[1]):
                continue
            ll = lik.loglik(a1, b1)
            if ll >= best:
                improved = True
                a, b, best = a1, b1, ll
                break
        if not improved or abs(step[0]) + abs(step[1]) < 1e-13 * (a + b):
            break
    return a, b


# --- the normal-normal model of mean stars --------------------------------------------------


def _fit_stars(
    n: NDArray[np.int64], s1: NDArray[np.int64], s2: NDArray[np.int64], scope: Scope
) -> StarsModel:
    """μ, τ² and σ²_w from providers with ratings (module docstring)."""
    p, total = int(n.size), int(n.sum())
    nf = n.astype(np.float64)
    ybar = s1 / nf
    ss_within = float(((n * s2 - s1 * s1) / nf).sum())  # exact integers before the division
    grand = float(s1.sum()) / total
    if total > p:
        within = ss_within / (total - p)
        if p > 1:
            msb = float((nf * (ybar - grand) ** 2).sum()) / (p - 1)
            n0 = (total - float((nf * nf).sum()) / total) / (p - 1)
            between = max(0.0, (msb - within) / n0)
        else:
            between = 0.0
    else:  # every provider has one rating: σ²_w is not identified, pool completely
        within = float(ybar.var(ddof=1)) if p > 1 else 0.0
        between = 0.0
    if within == 0.0 and between == 0.0:  # every rating the same: nothing is uncertain
        mu, mu_var = grand, 0.0
    else:
        w = 1.0 / (between + within / nf)
        mu, mu_var = float((w * ybar).sum() / w.sum()), 1.0 / float(w.sum())
    return StarsModel(mu, mu_var, between, within, p, total, scope)


def _stars_posterior(
    model: StarsModel, n: NDArray[np.int64], s1: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Posterior means and SDs of mean stars.

    A provider without ratings has ``v_i = ∞``: ``B_i = 1``, its mean is ``μ`` and its
    variance ``τ² + 1/Σ w_j`` (the limit of ``(1 − B_i) v_i + B_i²/Σ w_j``).
    """
    nf = n.astype(np.float64)
    has = nf > 0
    safe_n = np.where(has, nf, 1.0)
    ybar = np.where(has, s1 / safe_n, model.mean)
    v = np.where(has, model.within_var / safe_n, 0.0)
    tau2 = model.between_var
    if tau2 == 0.0:  # no between-provider variance: everyone at μ
        b = np.ones_like(nf)
    else:
        b = np.where(has, v / (v + tau2), 1.0)
    mean = (1.0 - b) * ybar + b * model.mean
    own = np.where(has, (1.0 - b) * v, tau2)
    return mean, np.sqrt(own + b * b * model.mean_var)


# --- scores -------------------------------------------------------------------------------


def _validate(tallies: Sequence[ProviderTally]) -> None:
    seen: set[tuple[str, str]] = set()
    lo, hi = STARS_RANGE
    for t in tallies:
        key = (t.sector, t.id)
        if key in seen:
            raise ValueError(f"provider {t.id!r} appears twice in sector {t.sector!r}")
        seen.add(key)
        n, k, s1, s2 = t.n, t.satisfied, t.stars_sum, t.stars_sq_sum
        if n < 0 or not 0 <= k <= n:
            raise ValueError(
                f"provider {t.id!r} ({t.sector}): needs n >= 0 and 0 <= satisfied <= n"
            )
        # satisfied ratings have 4-5 stars, the others 1-3
        bad_sum = not 4 * k + (n - k) * lo <= s1 <= 5 * k + 3 * (n - k)
        if bad_sum or n * s2 < s1 * s1 or not s1 <= s2 <= hi * s1:
            raise ValueError(
                f"provider {t.id!r} ({t.sector}): stars_sum {s1} and stars_sq_sum {s2} "
                f"cannot come from {n} ratings of 1-5 stars with {k} satisfied"
            )


def _columns(tallies: Sequence[ProviderTally]) -> Columns:
    return tuple(  # type: ignore[return-value]
        np.fromiter((getattr(t, f) for t in tallies), dtype=np.int64, count=len(tallies))
        for f in ("n", "satisfied", "stars_sum", "stars_sq_sum")
    )


Columns = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


def _fits(columns: Columns, scope: Scope) -> tuple[BetaPrior | None, StarsModel | None]:
    n, k, s1, s2 = columns
    rated = n > 0
    if not rated.any():
        return None, None
    prior = fit_beta_prior(n[rated], k[rated])
    if scope != prior.scope:
        prior = BetaPrior(prior.alpha, prior.beta, prior.log_likelihood, prior.providers,
                          prior.ratings, prior.edge, scope)  # fmt: skip
    return prior, _fit_stars(n[rated], s1[rated], s2[rated], scope)


def _fitted(
    groups: Sequence[Columns], every: Callable[[], Columns] | None = None
) -> list[tuple[BetaPrior | None, StarsModel | None]]:
    """Each group's (sector's) prior and stars model: its own from :data:`MIN_PROVIDERS`
    rated providers, else the one fitted over all providers (``every()``, by default the
    groups' columns one after the other)."""
    pooled: tuple[BetaPrior | None, StarsModel | None] | None = None
    out = []
    for columns in groups:
        if int(np.count_nonzero(columns[0] > 0)) >= MIN_PROVIDERS:
            out.append(_fits(columns, "sector"))
        else:
            if pooled is None:
                pooled = _fits(every() if every else _joined(groups), "all sectors")
            out.append(pooled)
    return out


def _joined(groups: Sequence[Columns]) -> Columns:
    n, k, s1, s2 = (np.concatenate([g[j] for g in groups]) for j in range(4))
    return n, k, s1, s2


def score_providers(
    tallies: Iterable[ProviderTally], *, min_n: int = 5
) -> tuple[SectorScores, ...]:
    """Every sector's prior and every provider's posteriors (module docstring).

    ``tallies`` holds every sector's providers (with ``n = 0`` for a provider without
    ratings in the window: it is listed, unpublished, at its prior).  ``min_n`` (≥ 1) is
    the number of ratings from which a score is published.  Raises ``ValueError`` for a
    provider twice in a sector or counts that 1-5 stars cannot give.
    """
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    rows = list(tallies)
    _validate(rows)
    by_sector: dict[str, list[ProviderTally]] = {}
    for t in rows:
        by_sector.setdefault(t.sector, []).append(t)
    groups = [_columns(items) for items in by_sector.values()]
    out = []
    for (sector, items), columns, (prior, stars) in zip(
        by_sector.items(), groups, _fitted(groups, lambda: _columns(rows)), strict=True
    ):
        out.append(SectorScores(sector, min_n, prior, stars,
                                _score(items, columns, prior, stars, min_n)))  # fmt: skip
    return tuple(out)


@dataclass(frozen=True)
class ScoreColumns:
    """One group's scores as columns (NaN where :class:`ProviderScore` has ``None``), for
    callers that store hundreds of thousands of scores: the same numbers as
    :func:`score_providers` gives for the same tallies in the same order."""

    prior: BetaPrior | None
    stars_model: StarsModel | None
    raw_share: NDArray[np.float64]
    posterior_share: NDArray[np.float64]
    share_low: NDArray[np.float64]
    share_high: NDArray[np.float64]
    raw_stars: NDArray[np.float64]
    posterior_stars: NDArray[np.float64]
    stars_low: NDArray[np.float64]
    stars_high: NDArray[np.float64]


def score_columns(groups: Sequence[Columns]) -> list[ScoreColumns]:
    """:func:`score_providers` over columns: each group (a sector, or one item of a
    sector's form) is ``(n, satisfied, Σ stars, Σ stars²)`` as int64 arrays, one entry
    per provider; a group below :data:`MIN_PROVIDERS` rated providers takes the prior
    fitted over all groups.  Raises ``ValueError`` for counts 1-5 stars cannot give."""
    for columns in groups:
        _validate_columns(columns)
    return [
        ScoreColumns(prior, stars, *_score_arrays(columns, prior, stars))
        for columns, (prior, stars) in zip(groups, _fitted(groups), strict=True)
    ]


def _validate_columns(columns: Columns) -> None:
    n, k, s1, s2 = columns
    lo, hi = STARS_RANGE
    bad = (n < 0) | (k < 0) | (k > n)
    bad |= (s1 < 4 * k + (n - k) * lo) | (s1 > 5 * k + 3 * (n - k))
    bad |= (n * s2 < s1 * s1) | (s1 > s2) | (s2 > hi * s1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _validate([ProviderTally(f"#{i}", "", *(int(c[i]) for c in columns))])


def _score_arrays(
    columns: Columns, prior: BetaPrior | None, stars: StarsModel | None
) -> tuple[NDArray[np.float64], ...]:
    """raw share, posterior share, its interval, raw stars, posterior stars, its interval."""
    n, k, s1, _ = columns
    nf = n.astype(np.float64)
    has = n > 0
    raw = np.where(has, k / np.where(has, nf, 1.0), np.nan)
    raw_stars = np.where(has, s1 / np.where(has, nf, 1.0), np.nan)
    if prior is None or stars is None:
        post = lo = hi = st = st_lo = st_hi = np.full(n.shape, np.nan)
    else:
        a, b = k + prior.alpha, n - k + prior.beta
        post = a / (a + b)
        lo, hi = stats.beta.ppf(_Q[0], a, b), stats.beta.ppf(_Q[1], a, b)
        st, sd = _stars_posterior(stars, n, s1)
        st_lo = np.clip(st - _Z * sd, *STARS_RANGE)
        st_hi = np.clip(st + _Z * sd, *STARS_RANGE)
    return tuple(
        np.asarray(x, dtype=np.float64) for x in (raw, post, lo, hi, raw_stars, st, st_lo, st_hi)
    )


def _score(
    items: Sequence[ProviderTally],
    columns: Columns,
    prior: BetaPrior | None,
    stars: StarsModel | None,
    min_n: int,
) -> tuple[ProviderScore, ...]:
    # Python floats once per column (``tolist``), not a numpy scalar per cell: the same
    # values, without the per-cell cost that dominated 300,000 item scores.
    raw, post, lo, hi, raw_stars, st, st_lo, st_hi = (
        x.tolist() for x in _score_arrays(columns, prior, stars)
    )

    def opt(x: float) -> float | None:
        return None if math.isnan(x) else x

    return tuple(
        ProviderScore(
            id=t.id,
            n=t.n,
            satisfied=t.satisfied,
            raw_share=opt(raw[i]),
            posterior_share=opt(post[i]),
            ci=None if math.isnan(post[i]) else (lo[i], hi[i]),
            published=t.n >= min_n,
            raw_stars=opt(raw_stars[i]),
            posterior_stars=opt(st[i]),
            stars_ci=None if math.isnan(st[i]) else (st_lo[i], st_hi[i]),
        )  # fmt: skip
        for i, t in enumerate(items)
    )


def scores_json(
    sectors: Sequence[SectorScores], labels: Mapping[str, ProviderLabel]
) -> dict[str, object]:
    """The JSON of ``surveyapp providers scores --format json`` (spec, section Providers).

    Plain dicts, lists, str, int, float, bool and None, in the spec's key order; a
    provider missing from ``labels`` raises ``KeyError``.
    """
    out = []
    for sec in sectors:
        prior = sec.prior
        out.append(
            {
                "sector": sec.sector,
                "min_n": sec.min_n,
                "prior": None
                if prior is None
                else {"alpha": prior.alpha, "beta": prior.beta, "method": prior.method},
                "providers": [_provider_json(p, labels[p.id]) for p in sec.providers],
            }
        )
    return {"sectors": out}


def _provider_json(p: ProviderScore, label: ProviderLabel) -> dict[str, object]:
    return {
        "id": p.id,
        "credit_code": label.credit_code,
        "name": label.name,
        "district": label.district,
        "n": p.n,
        "satisfied": p.satisfied,
        "raw_share": p.raw_share,
        "posterior_share": p.posterior_share,
        "ci": None if p.ci is None else [p.ci[0], p.ci[1]],
        "published": p.published,
    }


def lowest_first(sector: SectorScores) -> tuple[ProviderScore, ...]:
    """The sector's published providers, lowest posterior share of satisfied ratings first.

    Ties go to the lower upper bound of ``ci`` (the less certain of being good), then the
    lower posterior mean stars, then the id.  Never ranks by a raw mean.
    """
    shown = [p for p in sector.providers if p.published and p.posterior_share is not None]

    def key(p: ProviderScore) -> tuple[float, float, float, str]:
        share = p.posterior_share if p.posterior_share is not None else math.inf
        upper = p.ci[1] if p.ci is not None else math.inf
        stars = p.posterior_stars if p.posterior_stars is not None else math.inf
        return (share, upper, stars, p.id)

    return tuple(sorted(shown, key=key))
