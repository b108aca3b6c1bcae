"""Read, validate and normalise questionnaire files.

A file goes through three checks, and the first failing one is reported as a
:class:`QuestionnaireError` naming the file, the line and the key:

1. YAML: syntax, duplicate keys, keys that are not text;
2. shape: the JSON Schema of :mod:`surveyapp.questionnaire.schema`;
3. meaning: unique ids, a known sector, scales and labels that fit together.

Within a check the error nearest the top of the file wins, so the same file always
gives the same message.  A valid document is then normalised (texts expanded to
``{zh, en}``, options to ``{value, zh, en}``, defaults filled in, every item given its
scale) into :attr:`Questionnaire.definition`, and the dataclasses are built from that
mapping.  The definition is itself a valid document that parses to an equal
questionnaire.
"""

from __future__ import annotations

import difflib
import errno
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import ValidationError

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
from .schema import EXTENSION_PATTERN, SECTORS, validator

__all__ = [
    "DEFAULT_GOAL",
    "QuestionnaireError",
    "builtin_dir",
    "discover",
    "load_questionnaire",
    "parse_questionnaire",
    "questionnaire_errors",
    "validate_files",
]

DEFAULT_GOAL = 80.0
DEFAULT_OVERALL_ID = "overall"
DEFAULT_MAX_LENGTH = 1000
MAX_SCALE_SPAN = 10
SUFFIXES = (".yaml", ".yml")

#: Question texts used when a respondent question of a well-known id has no ``text``.
DEFAULT_RESPONDENT_TEXTS = {
    "district": Text("您所在的县（区）", "Your county or district"),
    "age_group": Text("您的年龄段", "Your age group"),
    "gender": Text("您的性别", "Your gender"),
}

