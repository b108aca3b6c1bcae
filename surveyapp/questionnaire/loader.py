"""Load a questionnaire: the checks in order, and the first failing one reported.

A file goes through three checks, and the first failing one is reported as a
:class:`QuestionnaireError` naming the file, the line and the key:

1. YAML (:mod:`.reading`): syntax, duplicate keys, keys that are not text;
2. shape: the JSON Schema of :mod:`.schema`, its errors put in words by
   :mod:`.schema_errors`;
3. meaning (:mod:`.semantics`): unique ids, a known sector, scales and labels that fit
   together.

:func:`questionnaire_errors` lists every problem in file order (the meaning problems
too when the shape is wrong, as far as the meaning checks can read the document), and
:func:`parse_questionnaire` raises the first (a problem of shape before one of
meaning), so the same file always gives the same message.  A valid document is then normalised and built into a
:class:`Questionnaire` (:mod:`.normalise`).  Finding files and checking many at once is
:mod:`.files`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, QuestionnaireError, format_key
from .messages import texts
from .model import Questionnaire, Text
from .normalise import DEFAULT_GOAL, build, normalise
from .reading import Document, decode, yaml_error
from .schema import SECTORS, validator
from .schema_errors import most_specific, schema_problems
from .semantics import semantic_problems

__all__ = [
    "DEFAULT_GOAL",
    "QuestionnaireError",
    "load_questionnaire",
    "parse_questionnaire",
    "questionnaire_errors",
]


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
    """Internal: the located problems, in file order; ``first`` the one to raise alone
    (a problem of shape before a problem of meaning, even further down)."""

    def __init__(
        self, errors: list[QuestionnaireError], first: QuestionnaireError | None = None
    ) -> None:
        super().__init__(errors)
        self.errors = errors
        self.first = first or errors[0]


def _located(problems: list[Problem], doc: Document, source: str) -> _Refused:
    def position(problem: Problem) -> tuple[int, int, str, str]:
        line, column = doc.mark(problem.path)
        if problem.line is not None:
            line, column = problem.line, 0
        return (line, column, format_key(problem.path), problem.message)

    return _Refused(
        [
            QuestionnaireError(source, format_key(p.path), position(p)[0], p.message, p.zh)
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
        doc = Document(text)
    except yaml.YAMLError as exc:
        raise _Refused([yaml_error(exc, text, source)]) from None
    if doc.problems:
        raise _located(doc.problems, doc, source)
    if doc.data is None:
        zh, en = texts("empty")
        raise _Refused([QuestionnaireError(source, "", None, en, zh)])

    problems = [p for e in validator().iter_errors(doc.data) for p in schema_problems(e)]
    problems = most_specific(problems)
    known = _known_sectors(sectors)
    if problems:
        shape = _located(problems, doc, source)
        every = _located(problems + _meaning_beside(problems, doc, known), doc, source)
        raise _Refused(every.errors, shape.errors[0])

    problems = semantic_problems(doc.data, known, doc.mark)
    if problems:
        raise _located(problems, doc, source)
    return doc.data, known


#: What the meaning checks may raise on a document that does not fit the schema.
_SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def _meaning_beside(shape: list[Problem], doc: Document, known: dict[str, Text]) -> list[Problem]:
    """The meaning problems of a document that also has shape problems, so the editor
    lists every problem at once (a duplicate id below a misspelt key is not hidden
    until the next round trip).  The meaning checks expect the schema's shape: where a
    shape problem stops them, only the shape problems are reported; a meaning problem
    at or under a path that already has a shape problem is left out (one cause, one
    line)."""
    if not isinstance(doc.data, Mapping):  # not even a mapping: the shape says it all
        return []
    try:
        meaning = semantic_problems(doc.data, known, doc.mark)
    except _SHAPE_ERRORS:
        return []

    def under(path: tuple[object, ...], other: tuple[object, ...]) -> bool:
        return path[: len(other)] == other or other[: len(path)] == path

    return [m for m in meaning if not any(under(tuple(m.path), tuple(s.path)) for s in shape)]


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
        raise refused.first from None
    return build(normalise(data, known))


def questionnaire_errors(
    text: str,
    source: str = "<string>",
    *,
    sectors: Mapping[str, Text] | Iterable[str] | None = None,
) -> list[QuestionnaireError]:
    """Every problem found (YAML; or shape and meaning), in file order.

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
    text = decode(Path(path).read_bytes(), source)
    return parse_questionnaire(text, source, sectors=sectors)
