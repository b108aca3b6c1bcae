"""``surveyapp analyze`` on CSV files: numbers equal to R's, and one-line errors (exit 2)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp.cli.analyze import analyze

DATA = Path(__file__).resolve().parent / "data"
RESULTS = Path(__file__).resolve().parents[1] / "analysis" / "results"
QA = str(DATA / "ref_a.yaml")
QB = str(DATA / "ref_b.yaml")
RESP_A = RESULTS / "responses_A.csv"
RESP_B = RESULTS / "responses_B.csv"
MARG_A = RESULTS / "margins_A.csv"


def invoke(*args: str):
    return CliRunner().invoke(analyze, list(args), catch_exceptions=False)


def reference(case: str) -> dict[tuple[str, str, str], dict[str, str]]:
    with open(RESULTS / "reference.csv", newline="", encoding="utf-8") as fh:
        return {
            (r["grouping"], r["group"], r["quantity"]): r
            for r in csv.DictReader(fh)
            if r["case"] == case
        }


def close(a: float, b: str) -> bool:
    return math.isclose(a, float(b), rel_tol=1e-6, abs_tol=1e-9)


def check_numbers(doc: dict, ref: dict, grouping: str) -> None:
    def one(node: dict, key: str) -> None:
        idx = ref[(grouping if key != "all" else "all", key, "index")]
        assert close(node["index"]["estimate"], idx["estimate"])
        assert close(node["index"]["se"], idx["se"])
        assert close(node["index"]["ci"][0], idx["ci_low"])
        rate = ref[(grouping if key != "all" else "all", key, "satisfaction_rate")]
        assert close(node["satisfaction_rate"]["se"], rate["se"])
        if rate["ci_low"]:
            assert close(node["satisfaction_rate"]["ci"][0], rate["ci_low"])
            assert close(node["satisfaction_rate"]["ci"][1], rate["ci_high"])

    one(doc, "all")
    for d in doc["dimensions"]:
        r = ref[("all", "all", "dim_" + d["id"])]
        assert close(d["estimate"], r["estimate"]) and close(d["se"], r["se"])
    assert doc["groups"]
    for g in doc["groups"]:
        one(g, "|".join(g["by"].values()))


def test_raked_stratified_json_equals_r():
    res = invoke(
        "--questionnaire", QA, "--responses", str(RESP_A), "--margins", str(MARG_A),
        "--strata", "district", "--by", "district", "--format", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["weights"]["method"] == "raking" and doc["weights"]["converged"]
    assert doc["n_received"] == 800 and doc["n"] == 794
    assert doc["questionnaire"] == "ref-a" and doc["period"] == "2026Q3" and doc["goal"] == 80
    check_numbers(doc, reference("A_raked_strata"), "district")


def test_unweighted_tiny_district_json_equals_r():
    res = invoke(
        "--questionnaire", QB, "--responses", str(RESP_B), "--strata", "district",
        "--by", "district", "--format", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["weights"] == {"method": "none"} and doc["goal"] == 75
    check_numbers(doc, reference("B_unweighted_tiny"), "district")
    tiny = {g["by"]["district"]: g for g in doc["groups"]}
    assert tiny["孟连县"]["small_sample"] and tiny["孟连县"]["index"]["goal_status"] is None
    assert tiny["孟连县"]["index"]["se"] == 0
    assert tiny["墨江县"]["satisfaction_rate"]["df"] == 2
    assert not tiny["思茅区"]["small_sample"] and tiny["思茅区"]["index"]["goal_status"]


def test_goal_and_min_n_options():
    res = invoke("--questionnaire", QB, "--responses", str(RESP_B), "--goal", "50",
                 "--min-n", "200", "--format", "json")  # fmt: skip
    doc = json.loads(res.stdout)
    assert doc["goal"] == 50 and doc["small_sample"] and doc["index"]["goal_status"] is None


def test_table_output_is_readable():
    res = invoke("--questionnaire", QA, "--responses", str(RESP_A), "--margins", str(MARG_A),
                 "--strata", "district", "--by", "district")  # fmt: skip
    assert res.exit_code == 0
    out = res.stdout
    assert "满意度指数 index" in out and "district=思茅区" in out and "raking" in out
    lines = [ln for ln in out.splitlines() if ln.startswith("district=")]
    assert len(lines) == 5


def test_bom_and_gb18030(tmp_path):
    text = RESP_B.read_text(encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    gb = tmp_path / "gb.csv"
    gb.write_bytes(text.encode("gb18030"))
    a = invoke("--questionnaire", QB, "--responses", str(RESP_B), "--format", "json")
    b = invoke("--questionnaire", QB, "--responses", str(bom), "--format", "json")
    c = invoke("--questionnaire", QB, "--responses", str(gb), "--encoding", "gb18030",
               "--by", "district", "--format", "json")  # fmt: skip
    assert a.exit_code == b.exit_code == c.exit_code == 0
    assert json.loads(a.stdout)["index"] == json.loads(b.stdout)["index"]
    assert json.loads(c.stdout)["groups"][0]["by"]["district"] in {
        "思茅区",
        "宁洱县",
        "墨江县",
        "孟连县",
    }
    bad = invoke("--questionnaire", QB, "--responses", str(gb))
    assert bad.exit_code == 2 and "gb18030" in bad.stderr


def test_exclude_flagged(tmp_path):
    text = RESP_B.read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1]
    dup = first.replace("B001", "B999", 1)
    path = tmp_path / "r.csv"
    path.write_text("\n".join([header, *text[1:], dup]) + "\n", encoding="utf-8")
    kept = json.loads(
        invoke("--questionnaire", QB, "--responses", str(path), "--format", "json").stdout
    )
    assert kept["n"] == 151 and kept["quality"]["counts"]["duplicates"] == 1
    res = invoke(
        "--questionnaire", QB, "--responses", str(path), "--exclude-flagged", "--format", "json"
    )
    dropped = json.loads(res.stdout)
    assert dropped["n"] == 150 and dropped["n_received"] == 151 and dropped["quality"]["excluded"]


# --- bad input: exit 2, one line naming file, row and column ------------------------------


def edit(tmp_path: Path, src: Path, name: str, fn) -> str:
    lines = src.read_text(encoding="utf-8").splitlines()
    out = tmp_path / name
    out.write_text("\n".join(fn(lines)) + "\n", encoding="utf-8")
    return str(out)


def set_cell(lines: list[str], row: int, column: str, value: str) -> list[str]:
    header = lines[0].split(",")
    fields = lines[row].split(",")
    fields[header.index(column)] = value
    return [*lines[:row], ",".join(fields), *lines[row + 1 :]]


def drop_column(lines: list[str], column: str) -> list[str]:
    i = lines[0].split(",").index(column)
    return [",".join(f for j, f in enumerate(ln.split(",")) if j != i) for ln in lines]


BAD_RESPONSES = [
    ("missing item column", lambda ls: drop_column(ls, "q07"), ("row 1 (header)", "column q07")),
    ("score outside scale", lambda ls: set_cell(ls, 5, "q03", "11"), ("row 6", "column q03", "outside")),
    ("score not a number", lambda ls: set_cell(ls, 7, "overall", "good"), ("row 8", "column overall")),
    ("fractional score", lambda ls: set_cell(ls, 8, "q01", "3.5"), ("row 9", "column q01")),
    ("value outside options", lambda ls: set_cell(ls, 9, "district", "澜沧县"), ("row 10", "column district", "澜沧县")),
    ("required value empty", lambda ls: set_cell(ls, 10, "gender", ""), ("row 11", "column gender")),
    ("duplicate id", lambda ls: set_cell(ls, 12, "respondent_id", "B003"), ("row 13", "column respondent_id", "row 4")),
    ("empty id", lambda ls: set_cell(ls, 4, "respondent_id", ""), ("row 5", "column respondent_id")),
    ("short row", lambda ls: [*ls[:6], ls[6].rsplit(",", 1)[0], *ls[7:]], ("row 7",)),
    ("several periods", lambda ls: set_cell(ls, 3, "period", "2026Q4"), ("column period", "--period")),
    ("no data rows", lambda ls: ls[:1], ("row 2", "no data")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "fn", "expected"), BAD_RESPONSES, ids=[b[0] for b in BAD_RESPONSES]
)
def test_bad_responses(tmp_path, what, fn, expected):
    path = edit(tmp_path, RESP_B, "RESPONSES.csv", fn)
    res = invoke("--questionnaire", QB, "--responses", path, "--format", "json")
    assert res.exit_code == 2, (what, res.output)
    assert res.stdout == ""
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert path in err
    for part in expected:
        assert part in err, (what, err)


BAD_MARGINS = [
    ("data category not in margins", lambda ls: [ln for ln in ls if "镇沅县" not in ln],
     ("responses", "column district", "镇沅县")),
    ("margin category without respondents",
     lambda ls: [*ls[:-1], ls[-1].replace(",733530", ",733529"), "gender,其他,1"],
     ("margins", "column category", "其他")),
    ("zero population", lambda ls: [ls[0], ls[1].replace("367000", "0"), *ls[2:]],
     ("margins", "row 2", "column population")),
    ("negative population", lambda ls: [ls[0], ls[1].replace("367000", "-5"), *ls[2:]],
     ("margins", "row 2", "column population")),
    ("totals disagree", lambda ls: [*ls[:-1], ls[-1].replace(",733530", ",733531")],
     ("margins", "row 11", "column population", "1497001", "1497000")),
    ("not a number", lambda ls: [*ls[:3], ls[3].replace("360000", "many"), *ls[4:]],
     ("margins", "row 4", "column population")),
    ("unknown variable", lambda ls: [*ls, "income,high,1497000"], ("margins", "row 13", "column variable")),
    ("duplicate category", lambda ls: [*ls, ls[1]], ("margins", "row 13", "column category")),
    ("bad header", lambda ls: ["var,category,population", *ls[1:]], ("margins", "header", "column variable")),
]  # fmt: skip


@pytest.mark.parametrize(("what", "fn", "expected"), BAD_MARGINS, ids=[b[0] for b in BAD_MARGINS])
def test_bad_margins(tmp_path, what, fn, expected):
    responses = str(RESP_A)
    if what == "data category not in margins":
        path = edit(tmp_path, MARG_A, "MARGINS.csv", fn)
        # keep the totals consistent: move 镇沅县's population to 思茅区
        text = Path(path).read_text(encoding="utf-8").replace("367000", str(367000 + 210000))
        Path(path).write_text(text, encoding="utf-8")
    else:
        path = edit(tmp_path, MARG_A, "MARGINS.csv", fn)
    res = invoke("--questionnaire", QA, "--responses", responses, "--margins", path,
                 "--format", "json")  # fmt: skip
    assert res.exit_code == 2, (what, res.output)
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    file = responses if expected[0] == "responses" else path
    assert file in err, err
    for part in expected[1:]:
        assert part in err, (what, err)


def test_empty_file_and_missing_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    res = invoke("--questionnaire", QB, "--responses", str(empty))
    assert res.exit_code == 2 and str(empty) in res.stderr and "header" in res.stderr
    res = invoke("--questionnaire", QB, "--responses", str(tmp_path / "nope.csv"))
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    res = invoke("--questionnaire", str(tmp_path / "nope.yaml"), "--responses", str(RESP_B))
    assert res.exit_code == 2 and "nope.yaml" in res.stderr


def test_wrong_encoding_names_the_row(tmp_path):
    lines = RESP_B.read_text(encoding="utf-8").splitlines()
    raw = ("\n".join(lines[:4]) + "\n").encode("utf-8") + "\n".join(lines[4:]).encode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    res = invoke("--questionnaire", QB, "--responses", str(path))
    assert res.exit_code == 2 and "row 5" in res.stderr and str(path) in res.stderr


def test_unknown_columns_for_options():
    res = invoke("--questionnaire", QB, "--responses", str(RESP_B), "--strata", "county")
    assert res.exit_code == 2 and "column county" in res.stderr and "header" in res.stderr
    res = invoke("--questionnaire", QB, "--responses", str(RESP_B), "--by", "district,income")
    assert res.exit_code == 2 and "column income" in res.stderr
    res = invoke("--questionnaire", QB, "--responses", str(RESP_B), "--period", "2030Q1")
    assert res.exit_code == 2 and "2030Q1" in res.stderr


def test_bad_questionnaire(tmp_path):
    q = tmp_path / "q.yaml"
    q.write_text("id: x\n", encoding="utf-8")
    res = invoke("--questionnaire", str(q), "--responses", str(RESP_B))
    assert res.exit_code == 2 and str(q) in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_compare_to_reports_the_change(tmp_path):
    lines = RESP_B.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    later = []
    for ln in lines[1:]:
        f = ln.split(",")
        f[0] = f[0].replace("B", "C")
        f[header.index("period")] = "2026Q4"
        for c in ("q01", "q02", "q03", "q04", "q05", "q06"):  # quality improves
            i = header.index(c)
            if f[i]:
                f[i] = str(min(int(f[i]) + 2, 10))
        later.append(",".join(f))
    path = tmp_path / "two.csv"
    path.write_text("\n".join([lines[0], *lines[1:], *later]) + "\n", encoding="utf-8")
    res = invoke("--questionnaire", QB, "--responses", str(path), "--period", "2026Q4",
                 "--compare-to", "2026Q3", "--by", "district", "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ch = doc["change"]
    assert ch["period_before"] == "2026Q3" and ch["period_after"] == "2026Q4"
    assert ch["index"]["change"] > 0 and ch["index"]["significant"]
    assert (
        ch["dimensions"]["quality"]["significant"]
        and not ch["dimensions"]["service"]["significant"]
    )
    assert ch["dimensions"]["service"]["change"] == 0
    assert len(ch["groups"]) == 4
    table = invoke("--questionnaire", QB, "--responses", str(path), "--period", "2026Q4",
                   "--compare-to", "2026Q3")  # fmt: skip
    assert table.exit_code == 0 and "significant" in table.stdout
    res = invoke("--questionnaire", QB, "--responses", str(path), "--compare-to", "2026Q3")
    assert res.exit_code == 2 and "--period" in res.stderr


def test_the_table_writes_small_p_values_as_a_bound():
    """Issue 14: the one p-value rule (reports.fmt.p_value) in analyze's table too."""
    res = invoke("--questionnaire", QB, "--responses", str(RESP_B), "--by", "district")
    assert res.exit_code == 0
    assert "(p < 0.001)" in res.stdout and "(p = 0.002)" in res.stdout
    assert "e-" not in res.stdout and "p=" not in res.stdout


