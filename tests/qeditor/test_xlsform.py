"""XLSForm → questionnaire YAML: what maps, what is reported, what is refused.

Workbooks are built with openpyxl in memory (tests/qeditor/xlsforms.py); every
converted text is checked by the real loader, so "converted" means "valid".
"""

from __future__ import annotations

import pytest
import yaml

from surveyapp.questionnaire.loader import parse_questionnaire
from surveyapp.questionnaire.xlsform import XLSFormError, convert_xlsform
from tests.qeditor.xlsforms import GENDER, RATING, SETTINGS, SURVEY, xlsform_bytes


def _convert(**kwargs):
    sector = kwargs.pop("sector", None)
    source = kwargs.pop("source", "kobo.xlsx")
    return convert_xlsform(xlsform_bytes(**kwargs), source=source, sector=sector)


def test_round_trip_items_choices_and_labels_match():
    result = _convert()
    q = parse_questionnaire(result.yaml, "converted.yaml")

    assert (q.id, q.version, q.sector) == ("kobo_catering", 2, "catering")
    assert q.title.zh == "餐饮服务满意度调查"
    # groups → dimensions, in sheet order, with their bilingual titles
    assert [d.id for d in q.dimensions] == ["hygiene", "service"]
    assert [(d.title.zh, d.title.en) for d in q.dimensions] == [
        ("食品卫生", "Hygiene"),
        ("服务", "Service"),
    ]
    # rating select_one → items with both texts and the spreadsheet's "required"
    assert [(i.id, i.text.zh, i.text.en, i.required) for i in q.items] == [
        ("hyg_clean", "餐馆干净整洁", "Restaurants are clean", True),
        ("hyg_safe", "食品安全放心", "Food is safe", False),
        ("svc_attitude", "服务态度", "Staff attitude", False),
    ]
    # the rating list → the scale, labels per language in value order
    assert (q.scale.min, q.scale.max) == (1, 5)
    assert q.scale.labels["zh"] == tuple(r[2] for r in RATING)
    assert q.scale.labels["en"] == tuple(r[3] for r in RATING)
    # the question named overall → the overall item
    assert (q.overall.id, q.overall.text.zh, q.overall.required) == ("overall", "总体满意度", True)
    # other select_one → respondent question with its choices
    (gender,) = q.respondent
    assert gender.id == "gender" and gender.text.en == "Your gender"
    assert [(o.value, o.label.zh, o.label.en) for o in gender.options] == [
        (r[1], r[2], r[3]) for r in GENDER
    ]
    # text → open question
    (open_q,) = q.open_questions
    assert (open_q.id, open_q.text.zh, open_q.required) == ("suggestions", "您的建议", False)


def test_unsupported_rows_are_named_by_row_not_dropped_silently():
    result = _convert()
    assert "row 2: type 'start' is not supported" in result.notes
    assert "row 12: type 'calculate' is not supported" in result.notes
    assert "row 13: type 'geopoint' is not supported" in result.notes
    # the notes head the YAML too, so a reviewer sees them in the editor
    assert "#   row 12: type 'calculate' is not supported" in result.yaml
    q = parse_questionnaire(result.yaml)
    assert "score" not in {i.id for i in q.items} | {o.id for o in q.open_questions}


def test_repeat_and_its_questions_are_reported():
    survey = [
        *SURVEY,
        ("begin repeat", "members", "家庭成员", "Household members", ""),
        ("text", "member_name", "姓名", "Name", ""),
        ("end repeat", "", "", "", ""),
        ("select_multiple sat5", "many", "多选", "Many", ""),
    ]
    result = _convert(survey=survey)
    assert (
        "row 15: type 'begin repeat' is not supported; the questions inside are left out"
        in result.notes
    )
    assert "row 16: type 'text' inside a repeat is not supported" in result.notes
    assert "row 18: type 'select_multiple sat5' is not supported" in result.notes
    q = parse_questionnaire(result.yaml)
    assert [o.id for o in q.open_questions] == ["suggestions"]


