"""The Fay–Herriot EBLUP (analysis/small_area.py) against R's sae, samplics and the formulas.

- ``results/small_area/fh-milk/``: R ``sae`` 1.3's own results (``eblupFH``, ``mseFH``,
  PRECISION 1e-12) on the milk data of Arora and Lahiri (1997), as the spec
  (``small-area.md``) ships them;
- ``results/small_area/samplics*.csv``: samplics 0.6.1's area-level EBLUP on five seeded
  data sets, made by ``results/small_area/make_samplics.py`` (tolerance lowered to 1e-13);
- the formulas written out by hand on a four-area case at a fixed σ²_u, and the
  defining equations (score = 0, the FH moments equation) at the estimates.

The spec compares to 1e-6 relative; we hold 1e-9 (the largest difference is about 1e-12).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from analysis.small_area import (
    dependent_column,
    estimate_areas,
    fit_fay_herriot,
    pooled_within_variance,
    predict_synthetic,
    smoothed_variances,
)

RESULTS = Path(__file__).resolve().parent / "results" / "small_area"
RTOL = 1e-9
METHODS = ("REML", "ML", "FH")


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def load_areas(path: Path) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, list[str]]:
    data = rows(path)
    names = [c for c in data[0] if c not in ("area", "estimate", "variance")]
    z = np.array([[float(r[c]) for c in names] for r in data]).reshape(len(data), len(names))
    return (
        [r["area"] for r in data],
        np.array([float(r["estimate"]) for r in data]),
        np.array([float(r["variance"]) for r in data]),
        z,
        names,
    )


@pytest.mark.parametrize("method", METHODS)
def test_milk_data_as_r_sae_gives_it(method):
    areas, y, psi, z, names = load_areas(RESULTS / "fh-milk" / "areas.csv")
    fit = fit_fay_herriot(y, psi, z, method=method.lower())
    params = {r["name"]: float(r["value"]) for r in rows(RESULTS / "fh-milk" / "expected-params.csv") if r["method"] == method}  # fmt: skip
    expected = [r for r in rows(RESULTS / "fh-milk" / "expected.csv") if r["method"] == method]
    assert fit.converged
    assert fit.sigma2_u == pytest.approx(params["sigma2_u"], rel=RTOL)
    np.testing.assert_allclose(fit.beta, [params[n] for n in ("(Intercept)", *names)], rtol=RTOL)
    assert [r["area"] for r in expected] == areas
    np.testing.assert_allclose(fit.eblup, [float(r["eblup"]) for r in expected], rtol=RTOL)
    np.testing.assert_allclose(fit.mse, [float(r["mse"]) for r in expected], rtol=RTOL)


CASES = sorted(p.stem.removeprefix("case_") for p in RESULTS.glob("case_*.csv"))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", CASES)
def test_seeded_cases_as_samplics_gives_them(case, method):
    areas, y, psi, z, names = load_areas(RESULTS / f"case_{case}.csv")
    fit = fit_fay_herriot(y, psi, z, method=method.lower())
    ref = [r for r in rows(RESULTS / "samplics.csv") if (r["case"], r["method"]) == (case, method)]
    params = [r for r in rows(RESULTS / "samplics-params.csv") if (r["case"], r["method"]) == (case, method)]  # fmt: skip
    assert params[0]["name"] == "sigma2_u"
    assert fit.sigma2_u == pytest.approx(float(params[0]["value"]), rel=RTOL, abs=1e-12)
    assert [r["name"] for r in params[1:]] == ["(Intercept)", *names]
    np.testing.assert_allclose(fit.beta, [float(r["value"]) for r in params[1:]], rtol=RTOL)
    np.testing.assert_allclose(fit.beta_se, [float(r["se"]) for r in params[1:]], rtol=RTOL)
    assert [r["area"] for r in ref] == areas
    np.testing.assert_allclose(fit.eblup, [float(r["eblup"]) for r in ref], rtol=RTOL)
    np.testing.assert_allclose(fit.mse, [float(r["mse"]) for r in ref], rtol=RTOL)


def test_the_cases_cover_a_variance_estimated_at_zero():
    *_, y, psi, z, _ = load_areas(RESULTS / "case_a.csv")
    fit = fit_fay_herriot(y, psi, z, method="ml")
    assert fit.at_zero and fit.sigma2_u == 0.0


# --- the formulas by hand: four areas, intercept and one covariate, σ²_u = 1 ---------

Y = np.array([10.0, 12.0, 9.0, 15.0])
PSI = np.array([1.0, 1.0, 2.0, 4.0])
Z = np.array([0.0, 1.0, 2.0, 3.0])


def by_hand(method: str) -> dict[str, np.ndarray]:
    """Every quantity of the spec, spelled out element by element, at σ²_u = 1."""
    s = 1.0
    v = [s + p for p in PSI]  # 2, 2, 3, 5
    # XᵀV⁻¹X and XᵀV⁻¹y for x_d = (1, z_d)
    a = sum(1 / vd for vd in v)
    bz = sum(zd / vd for zd, vd in zip(Z, v, strict=True))
    c = sum(zd * zd / vd for zd, vd in zip(Z, v, strict=True))
    det = a * c - bz * bz
    inv = [[c / det, -bz / det], [-bz / det, a / det]]
    ty = sum(yd / vd for yd, vd in zip(Y, v, strict=True))
    tzy = sum(zd * yd / vd for zd, yd, vd in zip(Z, Y, v, strict=True))
    beta = [inv[0][0] * ty + inv[0][1] * tzy, inv[1][0] * ty + inv[1][1] * tzy]
    out: dict[str, list[float]] = {k: [] for k in ("synthetic", "eblup", "g1", "g2", "g3", "mse")}
    m = 4
    sum_v1 = sum(1 / vd for vd in v)
    sum_v2 = sum(1 / vd**2 for vd in v)
    vbar = 2 * m / sum_v1**2 if method == "fh" else 2 / sum_v2
    # tr[(XᵀV⁻¹X)⁻¹ XᵀV⁻²X]
    a2 = sum(1 / vd**2 for vd in v)
    b2 = sum(zd / vd**2 for zd, vd in zip(Z, v, strict=True))
    c2 = sum(zd * zd / vd**2 for zd, vd in zip(Z, v, strict=True))
    trace = inv[0][0] * a2 + inv[0][1] * b2 + inv[1][0] * b2 + inv[1][1] * c2
    bias = {
        "reml": 0.0,
        "ml": -trace / sum_v2,
        "fh": 2 * (m * sum_v2 - sum_v1**2) / sum_v1**3,
    }[method]
    for yd, pd, zd, vd in zip(Y, PSI, Z, v, strict=True):
        syn = beta[0] + beta[1] * zd
        gamma = s / vd
        bd = pd / vd
        q = inv[0][0] + 2 * inv[0][1] * zd + inv[1][1] * zd * zd
        g1, g2, g3 = pd * (1 - bd), bd**2 * q, bd**2 * vbar / vd
        out["synthetic"].append(syn)
        out["eblup"].append(gamma * yd + (1 - gamma) * syn)
        out["g1"].append(g1)
        out["g2"].append(g2)
        out["g3"].append(g3)
        out["mse"].append(g1 + g2 + 2 * g3 - bias * bd**2)
    result = {k: np.array(val) for k, val in out.items()}
    result["beta"] = np.array(beta)
    result["cov"] = np.array(inv)
    return result


@pytest.mark.parametrize("method", ["reml", "ml", "fh"])
def test_the_formulas_by_hand_at_a_fixed_variance(method):
    fit = fit_fay_herriot(Y, PSI, Z[:, None], method=method, sigma2_u=1.0)
    hand = by_hand(method)
    np.testing.assert_allclose(fit.beta, hand["beta"], rtol=1e-13)
    np.testing.assert_allclose(fit.beta_cov, hand["cov"], rtol=1e-13)
    np.testing.assert_allclose(fit.gamma, [0.5, 0.5, 1 / 3, 0.2], rtol=1e-15)
    for key in ("synthetic", "eblup", "g1", "g2", "g3", "mse"):
        np.testing.assert_allclose(getattr(fit, key), hand[key], rtol=1e-12, err_msg=key)
    low, high = fit.ci
    np.testing.assert_allclose(high - low, 2 * 1.959964 * np.sqrt(hand["mse"]), rtol=1e-12)


def reml_loglik(s: float, y, psi, x) -> float:
    """−½ [log|V| + log|XᵀV⁻¹X| + (y − Xβ̃)ᵀV⁻¹(y − Xβ̃)], written out with dense matrices."""
    vinv = np.diag(1 / (s + psi))
    xvx = x.T @ vinv @ x
    beta = np.linalg.solve(xvx, x.T @ vinv @ y)
    r = y - x @ beta
    return -0.5 * (np.sum(np.log(s + psi)) + np.linalg.slogdet(xvx)[1] + r @ vinv @ r)


def ml_loglik(s: float, y, psi, x) -> float:
    vinv = np.diag(1 / (s + psi))
    beta = np.linalg.solve(x.T @ vinv @ x, x.T @ vinv @ y)
    r = y - x @ beta
    return -0.5 * (np.sum(np.log(s + psi)) + r @ vinv @ r)


@pytest.mark.parametrize("case", ["b", "c", "d", "e"])
def test_reml_and_ml_maximise_their_likelihood(case):
    *_, y, psi, z, _ = load_areas(RESULTS / f"case_{case}.csv")
    x = np.hstack([np.ones((y.size, 1)), z])
    for method, loglik in (("reml", reml_loglik), ("ml", ml_loglik)):
        s = fit_fay_herriot(y, psi, z, method=method).sigma2_u
        h = 1e-5 * s
        slope = (loglik(s + h, y, psi, x) - loglik(s - h, y, psi, x)) / (2 * h)
        assert abs(slope) < 1e-6 * (1 + abs(loglik(s, y, psi, x)) / s)
        grid = s * np.array([0.0, 0.25, 0.5, 0.9, 0.99, 1.01, 1.1, 2.0, 4.0, 100.0])
        assert all(loglik(g, y, psi, x) < loglik(s, y, psi, x) for g in grid)


@pytest.mark.parametrize("case", CASES)
def test_fh_solves_its_moments_equation(case):
    *_, y, psi, z, _ = load_areas(RESULTS / f"case_{case}.csv")
    fit = fit_fay_herriot(y, psi, z, method="fh")
    v = fit.sigma2_u + psi
    assert np.sum(fit.residual**2 / v) == pytest.approx(fit.m - fit.p, rel=1e-12)


def test_variance_at_zero_gives_the_synthetic_estimate_everywhere():
    rng = np.random.default_rng(7)
    z = rng.uniform(0, 10, size=(25, 1))
    psi = rng.uniform(20, 40, size=25)
    y = 60 + 2 * z[:, 0] + rng.normal(0, 0.1, size=25)  # far less spread than the ψ_d
    for method in ("reml", "ml", "fh"):
        fit = fit_fay_herriot(y, psi, z, method=method)
        assert fit.at_zero and fit.converged
        np.testing.assert_array_equal(fit.gamma, 0.0)
        np.testing.assert_allclose(fit.eblup, fit.synthetic, rtol=0, atol=0)
        np.testing.assert_allclose(fit.g1, 0.0)


def test_shifting_the_estimates_shifts_the_eblup_and_keeps_the_mse():
    *_, y, psi, z, _ = load_areas(RESULTS / "case_c.csv")
    for method in ("reml", "ml", "fh"):
        a = fit_fay_herriot(y, psi, z, method=method)
        b = fit_fay_herriot(y + 100.0, psi, z, method=method)
        assert b.sigma2_u == pytest.approx(a.sigma2_u, rel=1e-9)
        np.testing.assert_allclose(b.eblup, a.eblup + 100.0, rtol=1e-12)
        np.testing.assert_allclose(b.mse, a.mse, rtol=1e-8)


def test_eblup_lies_between_the_direct_and_the_synthetic_estimate():
    *_, y, psi, z, _ = load_areas(RESULTS / "case_b.csv")
    fit = fit_fay_herriot(y, psi, z)
    lo = np.minimum(fit.direct, fit.synthetic)
    hi = np.maximum(fit.direct, fit.synthetic)
    assert np.all((lo <= fit.eblup) & (fit.eblup <= hi))
    assert np.all(fit.mse < psi)  # the point of the exercise: tighter than the direct
    np.testing.assert_allclose(fit.std_residual, fit.residual / np.sqrt(fit.sigma2_u + psi))
    assert np.all(fit.beta_p > 0) and np.all(fit.beta_p < 1)


def test_areas_without_a_direct_estimate_get_the_synthetic_estimate():
    *_, y, psi, z, _ = load_areas(RESULTS / "case_e.csv")
    missing = np.zeros(y.size, dtype=bool)
    missing[[3, 17, 40]] = True
    direct = np.where(missing, np.nan, y)
    result = estimate_areas(direct, psi, z)
    alone = fit_fay_herriot(y[~missing], psi[~missing], z[~missing])
    np.testing.assert_array_equal(result.synthetic_only, missing)
    np.testing.assert_allclose(result.estimate[~missing], alone.eblup, rtol=1e-15)
    np.testing.assert_allclose(result.mse[~missing], alone.mse, rtol=1e-15)
    x = np.hstack([np.ones((3, 1)), z[missing]])
    np.testing.assert_allclose(result.estimate[missing], x @ alone.beta, rtol=1e-13)
    q = np.array([row @ alone.beta_cov @ row for row in x])
    np.testing.assert_allclose(result.mse[missing], alone.sigma2_u + q, rtol=1e-13)
    np.testing.assert_array_equal(result.gamma[missing], 0.0)
    np.testing.assert_allclose(result.gamma[~missing], alone.gamma)
    est, mse = predict_synthetic(alone, z[missing])
    np.testing.assert_allclose(est, result.estimate[missing])
    assert np.all(result.ci[0] < result.estimate) and np.all(result.estimate < result.ci[1])


def test_intercept_only_synthetic_prediction():
    fit = fit_fay_herriot(Y, PSI, None, sigma2_u=1.0)
    est, mse = predict_synthetic(fit, np.empty((2, 0)))
    np.testing.assert_allclose(est, fit.beta[0])
    np.testing.assert_allclose(mse, 1.0 + fit.beta_cov[0, 0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda y, psi, z: (y, np.where(np.arange(y.size) == 2, 0.0, psi), z), "not > 0"),
        (lambda y, psi, z: (y[:2], psi[:2], z[:2]), "at least 3"),
        (lambda y, psi, z: (y, psi, np.hstack([z, 2 * z])), "column 2"),
        (lambda y, psi, z: (np.where(np.arange(y.size) == 0, np.inf, y), psi, z), "finite"),
    ],
)
def test_bad_input_is_refused_with_a_reason(change, message):
    y, psi, z = change(Y, PSI, Z[:, None])
    with pytest.raises(ValueError, match=message):
        fit_fay_herriot(y, psi, z)


def test_unknown_method_and_negative_variance_are_refused():
    with pytest.raises(ValueError, match="unknown method"):
        fit_fay_herriot(Y, PSI, None, method="mom")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sigma2_u"):
        fit_fay_herriot(Y, PSI, None, sigma2_u=-1.0)


def test_dependent_column_names_the_first_dependent_one():
    x = np.column_stack([np.ones(5), np.arange(5.0), np.arange(5.0) * 3 + 1, np.arange(5.0) ** 2])
    assert dependent_column(x) == 2
    assert dependent_column(x[:, [0, 1, 3]]) is None
    assert dependent_column(np.column_stack([np.ones(4), np.full(4, 7.0)])) == 1
    assert dependent_column(np.column_stack([np.ones(4), np.zeros(4)])) == 1
    # units do not matter: a covariate in the millions next to the intercept
    assert dependent_column(np.column_stack([np.ones(4), [1e6, 2e6, 3.5e6, 9e6]])) is None


def test_smoothed_variance_is_the_pooled_within_variance_over_n():
    values = np.array([70.0, 80.0, 90.0, 60.0, 64.0, 50.0, np.nan])
    groups = np.array([0, 0, 0, 2, 2, 3, 3])
    # district 0: mean 80, SS 200; district 2: mean 62, SS 8; district 3: one value, SS 0
    s2 = pooled_within_variance(values, groups)
    assert s2 == pytest.approx(208.0 / (6 - 3))
    psi = smoothed_variances(np.array([3, 0, 2, 1]), s2, deff=1.5)
    np.testing.assert_allclose(psi, [s2 * 1.5 / 3, math.inf, s2 * 1.5 / 2, s2 * 1.5])
    with pytest.raises(ValueError, match="two respondents"):
        pooled_within_variance(np.array([1.0, 2.0]), np.array([0, 1]))
    with pytest.raises(ValueError, match="deff"):
        smoothed_variances(np.array([3]), s2, deff=0.0)
