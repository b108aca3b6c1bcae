"""JSON Schema (Draft 2020-12) of a questionnaire file, and the known sectors.

The schema checks the shape of a document: which keys exist, which are required and
what type each value has.  Rules that relate several values (unique ids, a threshold
inside its scale, one label per scale point, a known sector) are checked afterwards by
:mod:`surveyapp.questionnaire.semantics`, and the errors of this schema are put in
words by :mod:`surveyapp.questionnaire.schema_errors`.

Every leaf schema carries an ``x-expected`` annotation, the phrase used in error
messages ("'weight' must be *a number greater than 0*").  Draft 2020-12 treats unknown
keywords as annotations, so the schema stays valid and can be published as is.

Keys starting with ``x-`` are allowed anywhere and ignored, so that tools can keep
their own notes in a file; any other unknown key is an error, which catches typos.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from surveyapp.sectors import SECTORS as CATALOGUE

from .model import Text

SCHEMA_ID = "https://surveyapp.example.org/schemas/questionnaire.json"

#: Sectors of the life-services quality plans, with their display names.
#: Short names, from the one sector catalogue (:mod:`surveyapp.sectors`).
SECTORS: dict[str, Text] = {s.code: Text(s.short_zh, s.name_en) for s in CATALOGUE}

ID_PATTERN = "^[a-z0-9_-]+$"
EXTENSION_PATTERN = "^x-"


def _leaf(expected: str, **schema: Any) -> dict[str, Any]:
    return {**schema, "x-expected": expected}


def _object(
    properties: dict[str, Any], required: tuple[str, ...] = (), expected: str = "a mapping"
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "patternProperties": {EXTENSION_PATTERN: {}},
        "additionalProperties": False,
        "x-expected": expected,
    }
    if required:
        schema["required"] = list(required)
    return schema


_NONEMPTY_TEXT = _leaf("non-empty text", type="string", minLength=1)
_BOOLEAN = _leaf("true or false", type="boolean")
_ID = _leaf("text of lowercase letters, digits, '_' or '-'", type="string", pattern=ID_PATTERN)
_WEIGHT = _leaf("a number greater than 0", type="number", exclusiveMinimum=0)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _build_schema() -> dict[str, Any]:
    text = {
        "type": ["string", "object"],
        "minLength": 1,
        "properties": {"zh": _NONEMPTY_TEXT, "en": _NONEMPTY_TEXT},
        "patternProperties": {EXTENSION_PATTERN: {}},
        "additionalProperties": False,
        "anyOf": [{"required": ["zh"]}, {"required": ["en"]}],
        "x-expected": "non-empty text, or a mapping with 'zh' and/or 'en'",
    }
    label_list = _leaf(
        "a list of labels", type="array", items=_leaf("non-empty text", type="string", minLength=1)
    )
    labels = {
        "type": ["array", "object"],
        "items": _NONEMPTY_TEXT,
        "properties": {"zh": label_list, "en": label_list},
        "patternProperties": {EXTENSION_PATTERN: {}},
        "additionalProperties": False,
        "anyOf": [{"required": ["zh"]}, {"required": ["en"]}],
        "x-expected": "a list of labels, or a mapping with 'zh' and/or 'en' lists",
    }
    scale = _object(
        {
            "min": _leaf("a whole number", type="integer"),
            "max": _leaf("a whole number", type="integer"),
            "labels": _ref("labels"),
        },
        required=("min", "max"),
        expected="a mapping with 'min', 'max' and 'labels'",
    )
    item = _object(
        {
            "id": _ref("id"),
            "text": _ref("text"),
            "weight": _WEIGHT,
            "required": _BOOLEAN,
            "scale": _ref("scale"),
        },
        required=("id",),
        expected="a mapping with 'id' and 'text'",
    )
    dimension = _object(
        {
            "id": _ref("id"),
            "title": _ref("text"),
            "weight": _WEIGHT,
            "items": _leaf("a non-empty list of items", type="array", minItems=1, items=item),
        },
        required=("id", "weight", "items"),
        expected="a mapping with 'id', 'weight' and 'items'",
    )
    overall = _object(
        {
            "id": _ref("id"),
            "text": _ref("text"),
            "satisfied_threshold": _leaf("a whole number", type="integer"),
            "required": _BOOLEAN,
            "scale": _ref("scale"),
        },
        expected="a mapping with 'id', 'text' and 'satisfied_threshold'",
    )
    option = {
        "type": ["string", "object"],
        "minLength": 1,
        "properties": {"value": _NONEMPTY_TEXT, "zh": _NONEMPTY_TEXT, "en": _NONEMPTY_TEXT},
        "patternProperties": {EXTENSION_PATTERN: {}},
        "additionalProperties": False,
        "required": ["value"],
        "x-expected": "non-empty text, or a mapping with 'value', 'zh' and 'en'",
    }
    respondent_question = _object(
        {
            "id": _ref("id"),
            "type": _leaf("'choice'", enum=["choice"]),
            "text": _ref("text"),
            "required": _BOOLEAN,
            "options": _leaf("a non-empty list of options", type="array", minItems=1, items=option),
        },
        required=("id", "options"),
        expected="a mapping with 'id' and 'options'",
    )
    open_question = _object(
        {
            "id": _ref("id"),
            "text": _ref("text"),
            "required": _BOOLEAN,
            "max_length": _leaf(
                "a whole number from 1 to 10000", type="integer", minimum=1, maximum=10000
            ),
        },
        required=("id",),
        expected="a mapping with 'id' and 'text'",
    )
    document = _object(
        {
            "id": _ref("id"),
            "version": _leaf("a whole number of at least 1", type="integer", minimum=1),
            "sector": _leaf("non-empty text", type="string", minLength=1),
            "title": _ref("text"),
            "intro": _ref("text"),
            "goal": _leaf("a number from 0 to 100", type="number", minimum=0, maximum=100),
            "rate_goal": _leaf("a percentage from 0 to 100", type="number", minimum=0, maximum=100),
            "scale": _ref("scale"),
            "overall": overall,
            "dimensions": _leaf(
                "a non-empty list of dimensions", type="array", minItems=1, items=dimension
            ),
            "respondent": _leaf(
                "a list of respondent questions", type="array", items=respondent_question
            ),
            "open_questions": _leaf("a list of open questions", type="array", items=open_question),
        },
        required=("id", "version", "sector", "title", "scale", "overall", "dimensions"),
        expected="a mapping of keys to values",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "surveyapp questionnaire",
        **document,
        "$defs": {"id": _ID, "text": text, "labels": labels, "scale": scale},
    }


@cache
def _schema() -> dict[str, Any]:
    schema = _build_schema()
    Draft202012Validator.check_schema(schema)
    return schema


def questionnaire_schema() -> dict[str, Any]:
    """Return a copy of the JSON Schema of a questionnaire document."""
    return copy.deepcopy(_schema())


@cache
def validator() -> Draft202012Validator:
    """The (cached) Draft 2020-12 validator of a questionnaire document."""
    return Draft202012Validator(_schema())
