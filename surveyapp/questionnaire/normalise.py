"""Normalising a valid document and building the typed questionnaire from it.

Texts are expanded to ``{zh, en}`` (a missing translation falls back to the other
language), options to ``{value, zh, en}``, defaults filled in and every item given its
scale; the result is :attr:`Questionnaire.definition`, itself a valid document that
parses to an equal questionnaire.  :func:`build` makes the frozen dataclasses of
:mod:`.model` from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .model import (
    Dimension,
    Item,
    OpenQuestion,
    Option,
    OverallItem,
    Questionnaire,
    RespondentQuestion,
    Scale,
    Text,
)
from .schema import SECTORS

__all__ = [
    "DEFAULT_GOAL",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_OVERALL_ID",
    "DEFAULT_RESPONDENT_TEXTS",
    "build",
    "normalise",
]

DEFAULT_GOAL = 80.0
DEFAULT_OVERALL_ID = "overall"
DEFAULT_MAX_LENGTH = 1000

#: Question texts used when a respondent question of a well-known id has no ``text``.
DEFAULT_RESPONDENT_TEXTS = {
    "district": Text("您所在的县（区）", "Your county or district"),
    "age_group": Text("您的年龄段", "Your age group"),
    "gender": Text("您的性别", "Your gender"),
}


def _text(value: Any, default: Text) -> dict[str, str]:
    if value is None:
        return default.to_dict()
    if isinstance(value, str):
        return {"zh": value.strip(), "en": value.strip()}
    zh = (value.get("zh") or value.get("en")).strip()
    en = (value.get("en") or value.get("zh")).strip()
    return {"zh": zh, "en": en}


def _scale(value: Mapping[str, Any]) -> dict[str, Any]:
    labels = value.get("labels")
    if isinstance(labels, list):
        labels = {"zh": labels, "en": labels}
    elif isinstance(labels, Mapping):
        zh = labels.get("zh") or labels.get("en")
        en = labels.get("en") or labels.get("zh")
        labels = {"zh": zh, "en": en}
    else:
        labels = {}
    return {
        "min": value["min"],
        "max": value["max"],
        "labels": {lang: [label.strip() for label in lst] for lang, lst in labels.items()},
    }


def _default_threshold(scale: Mapping[str, Any]) -> int:
    """Three quarters up the scale, rounded up: 4 on 1..5, 8 on 0..10."""
    return scale["min"] + math.ceil(0.75 * (scale["max"] - scale["min"]))


def _option(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"value": value, "zh": value.strip(), "en": value.strip()}
    label = _text(
        {k: value[k] for k in ("zh", "en") if k in value}, Text(value["value"], value["value"])
    )
    return {"value": value["value"], **label}


def normalise(data: Mapping[str, Any], sectors: Mapping[str, Text] = SECTORS) -> dict[str, Any]:
    """The canonical JSON-able form of a validated document (see module docstring)."""
    scale = _scale(data["scale"])
    overall = data["overall"]
    overall_scale = _scale(overall.get("scale", data["scale"]))
    sector = sectors.get(data["sector"], Text(data["sector"], data["sector"]))
    overall_text = Text(
        f"总体而言，您对本地{sector.zh}服务满意吗？",
        f"Overall, how satisfied are you with local {sector.en.lower()} services?",
    )
    out: dict[str, Any] = {
        "id": data["id"],
        "version": data["version"],
        "sector": data["sector"],
        "title": _text(data["title"], Text("", "")),
    }
    if "intro" in data:
        out["intro"] = _text(data["intro"], Text("", ""))
    out["goal"] = float(data.get("goal", DEFAULT_GOAL))
    if data.get("rate_goal") is not None:
        out["rate_goal"] = float(data["rate_goal"])
    out["scale"] = scale
    out["overall"] = {
        "id": overall.get("id", DEFAULT_OVERALL_ID),
        "text": _text(overall.get("text"), overall_text),
        "scale": overall_scale,
        "satisfied_threshold": overall.get(
            "satisfied_threshold", _default_threshold(overall_scale)
        ),
        "required": overall.get("required", True),
    }
    out["dimensions"] = [
        {
            "id": dim["id"],
            "title": _text(dim.get("title"), Text(dim["id"], dim["id"])),
            "weight": float(dim["weight"]),
            "items": [
                {
                    "id": item["id"],
                    "text": _text(item.get("text"), Text(item["id"], item["id"])),
                    "weight": float(item.get("weight", 1.0)),
                    "required": item.get("required", False),
                    "scale": _scale(item.get("scale", data["scale"])),
                }
                for item in dim["items"]
            ],
        }
        for dim in data["dimensions"]
    ]
    out["respondent"] = [
        {
            "id": q["id"],
            "type": q.get("type", "choice"),
            "text": _text(
                q.get("text"), DEFAULT_RESPONDENT_TEXTS.get(q["id"], Text(q["id"], q["id"]))
            ),
            "required": q.get("required", True),
            "options": [_option(o) for o in q["options"]],
        }
        for q in data.get("respondent", [])
    ]
    out["open_questions"] = [
        {
            "id": q["id"],
            "text": _text(q.get("text"), Text(q["id"], q["id"])),
            "max_length": q.get("max_length", DEFAULT_MAX_LENGTH),
            "required": q.get("required", False),
        }
        for q in data.get("open_questions", [])
    ]
    return out


def build(definition: dict[str, Any]) -> Questionnaire:
    def text(value: Mapping[str, str]) -> Text:
        return Text(value["zh"], value["en"])

    def scale(value: Mapping[str, Any]) -> Scale:
        labels = {lang: tuple(lst) for lang, lst in value["labels"].items()}
        return Scale(value["min"], value["max"], labels)

    overall = definition["overall"]
    return Questionnaire(
        id=definition["id"],
        version=definition["version"],
        sector=definition["sector"],
        title=text(definition["title"]),
        goal=definition["goal"],
        rate_goal=definition.get("rate_goal"),
        scale=scale(definition["scale"]),
        overall=OverallItem(
            id=overall["id"],
            text=text(overall["text"]),
            scale=scale(overall["scale"]),
            satisfied_threshold=overall["satisfied_threshold"],
            required=overall["required"],
        ),
        dimensions=tuple(
            Dimension(
                id=dim["id"],
                title=text(dim["title"]),
                weight=dim["weight"],
                items=tuple(
                    Item(
                        id=item["id"],
                        text=text(item["text"]),
                        scale=scale(item["scale"]),
                        weight=item["weight"],
                        required=item["required"],
                    )
                    for item in dim["items"]
                ),
            )
            for dim in definition["dimensions"]
        ),
        respondent=tuple(
            RespondentQuestion(
                id=q["id"],
                text=text(q["text"]),
                options=tuple(Option(o["value"], Text(o["zh"], o["en"])) for o in q["options"]),
                type=q["type"],
                required=q["required"],
            )
            for q in definition["respondent"]
        ),
        open_questions=tuple(
            OpenQuestion(
                id=q["id"],
                text=text(q["text"]),
                max_length=q["max_length"],
                required=q["required"],
            )
            for q in definition["open_questions"]
        ),
        intro=text(definition["intro"]) if "intro" in definition else None,
        definition=definition,
    )