@pytest.mark.parametrize("rate_goal", [None, 5, 99])
def test_the_table_judges_the_rate_only_against_a_rate_goal(tmp_path, rate_goal):
    """The satisfaction rate's row carries its own verdict when the questionnaire sets
    a ``rate_goal`` (issue 14: each goal names its measure), and none otherwise."""
    text = Path(QA).read_text(encoding="utf-8")
    if rate_goal is not None:
        text = text.replace("\nscale:", f"\nrate_goal: {rate_goal}\nscale:", 1)
    q = tmp_path / "q.yaml"
    q.write_text(text, encoding="utf-8")
    table = invoke("--questionnaire", str(q), "--responses", str(RESP_A))
    doc = json.loads(
        invoke("--questionnaire", str(q), "--responses", str(RESP_A), "--format", "json").stdout
    )
    assert table.exit_code == 0, table.output
    (row,) = [ln for ln in table.stdout.splitlines() if ln.startswith("满意率 satisfaction rate %")]
    words = {"met": "达标 met", "not_met": "未达标 not met", "inconclusive": "待定 inconclusive"}
    if rate_goal is None:
        assert "goal_status" not in doc["satisfaction_rate"]
        assert not any(w in row for w in words.values())
    else:
        status = doc["satisfaction_rate"]["goal_status"]
        assert status == ("met" if rate_goal == 5 else "not_met")
        assert words[status] in row
