"""The ``surveyapp small-area`` command: Fay–Herriot EBLUPs from a CSV of areas.

    surveyapp small-area --areas AREAS.csv --estimate COL --variance COL
                         [--covariates C1,C2,...] [--method reml|ml|fh]
                         [--format json|table] [--out FILE]

The contract is ``small-area.md`` (the file, the methods, the MSE formulas and the
JSON); the estimation is :mod:`analysis.small_area`.  AREAS.csv is read by the one
CSV reader (:func:`surveyapp.csvtable.read_table`), so a problem is named the same
way as everywhere: file, row (the header is row 1) and column; the command then exits
2 with that one line.

Besides the contract's keys the JSON carries the model checks a statistician needs:
``coefficients`` (β with standard errors, z and p), ``warnings`` (σ²_u estimated at
zero), ``loglik``/``aic``/``bic``, and per area ``residual`` (θ̂_d − x_dᵀβ̃) and
``std_residual`` (over √(σ²_u + ψ_d)).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import click
import numpy as np

from analysis.small_area import METHODS, FayHerriotFit, Method, dependent_column, fit_fay_herriot
from reports.fmt import p_value
from surveyapp.analyze.render import _grid
from surveyapp.cli.base import fail, main
from surveyapp.csvtable import InputError, Table, read_table

__all__ = ["AreasFile", "read_areas", "small_area", "to_dict"]

AREA = "area"
INTERCEPT = "(Intercept)"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

#: The warning when σ²_u is estimated at zero (JSON ``warnings``, the table's foot).
AT_ZERO = (
    "sigma2_u is estimated at 0: every area gets the synthetic estimate x'beta (gamma = 0); "
    "the covariates explain all between-area variation, or the model does not fit"
)


@dataclass(frozen=True)
class AreasFile:
    """AREAS.csv read and checked: one entry per area, in file order."""

    path: str
    areas: tuple[str, ...]
    rows: tuple[int, ...]
    direct: np.ndarray
    variance: np.ndarray
    covariates: np.ndarray  # m × k
    covariate_names: tuple[str, ...]


def _numbers(table: Table, column: str) -> np.ndarray:
    """A column of finite numbers, or the first bad cell as an InputError."""
    out = np.empty(table.n)
    for i, text in enumerate(table.text(column)):
        cell = text.strip()
        if not cell:
            raise InputError(
                table.name, int(table.rows[i]), column, "empty cell: a number is needed"
            )
        if not _NUMBER.fullmatch(cell):
            raise InputError(table.name, int(table.rows[i]), column, f"{cell!r} is not a number")
        out[i] = float(cell)
        if not math.isfinite(out[i]):
            raise InputError(table.name, int(table.rows[i]), column, f"{cell!r} is out of range")
    return out


def read_areas(
    path: str, *, estimate: str, variance: str, covariates: tuple[str, ...] = ()
) -> AreasFile:
    """Read AREAS.csv (UTF-8, a BOM allowed) for the Fay–Herriot model.

    Raises
    ------
    InputError
        Naming file, row and column: a missing column, a covariate named twice or
        naming the area, estimate or variance column, an empty or duplicate area, an
        empty cell or a non-number, a variance ≤ 0, fewer areas than parameters + 1, a
        covariate that is a linear combination of the intercept and the covariates
        before it (the design matrix must have full column rank).
    """
    table = read_table(path)
    file = table.name
    for column in (AREA, estimate, variance, *covariates):
        if column not in table.header:
            raise InputError(
                file,
                "header",
                column,
                f"no such column (the header has: {', '.join(table.header)})",
            )
    seen: set[str] = set()
    for name in covariates:
        if name in seen or name in (AREA, estimate, variance):
            raise InputError(
                file, "header", name, "named twice (--covariates, --estimate, --variance)"
            )
        seen.add(name)
    areas = [str(a).strip() for a in table.text(AREA)]
    first: dict[str, int] = {}
    for i, area in enumerate(areas):
        row = int(table.rows[i])
        if not area:
            raise InputError(file, row, AREA, "empty area name")
        if area in first:
            raise InputError(file, row, AREA, f"area {area!r} appears twice (first on row {first[area]})")  # fmt: skip
        first[area] = row
    direct = _numbers(table, estimate)
    psi = _numbers(table, variance)
    bad = np.flatnonzero(psi <= 0)
    if bad.size:
        raise InputError(
            file,
            int(table.rows[bad[0]]),
            variance,
            f"a sampling variance must be > 0, got {psi[bad[0]]:g}",
        )
    z = np.column_stack([_numbers(table, c) for c in covariates]) if covariates else np.empty((table.n, 0))  # fmt: skip
    p = len(covariates) + 1
    if table.n < p + 1:
        last: int | str = int(table.rows[-1]) if table.n else "header"
        raise InputError(
            file,
            last,
            AREA,
            f"{table.n} area(s) for {p} parameters (the intercept and {p - 1} covariates): "
            f"at least {p + 1} areas are needed",
        )
    j = dependent_column(np.hstack([np.ones((table.n, 1)), z]))
    if j is not None:
        before = ", ".join([INTERCEPT, *covariates[: j - 1]])
        raise InputError(
            file,
            f"rows {int(table.rows[0])}-{int(table.rows[-1])}",
            covariates[j - 1],
            f"a linear combination of {before}: the covariates need full column rank",
        )
    return AreasFile(
        path=file,
        areas=tuple(areas),
        rows=tuple(int(r) for r in table.rows),
        direct=direct,
        variance=psi,
        covariates=z,
        covariate_names=tuple(covariates),
    )


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def to_dict(fit: FayHerriotFit, data: AreasFile) -> dict[str, Any]:
    """The spec's JSON document, with the model checks as extra keys."""
    names = [INTERCEPT, *data.covariate_names]
    low, high = fit.ci
    return {
        "method": fit.method,
        "converged": fit.converged,
        "sigma2_u": fit.sigma2_u,
        "beta": {n: float(b) for n, b in zip(names, fit.beta, strict=True)},
        "areas": [
            {
                "area": data.areas[d],
                "direct": float(fit.direct[d]),
                "direct_variance": float(fit.variance[d]),
                "gamma": float(fit.gamma[d]),
                "synthetic": float(fit.synthetic[d]),
                "eblup": float(fit.eblup[d]),
                "mse": float(fit.mse[d]),
                "rmse": _num(fit.rmse[d]),
                "ci_low": _num(low[d]),
                "ci_high": _num(high[d]),
                "residual": float(fit.residual[d]),
                "std_residual": float(fit.std_residual[d]),
            }
            for d in range(fit.m)
        ],
        "coefficients": [
            {"name": n, "estimate": float(b), "se": float(se), "z": float(z), "p_value": float(p)}
            for n, b, se, z, p in zip(
                names, fit.beta, fit.beta_se, fit.beta_z, fit.beta_p, strict=True
            )
        ],
        "m": fit.m,
        "p": fit.p,
        "loglik": fit.loglik,
        "aic": fit.aic,
        "bic": fit.bic,
        "warnings": _warnings(fit),
    }