Path_ = tuple[str | int, ...]


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used, with where and why.

    ``key`` is the path of the offending value, such as
    ``dimensions[2].items[0].weight`` ("" for the whole document); ``line`` is 1-based,
    or None when unknown.
    """

    def __init__(self, file: str, key: str, line: int | None, message: str) -> None:
        super().__init__(file, key, line, message)
        self.file = file
        self.key = key
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}" if where else str(self.line)
        parts = [part for part in (where, self.key, self.message) if part]
        return ": ".join(parts)


def format_key(path: Iterable[str | int]) -> str:
    """``("dimensions", 2, "weight")`` -> ``"dimensions[2].weight"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# --------------------------------------------------------------------------- YAML


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composed nodes keep their marks (PyYAML always does)."""


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Problem(Exception):
    """Internal: a located problem, turned into a QuestionnaireError by the caller."""

    def __init__(self, path: Path_, message: str, line: int | None = None, kind: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.kind = kind


class _Document:
    """A parsed YAML document: its data and where each path sits in the file."""

    def __init__(self, text: str) -> None:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.problems: list[_Problem] = []
        if node is not None:
            self.marks[()] = (node.start_mark.line + 1, node.start_mark.column)
            self._index(node, ())

    def _index(self, node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                mark = (key_node.start_mark.line + 1, key_node.start_mark.column)
                if key_node.tag == _MERGE_TAG:
                    continue
                if key_node.tag != _STR_TAG or not isinstance(key_node, yaml.ScalarNode):
                    shown = getattr(key_node, "value", "?")
                    if not isinstance(shown, str):
                        shown = "a list or mapping"
                    self.problems.append(
                        _Problem(path, f"key '{shown}' must be text: put it in quotes", mark[0])
                    )
                    continue
                key = key_node.value
                child = (*path, key)
                if key in seen:
                    self.problems.append(
                        _Problem(
                            child, f"duplicate key '{key}' (also on line {seen[key]})", mark[0]
                        )
                    )
                else:
                    seen[key] = mark[0]
                self.marks.setdefault(child, mark)
                self._index(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, value_node in enumerate(node.value):
                child = (*path, index)
                mark = (value_node.start_mark.line + 1, value_node.start_mark.column)
                self.marks.setdefault(child, mark)
                self._index(value_node, child)

    def mark(self, path: Path_) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor found in the file."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 0))

    def line(self, path: Path_) -> int:
        return self.mark(path)[0]


def _yaml_error(exc: yaml.YAMLError, text: str, source: str) -> QuestionnaireError:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        kind = (
            "YAML error"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        problem = exc.problem or "invalid YAML"
        context = exc.context or ""
        if context.startswith("expected") and problem.startswith("but found"):
            message = f"{kind}: {context}, {problem}"
        elif context:
            message = f"{kind}: {problem} ({context})"
        else:
            message = f"{kind}: {problem}"
        if "'\\t'" in problem:
            message = f"{kind}: found a tab; indent with spaces, not tabs"
        elif "flow" in context:
            message += "; put text containing ':', '?', ',' or brackets in quotes"
        elif "block" in context:
            message += "; check the indentation"
        return QuestionnaireError(source, "", exc.problem_mark.line + 1, message)
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return QuestionnaireError(
            source, "", line, f"YAML syntax error: unacceptable character #x{exc.character:04x}"
        )
    return QuestionnaireError(source, "", None, f"YAML syntax error: {exc}")


# ------------------------------------------------------------------------- schema


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


def _schema_problems(error: ValidationError) -> list[_Problem]:
    path: Path_ = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in instance]
        keys = ", ".join(f"'{k}'" for k in missing)
        plural = "s" if len(missing) > 1 else ""
        return [_Problem(path, f"missing required key{plural} {keys}", kind="required")]
    if error.validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        problems = []
        for key in instance:
            if key in known or re.match(EXTENSION_PATTERN, str(key)):
                continue
            message = f"unknown key '{key}'"
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
            if close:
                message += f" (did you mean '{close[0]}'?)"
            problems.append(_Problem((*path, key), message, kind="unknown"))
        return problems
    expected = schema.get("x-expected")
    if expected is None:
        if error.validator == "type":
            types = error.validator_value
            types = [types] if isinstance(types, str) else types
            expected = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
        else:  # pragma: no cover - every leaf of our schema names what it expects
            return [_Problem(path, error.message)]
    message = f"{_label(path)} must be {expected} (got {_describe(instance)})"
    return [_Problem(path, message, kind=str(error.validator))]


def _most_specific(problems: list[_Problem]) -> list[_Problem]:
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


# ------------------------------------------------------------------------ meaning


def _scale_problems(scale: Mapping[str, Any], path: Path_) -> list[_Problem]:
    low, high = scale["min"], scale["max"]
    if high <= low:
        return [_Problem((*path, "max"), f"'max' must be greater than 'min' (got {low}..{high})")]
    if high - low > MAX_SCALE_SPAN:
        return [
            _Problem(
                (*path, "max"),
                f"'max' must be at most 'min' + {MAX_SCALE_SPAN} (got {low}..{high})",
            )
        ]
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
                _Problem(
                    where,
                    f"'{where[-1]}' must have {points} labels, one for each point of "
                    f"{low}..{high} (got {len(values)})",
                )
            )
    return problems


def _semantic_problems(
    data: Mapping[str, Any],
    sectors: Mapping[str, Text],
    position: Callable[[Path_], tuple[int, int]],
) -> list[_Problem]:
    """Problems of meaning in a document that fits the schema; ``position`` locates paths."""
    problems: list[_Problem] = []

    if data["sector"] not in sectors:
        known = ", ".join(sectors)
        problems.append(
            _Problem(("sector",), f"unknown sector '{data['sector']}' (known: {known})")
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
                _Problem(
                    ("overall", "satisfied_threshold"),
                    f"'satisfied_threshold' must be within the overall scale {low}..{high} "
                    f"(got {threshold})",
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
                    _Problem(
                        ("respondent", r, "options", o),
                        f"duplicate option '{value}' (also options[{values[value]}])",
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
                problems.append(_Problem(path, f"duplicate id '{value}' (also used at {where})"))
            else:
                first[value] = path
    return problems


# -------------------------------------------------------------------- normalising


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


def _build(definition: dict[str, Any]) -> Questionnaire:
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


# ------------------------------------------------------------------------- public


def _known_sectors(sectors: Mapping[str, Text] | Iterable[str] | None) -> dict[str, Text]:
    known = dict(SECTORS)
    if sectors is None:
        return known
    if isinstance(sectors, Mapping):
        known.update(sectors)
    else:
        known.update({s: Text(s, s) for s in sectors if s not in known})
    return known


class _Refused(Exception):
    """Internal: the located problems of the first check that failed, in file order."""

    def __init__(self, errors: list[QuestionnaireError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _located(problems: list[_Problem], doc: _Document, source: str) -> _Refused:
    def position(problem: _Problem) -> tuple[int, int, str, str]:
        line, column = doc.mark(problem.path)
        if problem.line is not None:
            line, column = problem.line, 0
        return (line, column, format_key(problem.path), problem.message)

    return _Refused(
        [
            QuestionnaireError(source, format_key(p.path), position(p)[0], p.message)
            for p in sorted(problems, key=position)
        ]
    )


def _validated(
    text: str, source: str, sectors: Mapping[str, Text] | Iterable[str] | None
) -> tuple[Any, dict[str, Text]]:
    """The checked document and the known sectors; raises :class:`_Refused`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        doc = _Document(text)
    except yaml.YAMLError as exc:
        raise _Refused([_yaml_error(exc, text, source)]) from None
    if doc.problems:
        raise _located(doc.problems, doc, source)
    if doc.data is None:
        raise _Refused([QuestionnaireError(source, "", None, "the file is empty")])

    problems = [p for e in validator().iter_errors(doc.data) for p in _schema_problems(e)]
    problems = _most_specific(problems)
    if problems:
        raise _located(problems, doc, source)

    known = _known_sectors(sectors)
    problems = _semantic_problems(doc.data, known, doc.mark)
    if problems:
        raise _located(problems, doc, source)
    return doc.data, known


