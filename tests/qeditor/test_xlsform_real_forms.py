"""XLSForms as found in public ODK / KoboToolbox material (issue 14, item 10): text-coded
Likert lists, forms in other languages, nested groups, gapped codes, duplicate names."""

from __future__ import annotations

import pytest
import yaml

from surveyapp.questionnaire.loader import parse_questionnaire
from surveyapp.questionnaire.xlsform import XLSFormError, convert_xlsform
from tests.qeditor.xlsforms import GENDER, RATING, SETTINGS, xlsform_bytes

AGREE = [
    ("agree5", "strongly_disagree", "Strongly disagree"),
    ("agree5", "disagree", "Disagree"),
    ("agree5", "neutral", "Neither agree nor disagree"),
    ("agree5", "agree", "Agree"),
    ("agree5", "strongly_agree", "Strongly agree"),
]
EN_HEADER = ("list_name", "name", "label::English (en)")
SURVEY_EN = ("type", "name", "label::English (en)", "required")
ZH_EN_CHOICES = ("list_name", "name", "label::Chinese (zh)", "label::English (en)")


def _survey(list_name: str, appearance: str | None = None) -> list[tuple]:
    extra = () if appearance is None else (appearance,)
    return [
        ("begin group", "service", "Service", "", *(("",) if extra else ())),
        (f"select_one {list_name}", "svc_clean", "The place is clean", "yes", *extra),
        (f"select_one {list_name}", "svc_staff", "Staff are helpful", "", *extra),
        ("end group", "", "", "", *(("",) if extra else ())),
        (f"select_one {list_name}", "overall", "Overall I am satisfied", "yes", *extra),
    ]


def _convert(
    survey, choices, *, survey_header=SURVEY_EN, choices_header=EN_HEADER, settings=SETTINGS
):
    data = xlsform_bytes(
        survey,
        choices,
        settings,
        survey_header=survey_header,
        choices_header=choices_header,
    )
    return convert_xlsform(data, source="kobo.xlsx")


ZH_EN_SURVEY = ("type", "name", "label::Chinese (zh)", "label::English (en)", "required")


def _convert_zh_en(survey, choices):
    """A form with Chinese and English label columns on both sheets."""
    return _convert(survey, choices, survey_header=ZH_EN_SURVEY, choices_header=ZH_EN_CHOICES)


def test_kobo_likert_with_text_codes_is_a_rating_scale_with_a_note():
    result = _convert(_survey("agree5"), AGREE)
    q = parse_questionnaire(result.yaml)
    assert [i.id for i in q.items] == ["svc_clean", "svc_staff"]
    assert (q.scale.min, q.scale.max) == (1, 5)
    assert q.scale.labels["en"] == tuple(label for _, _, label in AGREE)
    assert (
        "choices row 2: choice list 'agree5' is a known agreement scale: taken as the rating "
        "scale 1..5 (1 = 'strongly_disagree', 5 = 'strongly_agree')" in result.notes
    )


def test_a_likert_list_written_from_agree_to_disagree_is_turned_round():
    result = _convert(_survey("agree5"), AGREE[::-1])
    q = parse_questionnaire(result.yaml)
    assert q.scale.labels["en"][0] == "Strongly disagree"
    assert q.scale.labels["en"][-1] == "Strongly agree"


def test_chinese_satisfaction_labels_with_text_codes_and_a_dont_know():
    codes = ["vd", "d", "n", "s", "vs"]
    choices = [("sat", code, zh, en) for code, (_, _, zh, en) in zip(codes, RATING, strict=True)]
    choices.append(("sat", "dk", "不了解", "Don't know"))
    survey = [
        ("begin group", "service", "服务", "Service", ""),
        ("select_one sat", "svc", "服务态度", "Staff attitude", ""),
        ("end group", "", "", "", ""),
    ]
    result = _convert_zh_en(survey, choices)
    q = parse_questionnaire(result.yaml)
    assert q.scale.labels["zh"] == ("非常不满意", "不满意", "一般", "满意", "非常满意")
    assert any("known satisfaction scale" in n for n in result.notes)
    assert any("choice 'dk' of rating list 'sat' is left out" in n for n in result.notes)


def test_appearance_likert_makes_any_ordered_list_a_scale():
    quality = [
        ("quality", c, c.title()) for c in ("poor", "fair", "good", "very_good", "excellent")
    ]
    header = (*SURVEY_EN, "appearance")
    result = _convert(_survey("quality", "likert"), quality, survey_header=header)
    q = parse_questionnaire(result.yaml)
    assert (q.scale.min, q.scale.max) == (1, 5) and q.scale.labels["en"][0] == "Poor"
    assert any("appearance 'likert': taken as the rating scale 1..5" in n for n in result.notes)