def test_scale_run_from_0_to_10_and_descending_lists():
    nps = [("nps", n, f"{n}分", f"{n} points") for n in range(10, -1, -1)]  # listed 10 → 0
    survey = [
        ("begin group", "service", "服务", "Service", ""),
        ("select_one nps", "svc_nps", "推荐意愿", "Would recommend", ""),
        ("end group", "", "", "", ""),
    ]
    q = parse_questionnaire(_convert(survey=survey, choices=nps).yaml)
    (item,) = q.items
    assert (item.scale.min, item.scale.max) == (0, 10)
    assert item.scale.labels["zh"][0] == "0分" and item.scale.labels["en"][-1] == "10 points"


def test_dont_know_code_outside_the_run_is_left_out_with_a_note():
    choices = [*RATING, ("sat5", 99, "不了解", "Don't know"), *GENDER]
    result = _convert(choices=choices)
    assert (
        "choices row 7: choice '99' of rating list 'sat5' is left out (outside the scale 1..5; "
        "the survey offers its own 'don't know')" in result.notes
    )
    q = parse_questionnaire(result.yaml)
    assert (q.scale.min, q.scale.max) == (1, 5)


def test_two_integer_codes_are_a_choice_not_a_scale():
    choices = [*RATING, ("yesno", 1, "是", "Yes"), ("yesno", 0, "否", "No")]
    survey = [*SURVEY[:9], ("select_one yesno", "local", "本地居民", "Local resident", "")]
    q = parse_questionnaire(_convert(survey=survey, choices=choices).yaml)
    (local,) = q.respondent
    assert local.values == ("1", "0") and local.required is False


def test_items_on_another_list_keep_their_own_scale():
    choices = [*RATING, *[("agree3", n, f"z{n}", f"e{n}") for n in (1, 2, 3)]]
    survey = [
        ("begin group", "hygiene", "卫生", "Hygiene", ""),
        ("select_one sat5", "a", "A", "A", ""),
        ("select_one sat5", "b", "B", "B", ""),
        ("select_one agree3", "c", "C", "C", ""),
        ("end group", "", "", "", ""),
    ]
    result = _convert(survey=survey, choices=choices)
    q = parse_questionnaire(result.yaml)
    assert (q.scale.min, q.scale.max) == (1, 5)  # the list most items use
    assert [(i.scale.min, i.scale.max) for i in q.items] == [(1, 5), (1, 5), (1, 3)]
    assert q.items[2].scale.labels["en"] == ("e1", "e2", "e3")


def test_plain_label_column_and_default_language():
    header = ("type", "name", "label", "required")
    survey = [
        ("begin group", "service", "Service", ""),
        ("select_one sat5", "svc", "Staff attitude", ""),
        ("end group", "", "", ""),
    ]
    choices_header = ("list_name", "name", "label")
    choices = [(r[0], r[1], r[3]) for r in RATING]
    settings = {**SETTINGS, "default_language": "English (en)"}
    result = _convert(
        survey=survey,
        survey_header=header,
        choices=choices,
        choices_header=choices_header,
        settings=settings,
    )
    doc = yaml.safe_load(result.yaml)
    assert doc["dimensions"][0]["items"][0]["text"] == {"en": "Staff attitude"}
    q = parse_questionnaire(result.yaml)
    assert q.items[0].text.zh == q.items[0].text.en == "Staff attitude"  # the loader's fallback


def test_rating_outside_groups_and_no_overall_are_reported():
    survey = [("select_one sat5", "clean", "干净", "Clean", "")]
    result = _convert(survey=survey, choices=RATING)
    assert (
        "row 2: rating question 'clean' is outside any group; put in dimension 'general'"
        in result.notes
    )
    assert (
        "no rating question named 'overall': the standard overall question is used" in result.notes
    )
    q = parse_questionnaire(result.yaml)
    assert [d.id for d in q.dimensions] == ["general"]
    assert q.overall.id == "overall"


SURVEY_HEADER_WITH_LOGIC = (
    "type",
    "name",
    "label::Chinese (zh)",
    "label::English (en)",
    "relevant",
    "required",
)