def parse_questionnaire(
    text: str,
    source: str = "<string>",
    *,
    sectors: Mapping[str, Text] | Iterable[str] | None = None,
) -> Questionnaire:
    """Parse and validate the YAML ``text`` of a questionnaire.

    ``source`` names the text in error messages.  ``sectors`` adds sectors to the
    built-in :data:`SECTORS` (a mapping to their names, or just ids).  Raises
    :class:`QuestionnaireError` for the first problem found.
    """
    try:
        data, known = _validated(text, source, sectors)
    except _Refused as refused:
        raise refused.errors[0] from None
    return _build(normalise(data, known))


def questionnaire_errors(
    text: str,
    source: str = "<string>",
    *,
    sectors: Mapping[str, Text] | Iterable[str] | None = None,
) -> list[QuestionnaireError]:
    """Every problem of the first check that fails (YAML, shape, meaning), in file order.

    Empty when ``text`` is a valid questionnaire.  The admin editor shows the whole
    list at once, so one round trip fixes several mistakes; :func:`parse_questionnaire`
    raises the first of the same list.
    """
    try:
        _validated(text, source, sectors)
    except _Refused as refused:
        return refused.errors
    return []


def load_questionnaire(
    path: str | Path, *, sectors: Mapping[str, Text] | Iterable[str] | None = None
) -> Questionnaire:
    """Read a UTF-8 questionnaire file (a byte-order mark is allowed) and parse it.

    Errors name the file as ``str(path)``.  A missing or unreadable file raises
    :class:`OSError` as usual.
    """
    source = str(path)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise QuestionnaireError(source, "", line, "the file is not UTF-8 text") from None
    return parse_questionnaire(text, source, sectors=sectors)


def builtin_dir() -> Path:
    """The repository's ``questionnaires/`` folder of shipped questionnaires."""
    return Path(__file__).resolve().parents[2] / "questionnaires"


def discover(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """Expand ``paths`` to questionnaire files, each once, in the given order.

    A directory stands for its ``*.yaml`` and ``*.yml`` files (not recursive, sorted
    by name); a file stands for itself.  No paths means :func:`builtin_dir`.  Raises
    :class:`FileNotFoundError` for a path that does not exist.
    """
    if paths is None:
        paths = [builtin_dir()]
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    return list(dict.fromkeys(found))


def validate_files(
    paths: Iterable[str | Path] | None = None,
    *,
    sectors: Mapping[str, Text] | Iterable[str] | None = None,
) -> list[QuestionnaireError]:
    """Check every file of ``paths`` (as for :func:`discover`); one error per bad file.

    All files are checked; a file that cannot be read is reported like a bad one.
    Besides each file's own problems, two files may not share an id and version.
    """
    files: list[Path] = []
    for path in map(Path, [builtin_dir()] if paths is None else paths):
        files.extend(discover([path]) if path.is_dir() else [path])
    errors: list[QuestionnaireError] = []
    seen: dict[tuple[str, int], Path] = {}
    for path in dict.fromkeys(files):
        try:
            questionnaire = load_questionnaire(path, sectors=sectors)
        except QuestionnaireError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(QuestionnaireError(str(path), "", None, exc.strerror or str(exc)))
            continue
        key = (questionnaire.id, questionnaire.version)
        if key in seen:
            errors.append(
                QuestionnaireError(
                    str(path),
                    "id",
                    _id_line(path),
                    f"questionnaire '{key[0]}' version {key[1]} is also defined in {seen[key]}",
                )
            )
        else:
            seen[key] = path
    return errors


def _id_line(path: Path) -> int | None:
    doc = _Document(path.read_text(encoding="utf-8-sig"))
    return doc.marks.get(("id",), (None, 0))[0]
