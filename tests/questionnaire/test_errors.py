"""Bad questionnaires: each is refused with a message naming the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.questionnaire import (
    QuestionnaireError,
    builtin_dir,
    discover,
    load_questionnaire,
    parse_questionnaire,
    validate_files,
)

DATA = Path(__file__).resolve().parent / "data"
MINIMAL = DATA / "minimal.yaml"

# file stem -> (line, key, message); each file is minimal.yaml with one thing broken.
BAD_FILES = {
    "bad_syntax": (
        9,
        "",
        "YAML syntax error: expected <block end>, but found '<block mapping start>' "
        "(while parsing a block mapping); check the indentation",
    ),
    "bad_tab": (7, "", "YAML syntax error: found a tab; indent with spaces, not tabs"),
    "bad_missing_key": (25, "dimensions[1]", "missing required key 'items'"),
    "bad_unknown_key": (
        27,
        "dimensions[1].wieght",
        "unknown key 'wieght' (did you mean 'weight'?)",
    ),
    "bad_wrong_type": (3, "version", "'version' must be a whole number of at least 1 (got '1')"),
    "bad_duplicate_id": (
        23,
        "dimensions[0].items[1].id",
        "duplicate id 'hyg_clean' (also used at dimensions[0].items[0].id)",
    ),
    "bad_duplicate_key": (28, "dimensions[1].weight", "duplicate key 'weight' (also on line 27)"),
    "bad_duplicate_option": (
        33,
        "respondent[0].options[1]",
        "duplicate option '男' (also options[0])",
    ),
    "bad_threshold": (
        15,
        "overall.satisfied_threshold",
        "'satisfied_threshold' must be within the overall scale 1..5 (got 6)",
    ),
    "bad_label_count": (
        11,
        "scale.labels.en",
        "'en' must have 5 labels, one for each point of 1..5 (got 4)",
    ),
    "bad_id_pattern": (
        23,
        "dimensions[0].items[1].id",
        "'id' must be text of lowercase letters, digits, '_' or '-' (got 'Hyg Safe')",
    ),
    "bad_sector": (
        4,
        "sector",
        "unknown sector 'hotel' "
        "(known: elderly_care, domestic, catering, lodging, supermarket, logistics)",
    ),
    "bad_zero_weight": (
        19,
        "dimensions[0].weight",
        "'weight' must be a number greater than 0 (got 0)",
    ),
    "bad_empty_items": (
        28,
        "dimensions[1].items",
        "'items' must be a non-empty list of items (got an empty list)",
    ),
    "bad_scale_span": (8, "scale.max", "'max' must be at most 'min' + 10 (got 1..20)"),
    "bad_goal": (5, "goal", "'goal' must be a number from 0 to 100 (got 120)"),
}


def test_every_bad_file_is_listed():
    assert sorted(p.stem for p in DATA.glob("bad_*.yaml")) == sorted(BAD_FILES)


@pytest.mark.parametrize("stem", sorted(BAD_FILES))
def test_bad_file_message(stem):
    path = DATA / f"{stem}.yaml"
    line, key, message = BAD_FILES[stem]
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    err = info.value
    assert (err.file, err.line, err.key, err.message) == (str(path), line, key, message)
    where = f"{path}:{line}: {key}: " if key else f"{path}:{line}: "
    assert str(err) == where + message


def _error(text: str) -> str:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(text, "q.yaml")
    return str(info.value)


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def test_minimal_file_is_valid():
    assert load_questionnaire(MINIMAL).id == "minimal"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"Satisfied overall?"',
            "Satisfied overall?",
            "q.yaml:14: YAML syntax error: expected ',' or '}', but got '?' (while parsing a "
            "flow mapping); put text containing ':', '?', ',' or brackets in quotes",
        ),
        (
            "sector: catering\n",
            "",
            "q.yaml:2: missing required key 'sector'",
        ),
        (
            "id: minimal\nversion: 1\n",
            "",
            "q.yaml:2: missing required keys 'id', 'version'",
        ),
        (
            "    weight: 0.4",
            "    weight: 0.4\n    x-note: fine\n    notes: bad",
            "q.yaml:29: dimensions[1].notes: unknown key 'notes'",
        ),
        (
            "weight: 0.6",
            "weight: heavy",
            "q.yaml:19: dimensions[0].weight: 'weight' must be a number greater than 0 "
            "(got 'heavy')",
        ),
        (
            "weight: 0.6",
            "weight: -1",
            "q.yaml:19: dimensions[0].weight: 'weight' must be a number greater than 0 (got -1)",
        ),
        (
            "      - id: hyg_safe\n",
            "      - id: hyg_safe\n        weight: 0\n",
            "q.yaml:24: dimensions[0].items[1].weight: 'weight' must be a number greater than 0 "
            "(got 0)",
        ),
        (
            "id: suggestions",
            "id: svc_attitude",
            "q.yaml:35: open_questions[0].id: duplicate id 'svc_attitude' "
            "(also used at dimensions[1].items[0].id)",
        ),
        (
            "  - id: service\n",
            "  - id: hygiene\n",
            "q.yaml:25: dimensions[1].id: duplicate id 'hygiene' (also used at dimensions[0].id)",
        ),
        (
            "  id: overall\n",
            "  id: hyg_safe\n",
            "q.yaml:23: dimensions[0].items[1].id: duplicate id 'hyg_safe' "
            "(also used at overall.id)",
        ),
        (
            "max: 5",
            "max: 1",
            "q.yaml:8: scale.max: 'max' must be greater than 'min' (got 1..1)",
        ),
        (
            "title: 服务",
            "title: {fr: Service}",
            "q.yaml:26: dimensions[1].title.fr: unknown key 'fr'",
        ),
        (
            "title: 服务",
            "title: ''",
            "q.yaml:26: dimensions[1].title: 'title' must be non-empty text, or a mapping with "
            "'zh' and/or 'en' (got '')",
        ),
        (
            "title: 服务",
            "title: {}",
            "q.yaml:26: dimensions[1].title: 'title' must be non-empty text, or a mapping with "
            "'zh' and/or 'en' (got an empty mapping)",
        ),
        (
            "    weight: 0.4",
            "    weight: 0.4\n    yes: 1",
            "q.yaml:28: dimensions[1]: key 'yes' must be text: put it in quotes",
        ),
        (
            "{value: 女, en: Female}",
            "3",
            "q.yaml:33: respondent[0].options[1]: 'options[1]' must be non-empty text, or a "
            "mapping with 'value', 'zh' and 'en' (got 3)",
        ),
        (
            "{value: 女, en: Female}",
            "{en: Female}",
            "q.yaml:33: respondent[0].options[1]: missing required key 'value'",
        ),
        (
            "  - id: gender\n",
            "  - id: gender\n    type: text\n",
            "q.yaml:33: respondent[0].type: 'type' must be 'choice' (got 'text')",
        ),
        (
            "dimensions:",
            "dimensions: foo\nx-old:",
            "q.yaml:16: dimensions: 'dimensions' must be a non-empty list of dimensions "
            "(got 'foo')",
        ),
        (
            "satisfied_threshold: 4\n",
            "satisfied_threshold: 4\n  scale: {min: 0, max: 3}\n",
            "q.yaml:15: overall.satisfied_threshold: 'satisfied_threshold' must be within the "
            "overall scale 0..3 (got 4)",
        ),
        (
            "        text: {zh: 食品安全, en: Food safety}\n",
            "        text: {zh: 食品安全, en: Food safety}\n"
            "        scale: {min: 1, max: 3, labels: [低, 高]}\n",
            "q.yaml:25: dimensions[0].items[1].scale.labels: 'labels' must have 3 labels, one "
            "for each point of 1..3 (got 2)",
        ),
        (
            "weight: 0.6",
            "weight: !!python/object:os.system 0.6",
            "q.yaml:19: YAML error: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object:os.system'",
        ),
    ],
)
def test_error_messages(minimal_text, old, new, expected):
    assert minimal_text.count(old) == 1
    assert _error(minimal_text.replace(old, new)) == expected


def test_whole_document_errors(minimal_text):
    assert _error("- a\n- b\n") == (
        "q.yaml:1: the document must be a mapping of keys to values (got a list)"
    )
    assert _error("# nothing here\n") == "q.yaml: the file is empty"
    assert _error(minimal_text + "---\nid: again\n") == (
        "q.yaml:37: YAML syntax error: expected a single document in the stream, "
        "but found another document"
    )


def test_a_date_that_is_no_date_is_a_yaml_error_at_its_line(minimal_text):
    # PyYAML reads 2025-13-01 as a timestamp and raised a bare ValueError (a traceback
    # from ``questionnaires validate``); it is now a problem of the file at its line
    lines = len(minimal_text.splitlines())
    assert _error(minimal_text + "released: 2025-13-01\n") == (
        f"q.yaml:{lines + 1}: YAML error: 2025-13-01 is not a date (month must be in 1..12)"
    )


def test_first_error_in_the_file_wins(minimal_text):
    text = minimal_text.replace("weight: 0.6", "weight: 0").replace("version: 1", "version: 0")
    assert _error(text) == (
        "q.yaml:3: version: 'version' must be a whole number of at least 1 (got 0)"
    )
    # a problem of shape is reported before a problem of meaning, even further down
    text = minimal_text.replace("sector: catering", "sector: hotel").replace(
        "weight: 0.6", "weight: 0"
    )
    assert _error(text).startswith("q.yaml:19: dimensions[0].weight:")


def test_error_string_drops_missing_parts():
    assert str(QuestionnaireError("a.yaml", "goal", 3, "bad")) == "a.yaml:3: goal: bad"
    assert str(QuestionnaireError("a.yaml", "", 3, "bad")) == "a.yaml:3: bad"
    assert str(QuestionnaireError("a.yaml", "goal", None, "bad")) == "a.yaml: goal: bad"
    assert str(QuestionnaireError("a.yaml", "", None, "bad")) == "a.yaml: bad"
    err = QuestionnaireError("a.yaml", "goal", 3, "bad")
    assert isinstance(err, ValueError)
    assert (err.file, err.key, err.line, err.message) == ("a.yaml", "goal", 3, "bad")


def test_default_source_name(minimal_text):
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(minimal_text.replace("sector: catering", "sector: x"))
    assert str(info.value).startswith("<string>:4: sector: unknown sector 'x'")


def test_validate_files_checks_every_file(tmp_path, minimal_text):
    good = tmp_path / "good.yaml"
    good.write_text(minimal_text, encoding="utf-8")
    copy = tmp_path / "same_id.yml"
    copy.write_text(minimal_text.replace("title: 服务", "title: 服务质量"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(minimal_text.replace("weight: 0.6", "weight: 0"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a questionnaire", encoding="utf-8")
    missing = tmp_path / "missing.yaml"

    assert discover([tmp_path]) == [bad, good, copy]
    errors = validate_files([tmp_path, missing, good])
    assert [str(e) for e in errors] == [
        f"{bad}:19: dimensions[0].weight: 'weight' must be a number greater than 0 (got 0)",
        f"{copy}:2: id: questionnaire 'minimal' version 1 is also defined in {good}",
        f"{missing}: No such file or directory",
    ]
    assert validate_files([good]) == []


def test_discover_refuses_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        discover([tmp_path, tmp_path / "missing.yaml"])
    assert info.value.filename == str(tmp_path / "missing.yaml")


def test_discover_defaults_to_the_builtin_folder():
    assert discover() == discover([builtin_dir()])
    assert discover([builtin_dir() / "catering.yaml"]) == [builtin_dir() / "catering.yaml"]
