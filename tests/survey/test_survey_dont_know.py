""" "不了解/不适用" is stored as its own code, kept apart from "not answered" where an
export format can say so (SPSS, XLSX), and missing everywhere the numbers are made."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.responses.codec import (
    DONT_KNOW,
    MISSING,
    decode_many,
    dont_know_items,
    pack_answers,
    unpack_answers,
)
from surveyapp.responses.exporter import export_csv, export_page
from surveyapp.responses.formats import XlsxStream, codebook, export_sav
from surveyapp.responses.validate import InvalidSubmission, validate_submission
from surveyapp.rounds.service import get_round

DK_ITEM, EMPTY_ITEM = "hyg_fresh", "hyg_kitchen"


def test_codec_keeps_dont_know_apart_and_decodes_it_as_missing():
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    answers = {aid: 4 for aid in q.answer_ids} | {DK_ITEM: None, EMPTY_ITEM: None}
    blob = pack_answers(q, answers, dont_know={DK_ITEM})
    index = q.answer_ids.index
    assert blob[index(DK_ITEM)] == DONT_KNOW == 254
    assert blob[index(EMPTY_ITEM)] == MISSING == 255
    assert dont_know_items(q, blob) == {DK_ITEM}
    assert unpack_answers(q, blob) == answers  # both None to readers of scores
    plain = pack_answers(q, answers)  # the same answers, "don't know" not said
    matrix = decode_many([blob, plain], len(q.answer_ids))
    np.testing.assert_array_equal(matrix[0], matrix[1])  # the analysis sees no difference
    assert np.isnan(matrix[0, index(DK_ITEM)])


def test_dont_know_only_for_optional_items_without_a_score():
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    base = {
        "respondent": {"district": "思茅区", "age_group": "60+", "gender": "女"},
        "answers": {aid: 3 for aid in q.answer_ids} | {DK_ITEM: None},
    }
    clean = validate_submission(q, base, dont_know=[DK_ITEM])
    assert clean.dont_know == {DK_ITEM} and clean.answers[DK_ITEM] is None
    with pytest.raises(InvalidSubmission) as required:
        validate_submission(q, base, dont_know=[q.overall.id])  # required: no "don't know"
    assert set(required.value.fields) == {f"answers.{q.overall.id}"}
    with pytest.raises(InvalidSubmission):
        validate_submission(q, base, dont_know=["no_such_item"])


@pytest.fixture
def answered(app, make_round, survey):
    """A catering round with one web response: DK_ITEM "don't know", EMPTY_ITEM skipped."""
    code = make_round("catering")
    s = survey(code)
    s.open()

    def choose(name, options):
        if name == f"a_{DK_ITEM}":
            assert options[-1] == "na"
            return "na"
        return "" if name == f"a_{EMPTY_ITEM}" else options[0]

    s.walk(choose)
    assert s.response.status_code == 303
    return code


def _round(code):
    round_ = get_round(db.session, code)
    return round_, questionnaire_of(round_.questionnaire_version)


def test_web_answer_dont_know_is_stored_as_its_own_code(app, answered, stored):
    [row] = stored(answered)
    with app.app_context():
        _, q = _round(answered)
    assert row.answers[q.answer_ids.index(DK_ITEM)] == DONT_KNOW


def test_csv_and_api_leave_dont_know_empty_as_the_contract_says(app, answered):
    with app.app_context():
        round_, q = _round(answered)
        text = "".join(export_csv(db.session, round_)).lstrip("\ufeff")
        page = export_page(db.session, round_)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row[DK_ITEM] == "" and row[EMPTY_ITEM] == ""
    [api_row] = page.rows
    assert api_row[page.columns.index(DK_ITEM)] == api_row[page.columns.index(EMPTY_ITEM)]


def test_xlsx_says_dont_know_and_its_codebook_names_it(app, answered, tmp_path):
    with app.app_context():
        round_, q = _round(answered)
        data = b"".join(XlsxStream(db.session, round_, "zh"))
    sheet = pd.read_excel(io.BytesIO(data), sheet_name="responses")
    book = pd.read_excel(io.BytesIO(data), sheet_name="codebook")
    assert sheet.loc[0, DK_ITEM] == "不了解/不适用"
    assert pd.isna(sheet.loc[0, EMPTY_ITEM])
    values = book.loc[book["column"] == DK_ITEM, "values"].item()
    assert (
        "5 = 非常满意" in values and "不了解/不适用 = 不计分" in values and "空 = 未回答" in values
    )
    overall = [v for c, _, v in codebook(q, "zh") if c == q.overall.id][0]
    assert "不了解" not in overall  # required: never "don't know"


def test_sav_has_dont_know_as_a_labelled_user_missing_value(app, answered, tmp_path):
    path = tmp_path / "r.sav"
    with app.app_context():
        round_, q = _round(answered)
        export_sav(db.session, round_, path, "zh")
    frame, meta = pyreadstat.read_sav(str(path))
    assert pd.isna(frame.loc[0, DK_ITEM]) and pd.isna(frame.loc[0, EMPTY_ITEM])  # missing
    raw, raw_meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert raw.loc[0, DK_ITEM] == 254.0 and raw.loc[0, EMPTY_ITEM] == 255.0
    assert raw_meta.variable_value_labels[DK_ITEM][254.0] == "不了解/不适用"
    assert raw_meta.variable_value_labels[DK_ITEM][255.0] == "未回答"
    assert {"lo": 254.0, "hi": 254.0} in raw_meta.missing_ranges[DK_ITEM]