def _warnings(fit: FayHerriotFit) -> list[str]:
    out = [AT_ZERO] if fit.at_zero else []
    if not fit.converged:
        out.append("the estimate of sigma2_u did not converge")
    negative = [d for d in range(fit.m) if not fit.mse[d] > 0]
    if negative:
        out.append(
            f"{len(negative)} area(s) have a negative MSE estimate (the {fit.method.upper()} "
            "bias correction): no interval is given for them"
        )
    return out


def _f(x: float, digits: int = 4) -> str:
    return "—" if not math.isfinite(x) else f"{x:.{digits}f}"


def render_table(fit: FayHerriotFit, data: AreasFile) -> str:
    """The model, its checks and one line per area, for people."""
    names = [INTERCEPT, *data.covariate_names]
    lines = [
        f"Fay–Herriot 小区域估计 small-area estimates ({fit.method.upper()}): "
        f"{fit.m} areas, {fit.p} coefficients",
        f"σ²_u = {fit.sigma2_u:.6g}   converged: {'yes' if fit.converged else 'NO'}   "
        f"log-likelihood {fit.loglik:.4f}   AIC {fit.aic:.2f}   BIC {fit.bic:.2f}",
        "",
    ]
    coef_rows = [
        [n, f"{b:.6g}", f"{se:.4g}", f"{z:.2f}", p_value(float(p))]
        for n, b, se, z, p in zip(names, fit.beta, fit.beta_se, fit.beta_z, fit.beta_p, strict=True)
    ]
    lines += _grid(["系数 coefficient", "β", "SE", "z", "p"], coef_rows, [False, *[True] * 4])
    lines.append("")
    low, high = fit.ci
    area_rows = [
        [
            data.areas[d],
            _f(fit.direct[d]),
            _f(math.sqrt(fit.variance[d])),
            _f(fit.gamma[d], 3),
            _f(fit.synthetic[d]),
            _f(fit.eblup[d]),
            _f(fit.rmse[d]),
            f"{_f(low[d])}–{_f(high[d])}",
            _f(fit.std_residual[d], 2) + (" !" if abs(fit.std_residual[d]) > 2 else "  "),
        ]
        for d in range(fit.m)
    ]
    head = ["地区 area", "直接 direct", "SE", "γ", "合成 synthetic", "EBLUP", "RMSE", "95% CI", "std. resid."]  # fmt: skip
    lines += _grid(head, area_rows, [False, *[True] * 8])
    outlying = int(np.sum(np.abs(fit.std_residual) > 2))
    lines.append(
        f"! |std. resid.| > 2 in {outlying} of {fit.m} areas: far from what the model predicts "
        f"(about {0.0455 * fit.m:.1f} expected by chance); std. resid. = (direct − synthetic) / √(σ²_u + ψ)"
    )
    for text in _warnings(fit):
        lines.append("")
        lines.append(f"注意 warning: {text}")
    return "\n".join(lines)


