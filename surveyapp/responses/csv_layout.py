"""The responses CSV layout, read column-wise into an :class:`analysis.ResponseMatrix`.

The layout of the analysis contract: one row a respondent, ``respondent_id``, the
respondent questions (``district``, ``age_group`` …), ``period``, one column per answer
id (an integer on the item's scale, empty = not answered), an optional ``duration`` in
seconds, and any other column kept as a category for ``--by``.  ``surveyapp analyze``
reads it with :func:`read_responses`; ``surveyapp responses import`` reads the same
:func:`~surveyapp.csvtable.read_table` and the same column roles (:func:`layout`), so a
file one accepts the other reads the same way.

Checks run over whole columns: a column is coded once (its distinct texts and a code
per row), each distinct text is checked once, and the first bad row of a column is
found with ``np.flatnonzero``.  When several cells are bad, the one of the earliest row
is reported (left to right within a row), as a row-by-row reader would.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from analysis import Categorical, ResponseMatrix
from surveyapp.csvtable import InputError, Table, integers, read_table, texts
from surveyapp.questionnaire.model import Questionnaire

__all__ = [
    "DURATION_COLUMN",
    "ID_COLUMN",
    "PERIOD_COLUMN",
    "ResponsesFile",
    "ResponsesLayout",
    "layout",
    "read_responses",
    "required_columns",
]

ID_COLUMN = "respondent_id"
#: Optional column of completion times in seconds, used by the speeder rule.
DURATION_COLUMN = "duration"
PERIOD_COLUMN = "period"


@dataclass(frozen=True)
class ResponsesLayout:
    """The role of each column of a responses file for one questionnaire.

    ``answers`` are the answer ids with their scale (the rating items in order, then
    the overall item); ``respondent`` the respondent questions present in the header;
    ``extra`` every other column but ``respondent_id`` and ``duration`` (``period``
    included), kept as a category; ``missing`` the answer ids the header lacks.
    Columns keep their header order.
    """

    answers: tuple[tuple[str, int, int], ...]
    respondent: tuple[str, ...]
    extra: tuple[str, ...]
    duration: bool
    missing: tuple[str, ...]
    #: ``respondent`` and ``extra`` together, in header order.
    categories: tuple[str, ...]


def layout(header: Sequence[str], questionnaire: Questionnaire) -> ResponsesLayout:
    """Which column of ``header`` is what for ``questionnaire``."""
    q = questionnaire
    answers = tuple((a, q.scale_of(a).min, q.scale_of(a).max) for a in q.answer_ids)
    present = set(header)
    taken = {a for a, _, _ in answers} | {ID_COLUMN, DURATION_COLUMN}
    questions = set(q.respondent_ids)
    categories = [h for h in header if h not in taken]
    return ResponsesLayout(
        answers=answers,
        respondent=tuple(h for h in categories if h in questions),
        extra=tuple(h for h in categories if h not in questions),
        duration=DURATION_COLUMN in present,
        missing=tuple(a for a, _, _ in answers if a not in present),
        categories=tuple(categories),
    )


@dataclass(frozen=True)
class ResponsesFile:
    """RESPONSES.csv as arrays, with the file row of every respondent."""

    path: str
    matrix: ResponseMatrix
    rows: np.ndarray
    header: tuple[str, ...]


class _FirstError:
    """The error of the earliest (row, position in the row) among those offered."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.best: tuple[int, int, InputError] | None = None

    def offer(self, bad: np.ndarray, order: int, make) -> None:
        """``bad``: a boolean mask over the rows; ``make(i)`` the error of row ``i``."""
        hits = np.flatnonzero(bad)
        if hits.size and (self.best is None or (hits[0], order) < self.best[:2]):
            i = int(hits[0])
            self.best = (i, order, make(i))

    def raise_any(self) -> None:
        if self.best is not None:
            raise self.best[2]


def _score(text: str, lo: int, hi: int) -> tuple[float, str | None]:
    """One distinct text of a score column: its value, or what is wrong with it."""
    s = text.strip()
    if not s:
        return math.nan, None
    try:
        x = float(s)
    except ValueError:
        return math.nan, f"{text!r} is not a score (an integer {lo}-{hi}, or empty)"
    if not x.is_integer():
        return math.nan, f"{text!r} is not an integer score"
    if not lo <= x <= hi:
        return math.nan, f"score {s} is outside the scale {lo}-{hi}"
    return x, None


def _seconds(text: str) -> tuple[float, str | None]:
    s = text.strip()
    if not s:
        return math.nan, None
    try:
        return float(s), None
    except ValueError:
        return math.nan, f"{s!r} is not a number of seconds"


def _numbers(table: Table, name: str, parse, order: int, errors: _FirstError) -> np.ndarray:
    """A numeric column: each distinct text parsed once, then looked up for every row."""
    codes, texts = table.codes(name)
    parsed = [parse(t) for t in texts]
    values = np.array([v for v, _ in parsed], dtype=np.float64)
    messages = [m for _, m in parsed]
    bad = np.array([m is not None for m in messages], dtype=bool)
    if bad.any():
        rows = table.rows
        errors.offer(
            bad[codes],
            order,
            lambda i: InputError(table.name, int(rows[i]), name, messages[codes[i]]),
        )
    return values[codes]


