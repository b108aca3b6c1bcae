"""Checks of meaning: what the schema cannot say about a document that fits it.

Ids unique within the questionnaire (dimensions among themselves, every answer among
the answers), options unique within a question, a known sector, scales of at most
``MAX_SCALE_SPAN + 1`` points whose labels fit them, and a satisfaction threshold on
the overall item's scale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import Path_, Problem, format_key
from .model import Text
from .normalise import DEFAULT_OVERALL_ID

__all__ = ["MAX_SCALE_SPAN", "semantic_problems"]

MAX_SCALE_SPAN = 10


def _scale_problems(scale: Mapping[str, Any], path: Path_) -> list[Problem]:
    low, high = scale["min"], scale["max"]
    if high <= low:
        return [Problem.of((*path, "max"), "max_above_min", low=low, high=high)]
    if high - low > MAX_SCALE_SPAN:
        return [Problem.of((*path, "max"), "max_span", span=MAX_SCALE_SPAN, low=low, high=high)]
    problems = []
    labels = scale.get("labels")
    points = high - low + 1
    lists: list[tuple[Path_, list[str]]] = []
    if isinstance(labels, list):
        lists.append(((*path, "labels"), labels))
    elif isinstance(labels, Mapping):
        lists.extend(
            ((*path, "labels", lang), labels[lang]) for lang in ("zh", "en") if lang in labels
        )
    for where, values in lists:
        if len(values) != points:
            problems.append(
                Problem.of(
                    where,
                    "label_count",
                    name=where[-1],
                    points=points,
                    low=low,
                    high=high,
                    count=len(values),
                )
            )
    return problems


def semantic_problems(
    data: Mapping[str, Any],
    sectors: Mapping[str, Text],
    position: Callable[[Path_], tuple[int, int]],
) -> list[Problem]:
    """Problems of meaning in a document that fits the schema; ``position`` locates paths."""
    problems: list[Problem] = []

    if data["sector"] not in sectors:
        known = ", ".join(sectors)
        problems.append(
            Problem.of(("sector",), "unknown_sector", sector=data["sector"], known=known)
        )

    problems += _scale_problems(data["scale"], ("scale",))
    overall = data["overall"]
    if "scale" in overall:
        problems += _scale_problems(overall["scale"], ("overall", "scale"))
    for d, dim in enumerate(data["dimensions"]):
        for i, item in enumerate(dim["items"]):
            if "scale" in item:
                problems += _scale_problems(item["scale"], ("dimensions", d, "items", i, "scale"))

    overall_scale = overall.get("scale", data["scale"])
    if "satisfied_threshold" in overall:
        low, high = overall_scale["min"], overall_scale["max"]
        threshold = overall["satisfied_threshold"]
        if not low <= threshold <= high:
            problems.append(
                Problem.of(
                    ("overall", "satisfied_threshold"),
                    "threshold_range",
                    low=low,
                    high=high,
                    threshold=threshold,
                )
            )

    # ids in file order, so that the later of two equal ids is the one reported
    answer_ids: list[tuple[str, Path_]] = []
    dimension_ids: list[tuple[str, Path_]] = []
    for d, dim in enumerate(data["dimensions"]):
        dimension_ids.append((dim["id"], ("dimensions", d, "id")))
        for i, item in enumerate(dim["items"]):
            answer_ids.append((item["id"], ("dimensions", d, "items", i, "id")))
    answer_ids.append((overall.get("id", DEFAULT_OVERALL_ID), ("overall", "id")))
    for r, question in enumerate(data.get("respondent", [])):
        answer_ids.append((question["id"], ("respondent", r, "id")))
        values: dict[str, int] = {}
        for o, option in enumerate(question["options"]):
            value = option if isinstance(option, str) else option["value"]
            if value in values:
                problems.append(
                    Problem.of(
                        ("respondent", r, "options", o),
                        "duplicate_option",
                        value=value,
                        other=values[value],
                    )
                )
            else:
                values[value] = o
    for q, question in enumerate(data.get("open_questions", [])):
        answer_ids.append((question["id"], ("open_questions", q, "id")))

    for ids in (dimension_ids, answer_ids):
        first: dict[str, Path_] = {}
        for value, path in sorted(ids, key=lambda entry: position(entry[1])):
            if value in first:
                where = format_key(first[value])
                problems.append(Problem.of(path, "duplicate_id", value=value, where=where))
            else:
                first[value] = path
    return problems