def test_refusal_names_every_list_and_why_it_was_not_taken():
    quality = [
        ("quality", c, c.title()) for c in ("poor", "fair", "good", "very_good", "excellent")
    ]
    choices = [
        *quality,
        ("yesno", "yes", "Yes"),
        ("yesno", "no", "No"),
        ("gap", 1, "one"),
        ("gap", 2, "two"),
        ("gap", 4, "four"),
        ("spare", 1, "a"),
        ("spare", 2, "b"),
        ("spare", 3, "c"),
    ]
    survey = [
        ("select_one quality", "q1", "Quality", ""),
        ("select_one yesno", "local", "Local?", ""),
        ("select_one gap", "g", "Gap", ""),
    ]
    with pytest.raises(XLSFormError) as refused:
        _convert(survey, choices)
    message = str(refused.value)
    assert "no rating questions besides 'overall'" in message
    assert (
        "'quality' (5 choices): text codes that are not a known agreement or satisfaction "
        "scale ('poor'); set appearance 'likert'" in message
    )
    assert "'yesno' (2 choices): text codes" in message
    assert "'gap' (3 choices): its codes 1, 2, 4 are not a run" in message
    assert "'spare' (3 choices): used by no select_one question" in message


def test_a_gapped_integer_list_is_noted_not_silently_a_respondent_question():
    choices = [*RATING, *[("gap", n, f"z{n}", f"e{n}") for n in (1, 2, 4, 5)]]
    survey = [
        ("begin group", "hygiene", "卫生", "Hygiene", ""),
        ("select_one sat5", "clean", "干净", "Clean", ""),
        ("select_one gap", "fresh", "新鲜", "Fresh", ""),
        ("end group", "", "", "", ""),
    ]
    result = _convert_zh_en(survey, choices)
    assert (
        "row 4: 'fresh' is kept as a respondent (choice) question, not a rating: list 'gap' is "
        "no rating scale (its codes 1, 2, 4, 5 are not a run of whole numbers such as 1 to 5)"
        in result.notes
    )


@pytest.mark.parametrize(
    ("language", "label", "field"),
    [("French (fr)", "Le personnel est aimable", "en"), ("Russian (ru)", "Персонал вежлив", "en")],
)
def test_a_form_in_another_language_is_never_stored_as_chinese(language, label, field):
    header = ("type", "name", "label", "required")
    survey = [
        ("begin group", "service", "Service", ""),
        ("select_one sat5", "svc", label, ""),
        ("end group", "", "", ""),
    ]
    choices = [(r[0], r[1], f"{r[1]}") for r in RATING]
    settings = {**SETTINGS, "default_language": language}
    result = _convert(
        survey,
        choices,
        survey_header=header,
        choices_header=("list_name", "name", "label"),
        settings=settings,
    )
    doc = yaml.safe_load(result.yaml)
    text = doc["dimensions"][0]["items"][0]["text"]
    assert text == {field: label}  # a fallback, never the Chinese text
    code = language.split("(")[1].rstrip(")")
    assert any(n.startswith(f"settings: default_language '{language}'") for n in result.notes)
    assert any(
        n.startswith("no Chinese or English label on ")
        and f"their '{code}' label is kept as a fallback" in n
        and "survey row 3" in n
        for n in result.notes
    )
    parse_questionnaire(result.yaml)  # still a valid questionnaire to review


def test_other_language_columns_are_reported_and_zh_en_kept():
    header = (
        "type",
        "name",
        "label::Chinese (zh)",
        "label::English (en)",
        "label::French (fr)",
        "required",
    )
    survey = [
        ("begin group", "service", "服务", "Service", "Service", ""),
        ("select_one sat5", "svc", "服务态度", "Staff attitude", "Accueil", ""),
        ("end group", "", "", "", "", ""),
    ]
    result = _convert(survey, RATING, survey_header=header, choices_header=ZH_EN_CHOICES)
    q = parse_questionnaire(result.yaml)
    assert (q.items[0].text.zh, q.items[0].text.en) == ("服务态度", "Staff attitude")
    assert (
        "labels in language 'fr' (on the 'survey' sheet) are not carried over: a questionnaire "
        "has Chinese (zh) and English (en) texts" in result.notes
    )


def test_nested_groups_are_flattened_with_a_note():
    survey = [
        ("begin group", "outer", "外层", "Outer", ""),
        ("begin group", "inner", "内层", "Inner", ""),
        ("select_one sat5", "a", "甲", "A", ""),
        ("end group", "", "", "", ""),
        ("end group", "", "", "", ""),
    ]
    result = _convert_zh_en(survey, RATING)
    assert (
        "row 3: group 'inner' is inside group 'outer': groups are flattened (a questionnaire's "
        "dimensions are not nested); its rating questions form dimension 'inner'" in result.notes
    )
    assert [d.id for d in parse_questionnaire(result.yaml).dimensions] == ["inner"]


def test_duplicate_names_cite_the_sheet_rows():
    survey = [
        ("begin group", "hygiene", "卫生", "Hygiene", ""),
        ("select_one sat5", "hyg_clean", "干净", "Clean", ""),
        ("select_one sat5", "Hyg.Clean", "干净2", "Clean 2", ""),
        ("end group", "", "", "", ""),
    ]
    with pytest.raises(XLSFormError) as refused:
        _convert_zh_en(survey, RATING)
    message = str(refused.value)
    assert "survey row 4: name 'Hyg.Clean' (id 'hyg_clean') is used already on row 3" in message
    assert "dimensions[" not in message and "items[" not in message
    with pytest.raises(
        XLSFormError, match=r"choices row 9: choice 'male' is in list 'gender' already \(row 7\)"
    ):
        _convert_zh_en(
            survey[:2] + survey[3:], [*RATING, *GENDER, ("gender", "male", "男2", "Male 2")]
        )