def read_responses(
    source: str | os.PathLike[str] | bytes,
    questionnaire: Questionnaire,
    *,
    encoding: str = "utf-8",
    name: str | None = None,
) -> ResponsesFile:
    """Read and check RESPONSES.csv (a path or its bytes) against ``questionnaire``.

    Checks: a column for ``respondent_id`` and every rating item and the overall
    item; a non-empty, unique ``respondent_id``; scores integers on their item's
    scale (empty = not answered); respondent values among the questionnaire's
    options (empty only for an optional question); a numeric ``duration`` if given.
    Other columns are kept as free-text categories for ``--by``.  Every category
    column is a :class:`analysis.Categorical`, coded as a stored round's columns are
    (a respondent question's levels are its options, then ``""`` if some row is empty).

    Raises :class:`InputError` naming the file, the row and the column.
    """
    table = read_table(source, encoding=encoding, name=name)
    path = table.name
    q = questionnaire
    if ID_COLUMN not in table.header:
        raise InputError(path, "header", ID_COLUMN, "missing: every row needs a respondent id")
    roles = layout(table.header, q)
    if roles.missing:
        answer_id = roles.missing[0]
        raise InputError(
            path, "header", answer_id, f"missing: questionnaire {q.id} has an item {answer_id}"
        )
    if table.n == 0:
        raise InputError(path, 2, None, "no data rows")
    errors = _FirstError(table)
    ids = _respondent_ids(table, errors)
    n = table.n
    answers = roles.answers
    scores = np.empty((n, len(answers) - 1), dtype=np.float64)
    overall = np.empty(n, dtype=np.float64)
    for k, (answer_id, lo, hi) in enumerate(answers):
        column = _numbers(
            table, answer_id, lambda t, lo=lo, hi=hi: _score(t, lo, hi), 1 + k, errors
        )
        if k < len(answers) - 1:
            scores[:, k] = column
        else:
            overall[:] = column
    durations = (
        _numbers(table, DURATION_COLUMN, _seconds, 1 + len(answers), errors)
        if roles.duration
        else None
    )
    questions = {rq.id: rq for rq in q.respondent}
    columns: dict[str, Categorical] = {}
    for name_ in roles.categories:
        order = 2 + len(answers) + table.header.index(name_)
        columns[name_] = _categorical(table, name_, questions.get(name_), order, errors)
    errors.raise_any()
    matrix = ResponseMatrix(
        respondent_ids=ids,
        scores=scores,
        overall=overall,
        columns=columns,
        durations=durations,
        levels={rq.id: rq.values for rq in q.respondent if rq.id in columns},
    )
    return ResponsesFile(path, matrix, table.rows, table.header)


def _respondent_ids(table: Table, errors: _FirstError) -> np.ndarray:
    """The stripped ids; an empty one, or one on an earlier row, is an error."""
    ids = pc.utf8_trim_whitespace(table.column(ID_COLUMN))
    rows = table.rows
    empty = integers(pc.binary_length(ids)) == 0
    errors.offer(
        empty,
        0,
        lambda i: InputError(table.name, int(rows[i]), ID_COLUMN, "empty respondent id"),
    )
    encoded = pc.dictionary_encode(ids)
    values = texts(ids)
    if len(encoded.dictionary) < table.n:  # codes count up from 0 in order of first appearance
        codes = integers(encoded.indices)
        _, first = np.unique(codes, return_index=True)
        repeat = (first[codes] != np.arange(table.n)) & ~empty
        errors.offer(
            repeat,
            0,
            lambda i: InputError(
                table.name,
                int(rows[i]),
                ID_COLUMN,
                f"respondent id {values[i]!r} already on row {int(rows[first[codes[i]]])}",
            ),
        )
    return values


def _categorical(table: Table, name: str, question, order: int, errors: _FirstError):
    """A category column, stripped and coded; a respondent question's values checked."""
    raw_codes, texts = table.codes(name)
    clean = [t.strip() for t in texts]
    if question is None:
        levels = list(dict.fromkeys(clean))
    else:
        options = set(question.values)
        wrong = [v not in options and (bool(v) or question.required) for v in clean]
        if any(wrong):
            rows = table.rows

            def error(i: int) -> InputError:
                value = clean[raw_codes[i]]
                what = f"{value!r} is not an option of {name}" if value else f"{name} is required"
                return InputError(table.name, int(rows[i]), name, what)

            errors.offer(np.array(wrong, dtype=bool)[raw_codes], order, error)
            return Categorical(np.zeros(table.n, dtype=np.intp), ("",))
        levels = list(question.values)
        if "" in clean:
            levels.append("")
    index = {v: j for j, v in enumerate(levels)}
    codes = np.array([index[v] for v in clean], dtype=np.intp)[raw_codes]
    return Categorical.create(codes, levels)


def required_columns(responses: ResponsesFile, names: Sequence[str], option: str) -> None:
    """Every column named by an option must exist (error on the header)."""
    for name in names:
        if name not in responses.matrix.columns:
            raise InputError(
                responses.path, "header", name, f"no such column (asked for by {option})"
            )
