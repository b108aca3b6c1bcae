"""Reference numbers of an independent Fay–Herriot implementation: samplics' EBLUP.

    python3 -m venv /tmp/sae-ref && /tmp/sae-ref/bin/pip install samplics==0.6.1
    /tmp/sae-ref/bin/python tests/analysis/results/small_area/make_samplics.py

Writes, next to this script, ``case_<name>.csv`` (seeded data sets in the layout of
``surveyapp small-area``: area, estimate, variance, x1, x2, ...) and ``samplics.csv``
(one row a case, method and area: eblup and mse) and ``samplics-params.csv`` (σ²_u and
β with its standard errors).  samplics' ``EblupAreaModel`` (0.6.1) is run with its
Fisher-scoring tolerance lowered from 1e-4 to 1e-13 (relative change of σ²_u) and 1000
iterations at most, REML started at the median sampling variance; its default stopping rule
is too loose for the 1e-6 comparison.  (FH starts at samplics' default 1e-6: from the
median it overshoots below zero on case e.)  Its ML loop stops after two iterations whatever
the tolerance (σ²_u becomes a one-element array updated in place, so the "previous"
value is the current one and the change reads 0): for ML the script iterates samplics'
own scoring step (``_partial_derivatives``) to the tolerance, then lets ``fit()`` take
one more step from there (from 0 when the root is negative: the step stays below 0 and
samplics sets σ²_u = 0), so every number is still samplics' computation.  The test (``test_small_area.py``) needs neither
samplics nor this script; samplics is not a dependency of the project.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
from samplics.sae import EblupAreaModel
from samplics.utils.types import FitMethod

HERE = Path(__file__).resolve().parent
SEED = 20261206

#: name: (areas, covariates, σ²_u of the simulation, range of the sampling variances)
CASES = {
    "a": (30, 2, 4.0, (0.5, 12.0)),
    "b": (12, 1, 9.0, (1.0, 40.0)),
    "c": (80, 4, 0.8, (0.2, 6.0)),
    "d": (8, 0, 25.0, (2.0, 30.0)),
    "e": (50, 3, 2.0, (0.5, 40.0)),
}
METHODS = {"REML": FitMethod.reml, "ML": FitMethod.ml, "FH": FitMethod.fh}


def make_case(name: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, k, sigma2_u, (lo, hi) = CASES[name]
    z = rng.normal(0.0, 1.0, size=(m, k)) * rng.uniform(0.5, 3.0, size=k) + rng.uniform(0, 5, k)
    beta = rng.normal(0.0, 2.0, size=k)
    psi = np.round(rng.uniform(lo, hi, size=m), 4)
    theta = 70.0 + z @ beta + rng.normal(0.0, np.sqrt(sigma2_u), size=m)
    direct = np.round(theta + rng.normal(0.0, np.sqrt(psi)), 4)
    z = np.round(z, 4)
    with open(HERE / f"case_{name}.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["area", "estimate", "variance", *(f"x{j + 1}" for j in range(k))])
        for d in range(m):
            out.writerow([f"{name.upper()}{d + 1:02d}", direct[d], psi[d], *z[d]])
    return direct, psi, z


def ml_scoring(model, direct, z, area, psi, start: float) -> float:
    """samplics' ML Fisher scoring, iterated on plain floats until the relative change
    is below 1e-13 (a negative value means σ²_u = 0)."""
    x = np.hstack([np.ones((direct.size, 1)), z])
    s = start
    for _ in range(1000):
        deriv, info = model._partial_derivatives(area, direct, x, psi, s, np.ones(area.size))
        new = s + float(np.squeeze(deriv)) / float(np.squeeze(info))
        done = abs((new - s) / s) <= 1e-13
        s = new
        if done:
            break
    return s


def main() -> None:
    rng = np.random.default_rng(SEED)
    areas_rows, param_rows = [], []
    for name in CASES:
        direct, psi, z = make_case(name, rng)
        area = np.array([f"{name.upper()}{d + 1:02d}" for d in range(direct.size)])
        x = np.hstack([np.ones((direct.size, 1)), z])  # the intercept, given explicitly
        for label, method in METHODS.items():
            model = EblupAreaModel(method=method)
            start = float(np.median(psi)) if method == FitMethod.reml else 1e-6
            if method == FitMethod.ml:
                start = max(ml_scoring(model, direct, z, area, psi, float(np.median(psi))), 0.0)
            model.fit(
                yhat=direct,
                X=x,
                area=area,
                intercept=False,
                error_std=np.sqrt(psi),
                re_std_start=float(np.sqrt(start)),
                tol=1e-13,
                maxiter=1 if method == FitMethod.ml else 1000,
            )
            model.predict(X=x, area=area, intercept=False)
            print(name, label, model.convergence, file=sys.stderr)
            for a in area:
                areas_rows.append([name, label, a, repr(float(model.area_est[a])),
                                   repr(float(model.area_mse[a]))])  # fmt: skip
            param_rows.append(
                [name, label, "sigma2_u", repr(float(np.squeeze(model.re_std**2))), ""]
            )
            names = ["(Intercept)", *(f"x{j + 1}" for j in range(z.shape[1]))]
            for n, b, se in zip(names, model.fixed_effects, model.fe_std, strict=True):
                param_rows.append([name, label, n, repr(float(b)), repr(float(se))])
    with open(HERE / "samplics.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["case", "method", "area", "eblup", "mse"])
        out.writerows(areas_rows)
    with open(HERE / "samplics-params.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["case", "method", "name", "value", "se"])
        out.writerows(param_rows)


if __name__ == "__main__":
    main()