@main.command("small-area")
@click.option("--areas", "areas_path", required=True, metavar="AREAS.csv", help="One row an area, with a column 'area'.")  # fmt: skip
@click.option("--estimate", required=True, metavar="COL", help="The direct estimates' column.")
@click.option("--variance", required=True, metavar="COL", help="Their sampling variances (> 0).")
@click.option("--covariates", default="", metavar="C1,C2,...", help="Auxiliary columns (an intercept is always added).")  # fmt: skip
@click.option("--method", type=click.Choice(METHODS, case_sensitive=False), default="reml", show_default=True, help="How σ²_u is estimated.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of the terminal.")  # fmt: skip
def small_area(
    areas_path: str,
    estimate: str,
    variance: str,
    covariates: str,
    method: Method,
    fmt: str,
    out: str | None,
) -> None:
    """小区域估计 Small-area estimates: the Fay–Herriot EBLUP of every area with its MSE."""
    names = tuple(c.strip() for c in covariates.split(",") if c.strip())
    try:
        data = read_areas(areas_path, estimate=estimate, variance=variance, covariates=names)
    except InputError as exc:
        if exc.message.startswith("not valid UTF-8"):  # the reader's hint names --encoding
            exc = InputError(
                exc.file, exc.row, exc.column, "not valid UTF-8 text: save it as UTF-8"
            )
        fail(str(exc))
    try:
        fit = fit_fay_herriot(data.direct, data.variance, data.covariates, method=method)
    except ValueError as exc:  # read_areas checked what the model needs; a last guard
        fail(f"{data.path}: {exc}")
    if fmt == "json":
        text = json.dumps(to_dict(fit, data), ensure_ascii=False, indent=2, allow_nan=False)
    else:
        text = render_table(fit, data)
    if out is None:
        click.echo(text)
        return
    try:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    except OSError as exc:
        fail(f"{out}: cannot write the file: {exc.strerror or exc}")
