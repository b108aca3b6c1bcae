"""The responses CSV layout read column-wise: errors by row and column, one encoding of
the category columns (:class:`analysis.Categorical`, as a stored round's), and the same
analysis as the same data given as plain text columns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis import Categorical, ResponseMatrix, run
from surveyapp.analyze import render
from surveyapp.csvtable import InputError
from surveyapp.indices.margins_file import MarginsInvalid, read_margins
from surveyapp.questionnaire import load_questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.csv_layout import ID_COLUMN, layout, read_responses

TESTS = Path(__file__).resolve().parents[1]
QB = load_questionnaire(str(TESTS / "analyze" / "data" / "ref_b.yaml"))
RESP_B = TESTS / "analysis" / "results" / "responses_B.csv"
MARG_A = TESTS / "analysis" / "results" / "margins_A.csv"
LINES = RESP_B.read_text(encoding="utf-8").splitlines()
HEADER = LINES[0].split(",")


def with_cells(*changes: tuple[int, str, str]) -> bytes:
    """RESPONSES_B with (line index, column, new text) changes: line index ``i`` is the
    spreadsheet row ``i + 1`` (the header is row 1)."""
    lines = [line.split(",") for line in LINES]
    for row, column, text in changes:
        lines[row][HEADER.index(column)] = text
    return ("\n".join(",".join(f) for f in lines) + "\n").encode()


def error_of(raw: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        read_responses(raw, QB, name="R.csv")
    return caught.value


def test_a_bad_score_is_named_by_row_and_column():
    err = error_of(with_cells((9, "q04", "x")))
    assert (err.row, err.column) == (10, "q04")
    assert str(err) == "R.csv, row 10, column q04: 'x' is not a score (an integer 1-10, or empty)"
    assert (
        error_of(with_cells((3, "overall", "11"))).message == "score 11 is outside the scale 1-10"
    )
    assert error_of(with_cells((3, "q01", " 2.5"))).message == "' 2.5' is not an integer score"
    assert error_of(with_cells((3, "q01", "inf"))).message == "'inf' is not an integer score"


def test_the_earliest_bad_cell_is_reported_first():
    # a later column on an earlier row wins over an earlier column on a later row
    err = error_of(with_cells((20, "q01", "0"), (7, "q12", "x"), (7, "district", "上海")))
    assert (err.row, err.column) == (8, "q12")
    err = error_of(with_cells((20, "q01", "0"), (12, "gender", "")))
    assert (err.row, err.column) == (13, "gender") and err.message == "gender is required"
    err = error_of(with_cells((5, "district", "上海"), (6, "q01", "0")))
    assert str(err) == "R.csv, row 6, column district: '上海' is not an option of district"


def test_a_repeated_or_empty_respondent_id_names_both_rows():
    err = error_of(with_cells((12, ID_COLUMN, " B003 "), (30, ID_COLUMN, "B003")))
    assert str(err) == "R.csv, row 13, column respondent_id: respondent id 'B003' already on row 4"
    err = error_of(with_cells((30, ID_COLUMN, "B003"), (8, ID_COLUMN, "  ")))
    assert str(err) == "R.csv, row 9, column respondent_id: empty respondent id"


def test_rows_count_blank_lines_and_quoted_line_breaks():
    raw = (
        LINES[0] + ",note\n"
        + LINES[1] + ',"two\nlines"\n\n'
        + LINES[2] + ",\n"
        + LINES[3].replace(",6,", ",66,", 1) + ",\n"
    ).encode()  # fmt: skip
    err = error_of(raw)
    assert err.row == 5 and err.message.startswith("score 66")
    good = read_responses(raw.replace(b",66,", b",6,"), QB)
    assert good.rows.tolist() == [2, 4, 5]
    assert good.matrix.values("note").tolist() == ["two\nlines", "", ""]


def test_category_columns_are_coded_as_a_stored_round_codes_them():
    parsed = read_responses(RESP_B, QB)
    m = parsed.matrix
    assert list(m.columns) == ["district", "age_group", "gender", "period"]
    assert all(isinstance(c, Categorical) for c in m.columns.values())
    assert m.columns["district"].levels == ("思茅区", "宁洱县", "墨江县", "孟连县")
    assert m.columns["period"].levels == ("2026Q3",)
    assert m.values("district")[0] == "思茅区" and m.n == 150
    assert parsed.rows.tolist() == list(range(2, 152))
    roles = layout(parsed.header, QB)
    assert roles.respondent == ("district", "age_group", "gender") and roles.extra == ("period",)
    assert roles.missing == () and not roles.duration


def test_analysis_is_the_same_as_on_plain_text_columns():
    """The CSV matrix (Categorical columns) and the same data as object arrays of text
    (the former reader's encoding) give the same analysis, to the last digit."""
    m = read_responses(RESP_B, QB).matrix
    plain = ResponseMatrix(
        respondent_ids=m.respondent_ids,
        scores=m.scores,
        overall=m.overall,
        columns={name: m.values(name) for name in m.columns},
        durations=m.durations,
        levels=m.levels,
    )
    spec = scoring_spec(QB)
    options = {"strata": "district", "by": [["district"], ["age_group", "gender"]]}
    ours, theirs = run(m, spec, **options), run(plain, spec, **options)
    assert json.loads(render(ours, "json")) == json.loads(render(theirs, "json"))


def test_bytes_and_path_read_the_same(tmp_path):
    raw = "\ufeff".encode() + RESP_B.read_bytes()
    path = tmp_path / "R.csv"
    path.write_bytes(raw)
    a, b = read_responses(path, QB), read_responses(raw, QB, name=str(path))
    assert a.path == b.path == str(path) and a.header == b.header
    assert np.array_equal(a.matrix.scores, b.matrix.scores, equal_nan=True)
    assert (a.matrix.respondent_ids == b.matrix.respondent_ids).all()
    assert (a.rows == b.rows).all()
    gb = read_responses(RESP_B.read_text("utf-8").encode("gb18030"), QB, encoding="gb18030")
    assert (gb.matrix.values("district") == a.matrix.values("district")).all()
    ma, mb = read_margins(MARG_A), read_margins(MARG_A.read_bytes(), name="upload.csv")
    assert ma.margins.totals == mb.margins.totals and ma.rows == mb.rows
    assert ma.path == str(MARG_A) and mb.path == "upload.csv"


def test_margins_errors_name_the_upload():
    with pytest.raises(InputError) as caught:
        read_margins(b"variable,category,population\ndistrict,A,0\n", name="m.csv")
    assert str(caught.value) == (
        "m.csv, row 2, column population: the population must be positive, not 0"
    )


def test_every_margins_problem_is_listed_in_file_order():
    raw = (
        b"variable,category,population\n"
        b"district,A,many\n"  # row 2
        b"district,B,10\n"
        b",C,5\n"  # row 4
        b"district,B,3\n"  # row 5: B again
    )
    with pytest.raises(MarginsInvalid) as caught:
        read_margins(raw, name="m.csv")
    where = [(p.row, p.column) for p in caught.value.problems]
    assert where == [(2, "population"), (4, "variable"), (5, "category")]
    assert (
        str(caught.value)
        == "m.csv, row 2, column population: 'many' is not a number (and 2 more problems)"
    )