def test_names_become_ids_and_unsupported_columns_are_reported():
    header = SURVEY_HEADER_WITH_LOGIC
    survey = [
        ("begin group", "Hygiene", "卫生", "Hygiene", "", ""),
        ("select_one sat5", "Hyg.Clean", "干净", "Clean", "${age} > 1", "yes"),
        ("select_one sat5", "hyg_safe", "安全", "Safe", "", "${x} = 1"),
        ("end group", "", "", "", "", ""),
    ]
    result = _convert(survey=survey, survey_header=header, choices=RATING)
    assert (
        "row 3: name 'Hyg.Clean' became id 'hyg_clean' (ids are lowercase letters, digits, '_' or '-')"
        in result.notes
    )
    assert "row 3: column 'relevant' is not supported; ignored" in result.notes
    assert "row 4: required '${x} = 1' is not supported; not required" in result.notes
    q = parse_questionnaire(result.yaml)
    assert [d.id for d in q.dimensions] == ["hygiene"]
    assert [(i.id, i.required) for i in q.items] == [("hyg_clean", True), ("hyg_safe", False)]


def test_missing_choice_list_is_reported():
    survey = [*SURVEY, ("select_one nosuch", "x", "X", "X", "")]
    result = _convert(survey=survey)
    assert "row 15: choice list 'nosuch' is not on the choices sheet; left out" in result.notes


def test_sector_from_the_argument_when_settings_have_none():
    settings = {k: v for k, v in SETTINGS.items() if k != "sector"}
    with pytest.raises(
        XLSFormError, match="no sector: add a 'sector' column to the settings sheet"
    ):
        _convert(settings=settings)
    q = parse_questionnaire(_convert(settings=settings, sector="lodging").yaml)
    assert q.sector == "lodging"


def test_id_from_the_file_name_without_settings():
    result = _convert(settings=None, sector="catering", source="Hotel Survey.xlsx")
    q = parse_questionnaire(result.yaml)
    assert (q.id, q.version, q.title.zh) == ("hotel_survey", 1, "hotel_survey")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id: catering\n", "not an .xlsx workbook"),
        (b"PK\x03\x04 truncated", "not a readable .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "save an old .xls"),
    ],
)
def test_not_a_workbook(data, message):
    with pytest.raises(XLSFormError, match=message):
        convert_xlsform(data)


def test_no_survey_sheet():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "data"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(XLSFormError, match=r"no 'survey' sheet \(sheets: 'data'\)"):
        convert_xlsform(out.getvalue())


def test_no_rating_question_is_refused():
    survey = [
        ("text", "name", "姓名", "Name", ""),
        ("select_one gender", "g", "性别", "Gender", ""),
    ]
    with pytest.raises(XLSFormError, match="no rating questions besides 'overall'"):
        _convert(survey=survey, choices=GENDER)


def test_hint_column_is_reported_and_language_headers_are_recognised():
    header = ("type", "name", "label::zh", "label: English", "hint::Chinese (zh-CN)")
    survey = [
        ("begin group", "service", "服务", "Service", ""),
        ("select_one sat5", "svc", "态度", "Attitude", "请按最近一次就餐打分"),
        ("end group", "", "", "", ""),
    ]
    result = _convert(survey=survey, survey_header=header, choices=RATING)
    assert "row 3: column 'hint' is not supported; ignored" in result.notes
    q = parse_questionnaire(result.yaml)
    assert (q.items[0].text.zh, q.items[0].text.en) == ("态度", "Attitude")


def test_a_workbook_that_unpacks_too_large_is_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (33 * 2**20))
    assert len(out.getvalue()) < 256 * 1024  # it would pass the upload limit
    with pytest.raises(XLSFormError, match="unpacks to more than 32 MB"):
        convert_xlsform(out.getvalue())


def test_coded_age_groups_stay_a_profile_question():
    ages = [
        ("age", n, label, label) for n, label in enumerate(["18-29", "30-44", "45-59", "60+"], 1)
    ]
    survey = [*SURVEY, ("select_one age", "age_group", "您的年龄段", "Your age group", "")]
    q = parse_questionnaire(_convert(survey=survey, choices=[*RATING, *GENDER, *ages]).yaml)
    assert [r.id for r in q.respondent] == ["gender", "age_group"]
    assert [(o.value, o.label.zh) for o in q.respondent[1].options][0] == ("1", "18-29")
    assert "age_group" not in {i.id for i in q.items}
