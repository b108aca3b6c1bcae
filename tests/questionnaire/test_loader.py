"""Parsing valid documents: the model built, defaults, texts, definition and hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from surveyapp.questionnaire import (
    SECTORS,
    QuestionnaireError,
    Scale,
    Text,
    builtin_dir,
    load_questionnaire,
    parse_questionnaire,
    questionnaire_schema,
)

DATA = Path(__file__).resolve().parent / "data"
MINIMAL = DATA / "minimal.yaml"


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def test_minimal_model(minimal_text):
    q = parse_questionnaire(minimal_text)
    assert (q.id, q.version, q.sector) == ("minimal", 1, "catering")
    assert q.title == Text("测试问卷", "Test questionnaire")
    assert [d.id for d in q.dimensions] == ["hygiene", "service"]
    assert [d.weight for d in q.dimensions] == [0.6, 0.4]
    assert q.scale.points == (1, 2, 3, 4, 5)
    assert q.scale.label(4, "en") == "Satisfied"
    assert q.overall.satisfied_threshold == 4
    assert q.overall.required is True
    assert q.items[0].required is False
    assert q.items[0].weight == 1.0
    assert q.open_questions[0].max_length == 1000
    assert q.open_questions[0].required is False
    assert q.respondent[0].required is True
    assert q.respondent[0].type == "choice"


def test_answer_ids_are_items_in_file_order_then_overall(minimal_text):
    q = parse_questionnaire(minimal_text)
    assert q.answer_ids == ("hyg_clean", "hyg_safe", "svc_attitude", "overall")
    catering = load_questionnaire(builtin_dir() / "catering.yaml")
    assert catering.answer_ids[:3] == ("hyg_fresh", "hyg_kitchen", "hyg_tableware")
    assert catering.answer_ids[-1] == "overall"
    assert len(catering.answer_ids) == len(catering.items) + 1


def test_text_falls_back_to_the_other_language(minimal_text):
    q = parse_questionnaire(minimal_text)
    service = q.dimensions[1]
    assert service.title == Text("服务", "服务")  # plain string: both languages
    assert service.items[0].text == Text("服务态度", "服务态度")  # zh only
    assert q.open_questions[0].text == Text("Any suggestions?", "Any suggestions?")  # en only
    assert q.respondent[0].options[0].label == Text("Male", "Male")
    assert q.definition["dimensions"][1]["items"][0]["text"] == {"zh": "服务态度", "en": "服务态度"}


def test_plain_string_options_and_defaults(minimal_text):
    text = minimal_text.replace(
        "  - id: gender\n    options: [{value: 男, en: Male}, {value: 女, en: Female}]\n",
        "  - id: gender\n    options: [男, 女]\n  - id: age_group\n    options: [18-29, 60+]\n"
        "    required: false\n",
    )
    q = parse_questionnaire(text)
    gender = q.respondent_question("gender")
    assert gender.values == ("男", "女")
    assert gender.options[1].label == Text("女", "女")
    assert gender.text == Text("您的性别", "Your gender")
    assert q.respondent_question("age_group").values == ("18-29", "60+")
    assert q.respondent_question("age_group").required is False
    assert q.definition["respondent"][0]["options"][0] == {"value": "男", "zh": "男", "en": "男"}


def test_missing_optional_texts_get_defaults(minimal_text):
    text = minimal_text.replace(
        '  text: {zh: 总体满意吗？, en: "Satisfied overall?"}\n', ""
    ).replace("    title: 服务\n", "")
    q = parse_questionnaire(text)
    assert q.overall.text == Text(
        "总体而言，您对本地餐饮服务满意吗？",
        "Overall, how satisfied are you with local catering services?",
    )
    assert q.dimensions[1].title == Text("service", "service")
    assert q.goal == 80.0 and q.intro is None
    assert "intro" not in q.definition


def test_item_scale_override_and_default_threshold(minimal_text):
    text = minimal_text.replace(
        "        text: {zh: 食品安全, en: Food safety}\n",
        "        text: {zh: 食品安全, en: Food safety}\n        scale: {min: 0, max: 10}\n",
    ).replace(
        "  satisfied_threshold: 4\n",
        "  scale: {min: 0, max: 10, labels: [a,b,c,d,e,f,g,h,i,j,k]}\n",
    )
    q = parse_questionnaire(text)
    assert q.scale_of("hyg_safe") == Scale(0, 10, {})
    assert q.scale_of("hyg_clean") == q.scale
    assert q.overall.scale.label(10, "zh") == "k"
    assert q.overall.satisfied_threshold == 8  # three quarters up 0..10, rounded up


def test_optional_keys_and_extension_keys(minimal_text):
    text = minimal_text.replace(
        "version: 1\n",
        "version: 1\nintro: {zh: 欢迎参加调查, en: Welcome}\nx-owner: 市商务局\n",
    ).replace(
        "      - id: hyg_clean\n",
        "      - id: hyg_clean\n        required: true\n        x-note: ok\n",
    )
    text = text.replace("  - id: suggestions\n", "  - id: suggestions\n    max_length: 200\n")
    q = parse_questionnaire(text)
    assert q.intro == Text("欢迎参加调查", "Welcome")
    assert q.items[0].required is True
    assert q.open_questions[0].max_length == 200
    assert "x-owner" not in q.definition
    assert "x-note" not in q.definition["dimensions"][0]["items"][0]


def test_definition_is_normalised_json(minimal_text):
    q = parse_questionnaire(minimal_text)
    d = q.definition
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert list(d) == [
        "id",
        "version",
        "sector",
        "title",
        "goal",
        "scale",
        "overall",
        "dimensions",
        "respondent",
        "open_questions",
    ]
    assert d["goal"] == 80.0 and isinstance(d["goal"], float)
    assert d["overall"] == {
        "id": "overall",
        "text": {"zh": "总体满意吗？", "en": "Satisfied overall?"},
        "scale": d["scale"],
        "satisfied_threshold": 4,
        "required": True,
    }
    item = d["dimensions"][0]["items"][0]
    assert item == {
        "id": "hyg_clean",
        "text": {"zh": "干净整洁", "en": "Clean and tidy"},
        "weight": 1.0,
        "required": False,
        "scale": d["scale"],
    }
    assert item["scale"] is not d["scale"]  # no shared mutable parts
    assert d["respondent"][0]["options"][1] == {"value": "女", "zh": "Female", "en": "Female"}
    assert d["open_questions"][0] == {
        "id": "suggestions",
        "text": {"zh": "Any suggestions?", "en": "Any suggestions?"},
        "max_length": 1000,
        "required": False,
    }


@pytest.mark.parametrize("name", ["minimal", "catering", "elderly_care"])
def test_definition_parses_back_to_the_same_questionnaire(name):
    path = MINIMAL if name == "minimal" else builtin_dir() / f"{name}.yaml"
    q = load_questionnaire(path)
    again = parse_questionnaire(json.dumps(q.definition, ensure_ascii=False))
    assert again == q
    assert again.definition == q.definition
    assert again.content_hash() == q.content_hash()


def test_content_hash_ignores_layout_comments_and_key_order(minimal_text):
    q = parse_questionnaire(minimal_text)
    data = yaml.safe_load(minimal_text)
    reordered = dict(reversed(list(data.items())))
    reordered["dimensions"] = [dict(reversed(list(d.items()))) for d in data["dimensions"]]
    block = yaml.safe_dump(reordered, allow_unicode=True, default_flow_style=False)
    commented = "# another comment\n" + minimal_text.replace("weight: 0.6", "weight: 0.60  # note")
    for variant in (block, commented):
        assert parse_questionnaire(variant).content_hash() == q.content_hash()
    # a new version of unchanged content hashes alike
    bumped = minimal_text.replace("version: 1", "version: 2")
    assert parse_questionnaire(bumped).content_hash() == q.content_hash()
    # ... and defaults written out do not matter either
    explicit = minimal_text.replace(
        "    weight: 0.4\n", "    weight: 0.4\n    x-note: n\n"
    ).replace(
        "      - id: hyg_safe\n",
        "      - id: hyg_safe\n        weight: 1.0\n        required: false\n",
    )
    assert parse_questionnaire(explicit + "goal: 80\n").content_hash() == q.content_hash()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Clean and tidy", "Clean"),
        ("干净整洁", "整洁"),
        ("weight: 0.6", "weight: 0.5"),
        ("{value: 女, en: Female}", "{value: 女, en: Woman}"),
        ("  satisfied_threshold: 4\n", "  satisfied_threshold: 5\n"),
    ],
)
def test_content_hash_changes_with_content(minimal_text, old, new):
    assert minimal_text.count(old) == 1
    before = parse_questionnaire(minimal_text).content_hash()
    assert parse_questionnaire(minimal_text.replace(old, new)).content_hash() != before


def test_byte_order_mark_is_tolerated(tmp_path, minimal_text):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + minimal_text.encode("utf-8"))
    assert load_questionnaire(path) == parse_questionnaire(minimal_text)


def test_not_utf8(tmp_path, minimal_text):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(minimal_text.encode("gb18030"))
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert str(info.value) == f"{path}:5: the file is not UTF-8 text"


def test_extra_sectors(minimal_text):
    text = minimal_text.replace("sector: catering", "sector: laundry")
    with pytest.raises(QuestionnaireError):
        parse_questionnaire(text)
    assert parse_questionnaire(text, sectors=["laundry"]).sector == "laundry"
    q = parse_questionnaire(
        text.replace('  text: {zh: 总体满意吗？, en: "Satisfied overall?"}\n', ""),
        sectors={"laundry": Text("洗染", "Laundry")},
    )
    assert q.overall.text.zh == "总体而言，您对本地洗染服务满意吗？"
    assert "laundry" not in SECTORS


def test_sectors_have_both_names():
    # in the plans' order, from the one sector catalogue (surveyapp/sectors.py)
    assert list(SECTORS) == [
        "elderly_care",
        "domestic",
        "catering",
        "lodging",
        "supermarket",
        "logistics",
    ]
    assert SECTORS["catering"] == Text("餐饮", "Catering")
    assert all(t.zh and t.en for t in SECTORS.values())


def test_schema_is_draft_2020_12_and_published_as_a_copy():
    schema = questionnaire_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {
        "id",
        "version",
        "sector",
        "title",
        "scale",
        "overall",
        "dimensions",
    }
    schema["required"].clear()
    assert questionnaire_schema()["required"]
