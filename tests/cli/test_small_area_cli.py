"""``surveyapp small-area`` (spec small-area.md): the JSON, the table, and bad input exits 2."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.small_area import fit_fay_herriot
from surveyapp.cli import main

MILK = Path(__file__).resolve().parents[1] / "analysis" / "results" / "small_area" / "fh-milk"
MILK_ARGS = ["--estimate", "estimate", "--variance", "variance", "--covariates", "major2,major3,major4"]  # fmt: skip
AREA_KEYS = ["area", "direct", "direct_variance", "gamma", "synthetic", "eblup", "mse", "rmse", "ci_low", "ci_high"]  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(main, ["small-area", *args])


def expected(method: str) -> tuple[dict[str, float], list[dict[str, str]]]:
    with open(MILK / "expected-params.csv", newline="", encoding="utf-8") as fh:
        params = {r["name"]: float(r["value"]) for r in csv.DictReader(fh) if r["method"] == method}
    with open(MILK / "expected.csv", newline="", encoding="utf-8") as fh:
        areas = [r for r in csv.DictReader(fh) if r["method"] == method]
    return params, areas


@pytest.mark.parametrize("method", ["reml", "ml", "fh"])
def test_json_on_the_milk_data_is_r_sae_s_result(method):
    result = run("--areas", str(MILK / "areas.csv"), *MILK_ARGS, "--method", method, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    params, areas = expected(method.upper())
    assert list(doc)[:5] == ["method", "converged", "sigma2_u", "beta", "areas"]
    assert doc["method"] == method and doc["converged"] is True
    assert doc["sigma2_u"] == pytest.approx(params["sigma2_u"], rel=1e-9)
    assert list(doc["beta"]) == ["(Intercept)", "major2", "major3", "major4"]
    for name, value in doc["beta"].items():
        assert value == pytest.approx(params[name], rel=1e-9)
    assert [a["area"] for a in doc["areas"]] == [r["area"] for r in areas]  # file order
    for got, want in zip(doc["areas"], areas, strict=True):
        assert list(got)[: len(AREA_KEYS)] == AREA_KEYS
        assert got["eblup"] == pytest.approx(float(want["eblup"]), rel=1e-9)
        assert got["mse"] == pytest.approx(float(want["mse"]), rel=1e-9)
        assert got["rmse"] == pytest.approx(math.sqrt(got["mse"]), rel=1e-15)
        assert got["ci_low"] == pytest.approx(got["eblup"] - 1.959964 * got["rmse"], rel=1e-14)
        assert got["ci_high"] == pytest.approx(got["eblup"] + 1.959964 * got["rmse"], rel=1e-14)
        assert got["gamma"] == pytest.approx(
            doc["sigma2_u"] / (doc["sigma2_u"] + got["direct_variance"]), rel=1e-14
        )
        assert got["eblup"] == pytest.approx(
            got["gamma"] * got["direct"] + (1 - got["gamma"]) * got["synthetic"], rel=1e-14
        )
        assert got["residual"] == pytest.approx(got["direct"] - got["synthetic"], abs=1e-15)
    coefficients = {c["name"]: c for c in doc["coefficients"]}
    assert coefficients["major4"]["estimate"] == doc["beta"]["major4"]
    assert coefficients["major4"]["se"] > 0 and 0 < coefficients["major4"]["p_value"] < 1
    assert doc["warnings"] == [] and doc["m"] == 43 and doc["p"] == 4


@pytest.mark.parametrize("method", ["reml", "ml", "fh"])
def test_json_on_a_seeded_case_is_samplics_result(method):
    """End to end through the CSV reader: case e (50 areas, 3 covariates) as samplics
    computed it (tests/analysis/results/small_area/make_samplics.py)."""
    folder = MILK.parent
    result = run("--areas", str(folder / "case_e.csv"), "--estimate", "estimate", "--variance", "variance", "--covariates", "x1,x2,x3", "--method", method, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    with open(folder / "samplics.csv", newline="", encoding="utf-8") as fh:
        ref = [r for r in csv.DictReader(fh) if (r["case"], r["method"]) == ("e", method.upper())]
    assert [a["area"] for a in doc["areas"]] == [r["area"] for r in ref]
    np.testing.assert_allclose([a["eblup"] for a in doc["areas"]], [float(r["eblup"]) for r in ref], rtol=1e-9)  # fmt: skip
    np.testing.assert_allclose([a["mse"] for a in doc["areas"]], [float(r["mse"]) for r in ref], rtol=1e-9)  # fmt: skip


def test_table_shows_the_model_checks_and_every_area(tmp_path):
    result = run("--areas", str(MILK / "areas.csv"), *MILK_ARGS)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "σ²_u = 0.0185503" in text and "(REML)" in text
    for name in ("(Intercept)", "major2", "major3", "major4"):
        assert name in text
    assert "p < 0.001" in text  # the intercept, in the platform's p-value wording
    a4 = next(line for line in text.splitlines() if line.startswith("A4 "))
    assert "0.7608" in a4 and "-1.95" in a4  # eblup and standardised residual
    a11 = next(line for line in text.splitlines() if line.startswith("A11 "))
    assert a11.endswith("-2.88 !") and not a4.endswith("!")  # |std. resid.| > 2 is marked
    outlying = sum(line.rstrip().endswith("!") for line in text.splitlines())
    assert f"! |std. resid.| > 2 in {outlying} of 43 areas" in text
    assert "warning" not in text


def test_out_writes_the_file_and_nothing_else(tmp_path):
    out = tmp_path / "fh.json"
    result = run("--areas", str(MILK / "areas.csv"), *MILK_ARGS, "--format", "json", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8"))["method"] == "reml"


def write(tmp_path: Path, text: str, bom: bool = False) -> Path:
    path = tmp_path / "areas.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_bom_chinese_names_and_the_intercept_only_model(tmp_path):
    rows = [("思茅区", 78.1, 4.0), ("宁洱县", 81.5, 30.0), ("墨江县", 70.2, 60.0), ("景东县", 84.0, 9.0), ("澜沧县", 65.0, 90.0)]  # fmt: skip
    path = write(tmp_path, "area,index,var\n" + "".join(f"{a},{y},{v}\n" for a, y, v in rows), bom=True)  # fmt: skip
    result = run("--areas", str(path), "--estimate", "index", "--variance", "var", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    fit = fit_fay_herriot([r[1] for r in rows], [r[2] for r in rows])
    assert [a["area"] for a in doc["areas"]] == [r[0] for r in rows]
    assert list(doc["beta"]) == ["(Intercept)"]
    np.testing.assert_allclose([a["eblup"] for a in doc["areas"]], fit.eblup, rtol=1e-15)
    table = run("--areas", str(path), "--estimate", "index", "--variance", "var")
    assert table.exit_code == 0 and "思茅区" in table.output


def test_variance_estimated_at_zero_is_a_warning(tmp_path):
    lines = [f"D{d},{60 + 2 * d + 0.01 * (-1) ** d},{25 + d},{d}\n" for d in range(12)]
    path = write(tmp_path, "area,y,v,x\n" + "".join(lines))
    args = ["--areas", str(path), "--estimate", "y", "--variance", "v", "--covariates", "x"]
    doc = json.loads(run(*args, "--format", "json").output)
    assert doc["sigma2_u"] == 0.0
    assert len(doc["warnings"]) == 1 and "synthetic" in doc["warnings"][0]
    assert all(a["eblup"] == a["synthetic"] and a["gamma"] == 0 for a in doc["areas"])
    assert "warning: sigma2_u is estimated at 0" in run(*args).output


GOOD = "area,y,v,x\nA,1.5,0.2,1\nB,2.5,0.3,2\nC,2.0,0.1,4\nD,3.5,0.4,3\nE,3.0,0.2,5\n"


@pytest.mark.parametrize(
    ("text", "args", "where"),
    [
        (GOOD, ["--estimate", "yy"], "row 1 (header), column yy: no such column"),
        (GOOD.replace("area,", "name,"), [], "row 1 (header), column area: no such column"),
        (GOOD, ["--covariates", "x,z"], "row 1 (header), column z: no such column"),
        (GOOD, ["--covariates", "x,x"], "row 1 (header), column x: named twice"),
        (GOOD.replace("2.0,0.1", "2.0,abc"), [], "row 4, column v: 'abc' is not a number"),
        (GOOD.replace("C,2.0", "C,"), [], "row 4, column y: empty cell"),
        (GOOD.replace("C,2.0", "C,nan"), [], "row 4, column y: 'nan' is not a number"),
        (GOOD.replace("C,2.0", "C,1e999"), [], "row 4, column y: '1e999' is out of range"),
        (GOOD.replace("0.4,3", "0,3"), [], "row 5, column v: a sampling variance must be > 0"),
        (GOOD.replace("0.4,3", "-0.4,3"), [], "row 5, column v: a sampling variance must be > 0"),
        (
            GOOD.replace("D,", "B,"),
            [],
            "row 5, column area: area 'B' appears twice (first on row 3)",
        ),  # fmt: skip
        (GOOD.replace("D,", " ,"), [], "row 5, column area: empty area name"),
        (GOOD.replace("B,2.5,0.3,2\n", "B,2.5,0.3,2,9\n"), [], "row 3: 5 fields"),
        (
            "area,y,v,x\nA,1,0.2,1\nB,2,0.3,2\n",
            [],
            "row 3, column area: 2 area(s) for 2 parameters",
        ),  # fmt: skip
        ("area,y,v,x\n", [], "row 1 (header), column area: 0 area(s)"),
        (
            GOOD.replace(",1\n", ",7\n")
            .replace(",2\n", ",7\n")
            .replace(",4\n", ",7\n")
            .replace(",3\n", ",7\n")
            .replace(",5\n", ",7\n"),
            [],
            "rows 2-6, column x: a linear combination of (Intercept)",
        ),  # fmt: skip
    ],
)
def test_bad_input_exits_2_with_one_line_naming_file_row_and_column(tmp_path, text, args, where):
    path = write(tmp_path, text)
    base = {"--estimate": "y", "--variance": "v", "--covariates": "x"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = run("--areas", str(path), *[x for kv in base.items() for x in kv])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"error: {path}, ")
    assert where in lines[0]


def test_a_file_not_in_utf8_exits_2_naming_the_row(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(("area,y,v\nA,1,0.2\n思茅区,2,0.3\n").encode("gb18030"))
    result = run("--areas", str(path), "--estimate", "y", "--variance", "v")
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {path}, row 3: not valid UTF-8 text: save it as UTF-8"  # fmt: skip


def test_missing_file_and_unwritable_out_exit_2(tmp_path):
    result = run("--areas", str(tmp_path / "none.csv"), "--estimate", "y", "--variance", "v")
    assert result.exit_code == 2 and "none.csv: cannot read the file" in result.output
    path = write(tmp_path, GOOD)
    out = tmp_path / "no-such-dir" / "out.json"
    result = run("--areas", str(path), "--estimate", "y", "--variance", "v", "--out", str(out))
    assert result.exit_code == 2 and "cannot write the file" in result.output
    assert len(result.output.strip().splitlines()) == 1
