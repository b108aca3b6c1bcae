"""Provider scores (issue 16, spec supervision.md section Providers): the prior, its edges,
the posteriors, the JSON, and a seeded simulation of shrinkage and coverage."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats

from analysis.provider_scores import (
    METHOD,
    S_MAX,
    S_MIN,
    ProviderLabel,
    ProviderTally,
    fit_beta_prior,
    lowest_first,
    score_providers,
    scores_json,
)

# --- an independent marginal likelihood and optimiser ---------------------------------------


def marginal_loglik(a: float, b: float, n: np.ndarray, k: np.ndarray) -> float:
    """Beta-binomial log-likelihood without the binomial coefficients, written as sums of logs.

    B(k+a, n-k+b)/B(a, b) = prod_{j<k}(a+j) prod_{j<n-k}(b+j) / prod_{j<n}(a+b+j),
    counted over j: no betaln, no digamma (independent of the module's formula).
    """
    top = int(n.max())
    j = np.arange(top)
    at_least = np.bincount(k, minlength=top + 1)[::-1].cumsum()[::-1]  # #providers with k >= x
    more_k = at_least[1 : top + 1]  # #providers with k > j, j = 0..top-1
    more_f = np.bincount(n - k, minlength=top + 1)[::-1].cumsum()[::-1][1 : top + 1]
    more_n = np.bincount(n, minlength=top + 1)[::-1].cumsum()[::-1][1 : top + 1]
    return float(more_k @ np.log(a + j) + more_f @ np.log(b + j) - more_n @ np.log(a + b + j))


def independent_fit(n: np.ndarray, k: np.ndarray) -> tuple[float, float, float]:
    """Brute-force grid in (log a, log b), then Nelder-Mead: the interior ML (a, b, loglik)."""
    grid = np.linspace(math.log(0.05), math.log(5000), 40)
    best = max((marginal_loglik(math.exp(x), math.exp(y), n, k), x, y) for x in grid for y in grid)
    res = optimize.minimize(
        lambda z: -marginal_loglik(math.exp(z[0]), math.exp(z[1]), n, k),
        np.array(best[1:]),
        method="Nelder-Mead",
        options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20000, "maxfev": 40000},
    )
    return math.exp(res.x[0]), math.exp(res.x[1]), -float(res.fun)


def simulate(rng: np.random.Generator, p: np.ndarray, n: np.ndarray) -> np.ndarray:
    return rng.binomial(n, p)


@pytest.mark.parametrize(
    ("a", "b", "n_lo", "n_hi", "providers", "seed"),
    [(8.0, 2.0, 1, 500, 300, 1), (1.0, 4.0, 1, 30, 400, 2), (0.6, 0.5, 2, 15, 250, 3),
     (30.0, 6.0, 5, 200, 120, 4)],
)  # fmt: skip
def test_prior_agrees_with_an_independent_optimiser(a, b, n_lo, n_hi, providers, seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(n_lo, n_hi + 1, providers)
    k = simulate(rng, rng.beta(a, b, providers), n)
    prior = fit_beta_prior(n, k)
    ia, ib, ill = independent_fit(n, k)
    assert prior.edge == "interior"
    assert prior.method == METHOD == "beta-binomial ML"
    assert prior.alpha == pytest.approx(ia, rel=1e-5)
    assert prior.beta == pytest.approx(ib, rel=1e-5)
    ours = marginal_loglik(prior.alpha, prior.beta, n, k)
    assert ours >= ill - 1e-8 * abs(ill)  # never worse than the independent optimum
    assert (prior.providers, prior.ratings) == (providers, int(n.sum()))


def box_points(total: int):
    """A spread of (m, s) points over the spec's box, edges included."""
    lo, hi = 0.5 / total, 1 - 0.5 / total
    ms = np.concatenate([[lo], np.linspace(lo, hi, 27)[1:-1], [hi]])
    ss = np.exp(np.linspace(math.log(S_MIN), math.log(S_MAX), 25))
    return [(m, s) for m in ms for s in ss]


def assert_is_box_maximum(prior, n, k):
    ours = marginal_loglik(prior.alpha, prior.beta, n, k)
    for m, s in box_points(int(n.sum())):
        assert ours >= marginal_loglik(m * s, (1 - m) * s, n, k) - 1e-9 * abs(ours)


REFERENCE = Path(__file__).resolve().parent / "results" / "provider_scores"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("case", ["A", "B"])
def test_scores_agree_with_r(case):
    """Base R's optim() on lbeta, qbeta, and metafor's DL fit and BLUPs (make_reference.R)."""
    tallies = [
        ProviderTally(r["id"], "catering", int(r["n"]), int(r["satisfied"]),
                      int(r["stars_sum"]), int(r["stars_sq_sum"]))
        for r in read_csv(f"tallies_{case}.csv")
    ]  # fmt: skip
    ref = read_csv(f"reference_{case}.csv")
    (sec,) = score_providers(tallies)
    prior, model = sec.prior, sec.stars_model
    assert prior is not None and model is not None and prior.scope == "sector"
    r0 = {k: float(v) for k, v in ref[0].items() if k != "id"}
    # R's optimum is never better than ours, and both land on the same point
    assert prior.log_likelihood >= r0["loglik"] - 1e-9 * abs(r0["loglik"])
    assert prior.alpha == pytest.approx(r0["alpha"], rel=1e-6)
    assert prior.beta == pytest.approx(r0["beta"], rel=1e-6)
    assert model.within_var == pytest.approx(r0["within"], rel=1e-12)
    assert model.between_var == pytest.approx(r0["tau2"], rel=1e-9)
    assert model.mean == pytest.approx(r0["mu"], rel=1e-12)
    assert math.sqrt(model.mean_var) == pytest.approx(r0["mu_se"], rel=1e-9)
    for p, r in zip(sec.providers, ref, strict=True):
        assert p.id == r["id"]
        assert p.posterior_share == pytest.approx(float(r["post_share"]), rel=1e-6)
        assert p.ci == pytest.approx((float(r["ci_lo"]), float(r["ci_hi"])), rel=1e-6)
        blup, se = float(r["blup"]), float(r["blup_se"])
        assert p.posterior_stars == pytest.approx(blup, rel=1e-10)
        expected = (
            max(1.0, blup - 1.959963984540054 * se),
            min(5.0, blup + 1.959963984540054 * se),
        )
        assert p.stars_ci == pytest.approx(expected, rel=1e-9)


# --- the box's edges and the fallback (each edge case of the spec) ----------------------------


def test_all_providers_fully_satisfied_take_the_corner_of_the_box():
    n = np.array([2, 3, 7, 12, 40, 5, 9, 2, 3, 30])
    prior = fit_beta_prior(n, n)
    total = int(n.sum())
    assert prior.mean == pytest.approx(1 - 0.5 / total, rel=1e-12)
    assert prior.size == S_MIN
    assert prior.edge == "s_min"
    assert_is_box_maximum(prior, n, n)


def test_no_provider_satisfied_takes_the_other_corner():
    n = np.array([2, 3, 7, 12, 4, 5])
    prior = fit_beta_prior(n, np.zeros_like(n))
    assert prior.mean == pytest.approx(0.5 / int(n.sum()), rel=1e-12)
    assert prior.size == S_MIN
    assert_is_box_maximum(prior, n, np.zeros_like(n))


def test_an_interior_maximum_is_the_maximum_over_the_whole_box():
    rng = np.random.default_rng(21)
    n = rng.integers(1, 80, 150)
    k = rng.binomial(n, rng.beta(2.0, 3.0, 150))
    prior = fit_beta_prior(n, k)
    assert prior.edge == "interior"
    assert_is_box_maximum(prior, n, k)


def test_every_n_equal_to_one_gives_no_over_dispersion():
    n = np.ones(40, dtype=np.int64)
    k = np.array([1] * 29 + [0] * 11)
    # the likelihood does not depend on s when every provider has one rating
    assert marginal_loglik(0.725 * S_MIN, 0.275 * S_MIN, n, k) == pytest.approx(
        marginal_loglik(0.725 * S_MAX, 0.275 * S_MAX, n, k), rel=1e-9
    )
    prior = fit_beta_prior(n, k)
    assert prior.size == S_MAX
    assert prior.mean == pytest.approx(29 / 40, rel=1e-12)
    assert prior.edge == "s_max"
    assert_is_box_maximum(prior, n, k)


@pytest.mark.parametrize(("satisfied", "mean"), [(1, 1 - 0.5 / 12), (0, 0.5 / 12)])
def test_every_n_one_and_unanimous_keeps_the_mean_inside_the_box(satisfied, mean):
    n = np.ones(12, dtype=np.int64)
    prior = fit_beta_prior(n, n * satisfied)
    assert prior.mean == pytest.approx(mean, rel=1e-12)
    assert prior.size == S_MAX


def test_no_over_dispersion_gives_the_largest_size():
    n = np.full(25, 10)
    k = np.full(25, 7)  # every provider exactly 7 of 10: less spread than binomial
    prior = fit_beta_prior(n, k)
    assert prior.size == S_MAX
    assert prior.edge == "s_max"
    assert prior.mean == pytest.approx(0.7, abs=1e-3)
    assert_is_box_maximum(prior, n, k)


def test_all_or_nothing_providers_give_the_smallest_size():
    n = np.array([5, 6, 7, 3, 4, 8, 2, 9, 10, 4])
    k = np.array([5, 0, 7, 0, 0, 8, 0, 9, 0, 4])
    prior = fit_beta_prior(n, k)
    assert prior.size == S_MIN
    assert prior.edge == "s_min"
    assert abs(prior.mean - 0.5) < 0.05  # 5 of 10 providers all satisfied, 5 none
    assert_is_box_maximum(prior, n, k)


def tally(pid, sector, stars):
    stars = np.asarray(stars, dtype=np.int64)
    return ProviderTally(pid, sector, int(stars.size), int((stars >= 4).sum()),
                         int(stars.sum()), int((stars * stars).sum()))  # fmt: skip


def random_tallies(rng, sector, count, *, a=6.0, b=2.0, n_hi=40, prefix=None):
    """Providers whose ratings are satisfied with a Beta(a, b) share, stars 4-5 or 1-3."""
    out = []
    for i in range(count):
        p = rng.beta(a, b)
        n = int(rng.integers(0, n_hi + 1))
        sat = rng.random(n) < p
        stars = np.where(sat, rng.integers(4, 6, n), rng.integers(1, 4, n))
        out.append(tally(f"{prefix or sector}-{i}", sector, stars))
    return out


def test_a_sector_below_ten_rated_providers_uses_the_prior_fitted_over_all_sectors():
    rng = np.random.default_rng(7)
    big = random_tallies(rng, "catering", 60)
    small = [tally(f"l{i}", "lodging", [5, 4, 2, 5][: i % 4 + 1]) for i in range(9)]
    small += [ProviderTally("l-none", "lodging", 0, 0, 0, 0)]  # no rating: does not count
    ten = [tally(f"d{i}", "domestic", [3, 5, 4][: i % 3 + 1]) for i in range(10)]
    scores = {s.sector: s for s in score_providers(big + small + ten)}
    everything = [t for t in big + small + ten if t.n > 0]
    pooled = fit_beta_prior([t.n for t in everything], [t.satisfied for t in everything])
    lodging = scores["lodging"]
    assert lodging.prior is not None and lodging.stars_model is not None
    assert lodging.prior.scope == "all sectors" and lodging.stars_model.scope == "all sectors"
    assert lodging.prior.method == METHOD
    assert (lodging.prior.alpha, lodging.prior.beta) == (pooled.alpha, pooled.beta)
    assert lodging.prior.providers == len(everything)
    own = fit_beta_prior([t.n for t in ten], [t.satisfied for t in ten])
    domestic = scores["domestic"]
    assert domestic.prior is not None and domestic.prior.scope == "sector"
    assert (domestic.prior.alpha, domestic.prior.beta) == (own.alpha, own.beta)
    assert scores["catering"].prior is not None and scores["catering"].prior.scope == "sector"


def test_without_any_rating_there_is_no_prior_and_no_score():
    scores = score_providers([ProviderTally("a", "catering", 0, 0, 0, 0)])
    (sec,) = scores
    assert sec.prior is None and sec.stars_model is None
    (p,) = sec.providers
    assert p.posterior_share is None and p.ci is None and not p.published
    out = scores_json(scores, {"a": ProviderLabel("a", "A", "思茅区")})
    assert out["sectors"][0]["prior"] is None  # type: ignore[index]


# --- posteriors ----------------------------------------------------------------------------


def test_posterior_share_interval_and_published_flag():
    rng = np.random.default_rng(11)
    tallies = random_tallies(rng, "catering", 40)
    tallies.append(ProviderTally("none", "catering", 0, 0, 0, 0))
    (sec,) = score_providers(tallies, min_n=5)
    prior = sec.prior
    assert prior is not None
    for t, p in zip(tallies, sec.providers, strict=True):
        a, b = t.satisfied + prior.alpha, t.n - t.satisfied + prior.beta
        assert p.id == t.id
        assert p.posterior_share == pytest.approx(a / (a + b), rel=1e-12)
        assert p.ci == pytest.approx(tuple(stats.beta.ppf([0.025, 0.975], a, b)), rel=1e-10)
        assert p.published is (t.n >= 5)
        if t.n:
            assert p.raw_share == t.satisfied / t.n
        else:
            assert p.raw_share is None and p.raw_stars is None
            assert p.posterior_share == pytest.approx(prior.mean)


def test_a_provider_in_two_sectors_has_a_score_in_each():
    rng = np.random.default_rng(4)
    tallies = random_tallies(rng, "catering", 15) + random_tallies(rng, "lodging", 12)
    tallies += [
        tally("both", "catering", [5, 5, 5, 5, 5, 4]),
        tally("both", "lodging", [1, 2, 1, 2, 3]),
    ]
    scores = {s.sector: s for s in score_providers(tallies)}
    cat = next(p for p in scores["catering"].providers if p.id == "both")
    lod = next(p for p in scores["lodging"].providers if p.id == "both")
    assert (cat.n, cat.satisfied, lod.n, lod.satisfied) == (6, 6, 5, 0)
    assert cat.posterior_share is not None and lod.posterior_share is not None
    assert lod.posterior_share < 0.5 < cat.posterior_share
    # providers keep the order they were given in
    assert [p.id for p in scores["lodging"].providers] == [
        t.id for t in tallies if t.sector == "lodging"
    ]


def test_a_provider_without_ratings_gets_the_sector_mean_stars_with_its_spread():
    rng = np.random.default_rng(8)
    ratings = stars_of(rng, 40)
    tallies = [tally(f"p{i}", "catering", r) for i, r in enumerate(ratings)]
    tallies.append(ProviderTally("none", "catering", 0, 0, 0, 0))
    (sec,) = score_providers(tallies)
    model = sec.stars_model
    assert model is not None and model.between_var > 0
    none = sec.providers[-1]
    assert none.posterior_stars == pytest.approx(model.mean)
    half = 1.959963984540054 * math.sqrt(model.between_var + model.mean_var)
    assert none.stars_ci == pytest.approx((model.mean - half, model.mean + half), rel=1e-12)
    # wider than any rated provider's interval
    widths = [p.stars_ci[1] - p.stars_ci[0] for p in sec.providers[:-1]]  # type: ignore[index]
    assert 2 * half > max(widths)


def test_min_n_below_one_and_bad_tallies_are_refused():
    good = tally("a", "catering", [5, 4, 1])
    with pytest.raises(ValueError, match="min_n"):
        score_providers([good], min_n=0)
    with pytest.raises(ValueError, match="twice"):
        score_providers([good, good])
    with pytest.raises(ValueError, match="cannot come from"):  # 2 satisfied need >= 8 stars
        score_providers([ProviderTally("b", "catering", 3, 2, 7, 19)])
    with pytest.raises(ValueError, match="cannot come from"):  # sum of squares too small
        score_providers([ProviderTally("b", "catering", 2, 2, 9, 40)])
    with pytest.raises(ValueError, match="n >= 1"):
        fit_beta_prior([0, 3], [0, 1])
    with pytest.raises(ValueError, match="no provider"):
        fit_beta_prior([], [])


def stars_of(rng, count, n_hi=30, spread=0.6):
    """Raw ratings per provider (lists of 1-5 stars) with real between-provider spread."""
    out = []
    for _ in range(count):
        centre = 3.6 + rng.normal(0, spread)
        n = int(rng.integers(1, n_hi + 1))
        out.append(np.clip(np.round(centre + rng.normal(0, 1.0, n)), 1, 5).astype(np.int64))
    return out


def test_mean_stars_model_against_the_raw_ratings():
    rng = np.random.default_rng(5)
    ratings = stars_of(rng, 80) + [np.array([4])]  # one provider with a single rating
    tallies = [tally(f"p{i}", "catering", r) for i, r in enumerate(ratings)]
    (sec,) = score_providers(tallies)
    model = sec.stars_model
    assert model is not None
    n = np.array([r.size for r in ratings], dtype=float)
    ybar = np.array([r.mean() for r in ratings])
    total, providers = n.sum(), n.size
    # pooled within-provider variance from the ratings themselves (the n = 1 provider adds 0 on 0 df)
    within = sum(((r - r.mean()) ** 2).sum() for r in ratings) / (total - providers)
    assert model.within_var == pytest.approx(within, rel=1e-10)
    # DerSimonian-Laird with v_i = within / n_i gives the same tau^2 as the ANOVA estimator
    w = n / within
    mu_fixed = (w * ybar).sum() / w.sum()
    q = (w * (ybar - mu_fixed) ** 2).sum()
    tau2 = max(0.0, (q - (providers - 1)) / (w.sum() - (w * w).sum() / w.sum()))
    assert tau2 > 0
    assert model.between_var == pytest.approx(tau2, rel=1e-9)
    v = within / n
    ws = 1 / (tau2 + v)
    mu = (ws * ybar).sum() / ws.sum()
    assert model.mean == pytest.approx(mu, rel=1e-12)
    shrink = v / (v + tau2)
    post = (1 - shrink) * ybar + shrink * mu
    sd = np.sqrt((1 - shrink) * v + shrink**2 / ws.sum())
    for i, p in enumerate(sec.providers):
        assert p.raw_stars == pytest.approx(ybar[i])
        assert p.posterior_stars == pytest.approx(post[i], rel=1e-12)
        lo, hi = p.stars_ci  # type: ignore[misc]
        assert lo == pytest.approx(max(1.0, post[i] - 1.959963984540054 * sd[i]), rel=1e-9)
        assert hi == pytest.approx(min(5.0, post[i] + 1.959963984540054 * sd[i]), rel=1e-9)


def test_between_variance_is_floored_at_zero():
    # every provider has the same mean (4.0) with spread inside: MSB = 0 < within
    ratings = [[3, 5], [4, 4, 3, 5], [5, 3, 4], [4], [5, 4, 3]] * 3
    tallies = [tally(f"p{i}", "catering", r) for i, r in enumerate(ratings)]
    (sec,) = score_providers(tallies)
    assert sec.stars_model is not None and sec.stars_model.between_var == 0.0
    for p in sec.providers:
        assert p.posterior_stars == pytest.approx(4.0)


def test_every_provider_with_one_rating_pools_the_stars_completely():
    ratings = [[5], [4], [2], [5], [3], [4], [4], [1], [5], [5], [4]]
    (sec,) = score_providers([tally(f"p{i}", "catering", r) for i, r in enumerate(ratings)])
    model = sec.stars_model
    assert model is not None
    y = np.array([r[0] for r in ratings], dtype=float)
    assert model.between_var == 0.0
    assert model.within_var == pytest.approx(y.var(ddof=1))
    assert {round(p.posterior_stars, 12) for p in sec.providers} == {round(model.mean, 12)}  # type: ignore[arg-type]


# --- the JSON and the ranking ----------------------------------------------------------------


def test_scores_json_has_exactly_the_spec_shape():
    rng = np.random.default_rng(3)
    tallies = random_tallies(rng, "catering", 12) + random_tallies(rng, "lodging", 3)
    labels = {t.id: ProviderLabel("91530800MA6K1234X" if i % 2 else None, f"店{i}", "思茅区")
              for i, t in enumerate(tallies)}  # fmt: skip
    out = scores_json(score_providers(tallies, min_n=5), labels)
    text = json.dumps(out, ensure_ascii=False, allow_nan=False)
    back = json.loads(text)
    assert list(back) == ["sectors"]
    assert [s["sector"] for s in back["sectors"]] == ["catering", "lodging"]
    for sec in back["sectors"]:
        assert list(sec) == ["sector", "min_n", "prior", "providers"]
        assert sec["min_n"] == 5
        assert list(sec["prior"]) == ["alpha", "beta", "method"]
        assert sec["prior"]["method"] == "beta-binomial ML"
        for p in sec["providers"]:
            assert list(p) == ["id", "credit_code", "name", "district", "n", "satisfied",
                               "raw_share", "posterior_share", "ci", "published"]  # fmt: skip
            assert isinstance(p["n"], int) and isinstance(p["published"], bool)
            assert p["published"] == (p["n"] >= 5)
            assert p["credit_code"] == labels[p["id"]].credit_code
            if p["n"]:
                assert p["raw_share"] == pytest.approx(p["satisfied"] / p["n"])
                assert p["ci"][0] <= p["posterior_share"] <= p["ci"][1]
    # the few-provider sector carries the all-sectors prior, as plain numbers
    assert back["sectors"][1]["prior"]["alpha"] != back["sectors"][0]["prior"]["alpha"]


def test_lowest_first_ranks_by_posterior_not_raw_share():
    rng = np.random.default_rng(9)
    tallies = random_tallies(rng, "catering", 30, a=3.0, b=2.0)
    # few ratings, high raw share; many ratings, slightly lower raw share
    tallies.append(tally("few", "catering", [5, 5, 4, 4, 1]))  # 0.8 on 5
    tallies.append(tally("many", "catering", [5] * 310 + [2] * 90))  # 0.775 on 400
    tallies.append(tally("unpublished", "catering", [1, 1]))
    (sec,) = score_providers(tallies, min_n=5)
    ranked = lowest_first(sec)
    assert "unpublished" not in {p.id for p in ranked}
    shares = [p.posterior_share for p in ranked]
    assert shares == sorted(shares)  # type: ignore[type-var]
    order = [p.id for p in ranked]
    assert order.index("few") < order.index("many")  # shrunk toward the sector's ~0.6
    assert all(p.posterior_stars is not None for p in ranked)


# --- the simulation (issue 16: shrinkage beats the raw mean, intervals cover) -----------------


def simulated_sector(seed: int, providers: int, a: float, b: float):
    """Providers with true shares ~ Beta(a, b) and 1-500 ratings each (stars 4-5 when satisfied)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(a, b, providers)
    n = rng.integers(1, 501, providers)
    k = rng.binomial(n, p)
    fives = rng.binomial(k, 0.5)  # satisfied: 4 or 5 stars
    low = np.array([rng.multinomial(m, [1 / 3] * 3) for m in n - k])  # 1, 2, 3 stars
    s1 = 4 * k + fives + low @ np.array([1, 2, 3])
    s2 = 16 * k + 9 * fives + low @ np.array([1, 4, 9])
    tallies = [ProviderTally(f"p{i}", "catering", int(n[i]), int(k[i]), int(s1[i]), int(s2[i]))
               for i in range(providers)]  # fmt: skip
    return p, tallies


def test_simulation_posterior_beats_raw_share_and_intervals_cover():
    p, tallies = simulated_sector(20261206, 2000, 4.0, 1.5)
    (sec,) = score_providers(tallies)
    post = np.array([s.posterior_share for s in sec.providers])
    raw = np.array([s.raw_share for s in sec.providers])
    lo = np.array([s.ci[0] for s in sec.providers])  # type: ignore[index]
    hi = np.array([s.ci[1] for s in sec.providers])  # type: ignore[index]
    mse_post, mse_raw = np.mean((post - p) ** 2), np.mean((raw - p) ** 2)
    assert mse_post < mse_raw
    coverage = np.mean((lo <= p) & (p <= hi))
    assert 0.93 <= coverage <= 0.97
    assert sec.prior is not None
    assert sec.prior.alpha == pytest.approx(4.0, rel=0.2)
    assert sec.prior.beta == pytest.approx(1.5, rel=0.2)
