"""Translating JSON Schema errors into problems a bureau can act on.

:mod:`jsonschema` says ``'x' is not of type 'number'``; a bureau editing YAML needs
"'weight' must be a number (got 'x')", a close spelling for an unknown key, and one
problem rather than three for one mistake.  The schema itself is in :mod:`.schema`;
each of its leaves names what it expects in ``x-expected``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from jsonschema import ValidationError

from .errors import Path_, Problem, format_key
from .messages import pair, zh_word
from .schema import EXTENSION_PATTERN

__all__ = ["most_specific", "schema_problems"]

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, Mapping):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return type(value).__name__


def _label(path: Path_) -> str:
    if not path:
        return "the document"
    if isinstance(path[-1], int):
        return f"'{format_key(path[-2:])}'" if len(path) > 1 else f"entry {path[-1]}"
    return f"'{path[-1]}'"


def schema_problems(error: ValidationError) -> list[Problem]:
    """The problems one schema error stands for (an unknown key each, for instance)."""
    path: Path_ = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in instance]
        keys = ", ".join(f"'{k}'" for k in missing)
        plural = "s" if len(missing) > 1 else ""
        return [Problem.of(path, "required", kind="required", keys=keys, plural=plural)]
    if error.validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        problems = []
        for key in instance:
            if key in known or re.match(EXTENSION_PATTERN, str(key)):
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
            where = (*path, key)
            if close:
                problem = Problem.of(
                    where, "unknown_close", kind="unknown", key=key, close=close[0]
                )
            else:
                problem = Problem.of(where, "unknown", kind="unknown", key=key)
            problems.append(problem)
        return problems
    expected = schema.get("x-expected")
    if expected is None:
        if error.validator == "type":
            types = error.validator_value
            types = [types] if isinstance(types, str) else types
            expected = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
        else:  # pragma: no cover - every leaf of our schema names what it expects
            return [Problem(path, error.message)]
    label, got = _label(path), _describe(instance)
    return [
        Problem.of(
            path,
            "must_be",
            kind=str(error.validator),
            label=pair(zh_word(label), label),
            expected=pair(zh_word(expected), expected),
            got=pair(zh_word(got), got),
        )
    ]


def most_specific(problems: list[Problem]) -> list[Problem]:
    """Drop problems that a more precise one explains.

    A misspelt key is reported rather than the required key it was meant to be, and a
    wrong entry inside a text mapping rather than the text as a whole.
    """
    unknown_in = {p.path[:-1] for p in problems if p.kind == "unknown"}
    deeper = {p.path[:n] for p in problems for n in range(len(p.path))}
    return [
        p
        for p in problems
        if not (p.kind == "required" and p.path in unknown_in)
        and not (p.kind == "anyOf" and p.path in deeper)
    ]
