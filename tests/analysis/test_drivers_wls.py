"""The drivers' WLS with HC1 errors, computed with numpy, against statsmodels (the oracle).

statsmodels is imported here only: the package computes the fit itself
(:func:`analysis.drivers.wls_hc1`).
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import statsmodels.api as sm

from analysis import drivers

drivers_module = sys.modules["analysis.drivers"]
wls_hc1 = drivers_module.wls_hc1

TOL = 1e-10


def rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def survey_like(rng, n: int, d: int, rho: float):
    """Dimension scores on 0-100 in steps, correlated by ``rho``; overall on 0-100."""
    u = rng.normal(0, 1, n)
    noise = rng.normal(0, 1, (n, d))
    dims = np.clip(62 + 20 * (math.sqrt(rho) * u[:, None] + math.sqrt(1 - rho) * noise), 0, 100)
    dims = np.round(dims / 6.25) * 6.25
    beta = rng.uniform(0.0, 0.3, d)
    overall = np.clip(np.round((5 + dims @ beta + rng.normal(0, 10, n)) / 25) * 25, 0, 100)
    weights = rng.lognormal(0, 0.5, n)
    return overall, dims, weights


def oracle(y, x, w):
    return sm.WLS(y, x, weights=w).fit(cov_type="HC1")


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("qr", [False, True])
def test_wls_hc1_agrees_with_statsmodels(seed, qr, monkeypatch):
    rng = np.random.default_rng(seed)
    if qr:  # the QR solve, used for ill-conditioned cross-products
        monkeypatch.setattr(drivers_module, "QR_ABOVE", 0.0)
    n = int(rng.integers(8, 5000))
    d = int(rng.integers(1, 7))
    rho = float(rng.choice([0.0, 0.5, 0.9, 0.999]))
    y, dims, w = survey_like(rng, n, d, rho)
    x = np.column_stack([np.ones(n), dims])
    fit = wls_hc1(y, x, w)
    ref = oracle(y, x, w)
    assert rel(fit.params, ref.params) < TOL
    assert rel(fit.bse, ref.bse) < TOL
    assert np.allclose(fit.pvalues, ref.pvalues, rtol=TOL, atol=1e-300)
    assert abs(fit.rsquared - ref.rsquared) <= TOL * abs(ref.rsquared)


def test_wls_hc1_heteroscedastic_errors_differ_from_the_model_ones():
    """The sandwich is not the classical covariance: it follows the residuals."""
    rng = np.random.default_rng(7)
    n = 2000
    x = np.column_stack([np.ones(n), rng.uniform(0, 100, n)])
    y = 3 + 0.5 * x[:, 1] + rng.normal(0, 1, n) * x[:, 1] / 10
    w = rng.uniform(0.5, 2, n)
    fit = wls_hc1(y, x, w)
    ref = oracle(y, x, w)
    classical = sm.WLS(y, x, weights=w).fit()
    assert rel(fit.bse, ref.bse) < TOL
    assert rel(fit.bse, classical.bse) > 0.05


def statsmodels_drivers(overall, dims, w):
    """The former implementation of :func:`analysis.drivers` (through statsmodels)."""
    ok = ~np.isnan(overall) & ~np.isnan(dims).any(axis=1)
    n, d = int(ok.sum()), dims.shape[1]
    if n < d + 2:
        return None
    x = sm.add_constant(dims[ok], has_constant="add")
    if np.linalg.matrix_rank(x.T @ x) < d + 1:
        return None
    return oracle(overall[ok], x, w[ok])


@pytest.mark.parametrize("seed", range(8))
def test_drivers_agree_with_the_statsmodels_version(seed):
    rng = np.random.default_rng(100 + seed)
    n, d = int(rng.integers(20, 3000)), 5
    y, dims, w = survey_like(rng, n, d, 0.7)
    y[rng.random(n) < 0.05] = np.nan
    dims[rng.random((n, d)) < 0.03] = np.nan
    got = drivers(y, dims, w, [f"d{k}" for k in range(d)], [1.0] * d, [60.0] * d)
    ref = statsmodels_drivers(y, dims, w)
    assert got is not None and ref is not None
    assert got.n == int(ref.nobs)
    coef = [got.intercept] + [g.coefficient for g in got.dimensions]
    assert rel(coef, ref.params) < TOL
    assert rel([g.se for g in got.dimensions], ref.bse[1:]) < TOL
    assert np.allclose([g.p_value for g in got.dimensions], ref.pvalues[1:], rtol=TOL, atol=0)
    assert abs(got.r_squared - ref.rsquared) <= TOL * abs(ref.rsquared)


def test_collinear_and_degenerate_inputs_give_no_drivers_as_before():
    rng = np.random.default_rng(3)
    n = 200
    y, dims, w = survey_like(rng, n, 3, 0.5)
    ids, cw, perf = ["a", "b", "c"], [1.0, 1.0, 1.0], [60.0, 60.0, 60.0]
    collinear = dims.copy()
    collinear[:, 2] = 2 * collinear[:, 0] - collinear[:, 1]  # an exact linear combination
    constant = dims.copy()
    constant[:, 1] = 50.0  # a constant dimension: collinear with the intercept
    few = dims.copy()
    few[4:] = np.nan  # 4 complete rows, fewer than D + 2
    for case in (collinear, constant, few):
        assert statsmodels_drivers(y, case, w) is None
        assert drivers(y, case, w, ids, cw, perf) is None
    # exactly D + 2 complete rows: fitted, as before
    five = dims.copy()
    five[5:] = np.nan
    y = y.copy()
    y[:5] = [0.0, 25.0, 100.0, 50.0, 75.0]
    got, ref = drivers(y, five, w, ids, cw, perf), statsmodels_drivers(y, five, w)
    assert got is not None and ref is not None
    coef = [got.intercept] + [g.coefficient for g in got.dimensions]
    assert np.allclose(coef, ref.params, rtol=1e-8, atol=1e-10)


def test_the_package_does_not_import_statsmodels():
    import subprocess

    code = (
        "import sys, numpy as np; from analysis import drivers;"
        "r = np.random.default_rng(0); x = r.uniform(0, 100, (50, 2));"
        "drivers(x @ [0.3, 0.4], x, np.ones(50), ['a', 'b'], [1, 1], [50, 50]);"
        "print('statsmodels' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
