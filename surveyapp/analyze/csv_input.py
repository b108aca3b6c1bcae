"""Read RESPONSES.csv and MARGINS.csv for ``surveyapp analyze``, checking them.

Every problem is an :class:`InputError` whose text is one line naming the file, the
row (1-based data row, or ``header``) and the column, so a user can open the file and
fix it.  Nothing is analysed until both files have been read in full.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis import Margins, ResponseMatrix
from surveyapp.questionnaire.model import Questionnaire

__all__ = [
    "DURATION_COLUMN",
    "ID_COLUMN",
    "InputError",
    "MarginsFile",
    "ResponsesFile",
    "check_margins",
    "read_margins",
    "read_responses",
]

ID_COLUMN = "respondent_id"
#: Optional column of completion times in seconds, used by the speeder rule.
DURATION_COLUMN = "duration"
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030"}


class InputError(ValueError):
    """Bad input: ``str()`` is one line naming file, row and column."""

    def __init__(self, file: str, row: int | str | None, column: str | None, message: str):
        super().__init__(file, row, column, message)
        self.file = file
        self.row = row
        self.column = column
        self.message = message

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}" if isinstance(self.row, int) else str(self.row))
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) + ": " + self.message.replace("\n", " ")


def _codec(path: str, encoding: str) -> str:
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise InputError(
            path, None, None, f"unsupported encoding {encoding!r} (use utf-8 or gb18030)"
        )
    return codec


def _decode_error(path: str, encoding: str, codec: str) -> InputError:
    """Where the file stops being text in ``codec`` (read again, only after a failure)."""
    raw = Path(path).read_bytes()
    try:
        codecs.decode(raw, codec)
        start = len(raw)
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw[:start].count(b"\n") + 1
    row: int | str = "header" if line == 1 else line - 1
    hint = " (a GB18030 file needs --encoding gb18030)" if codec == "utf-8-sig" else ""
    return InputError(path, row, None, f"not valid {encoding.upper()} text{hint}")


@contextlib.contextmanager
def _records(
    path: str, encoding: str
) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]]]]:
    """The header and the (row number, fields) of every non-blank data row, streamed.

    Row numbers count the records after the header (blank lines included), so row
    ``N`` is line ``N + 1`` of a file without line breaks inside quoted fields.
    """
    codec = _codec(path, encoding)
    try:
        fh = open(path, encoding=codec, newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(path, None, None, f"cannot read the file: {exc.strerror or exc}") from None
    with fh:
        reader = csv.reader(fh, strict=True)
        try:
            first = next(reader, None)
        except UnicodeDecodeError:
            raise _decode_error(path, encoding, codec) from None
        except csv.Error as exc:
            raise InputError(path, "header", None, f"not readable as CSV: {exc}") from None
        if first is None or all(not f.strip() for f in first):
            raise InputError(path, "header", None, "the file is empty")
        header = [h.strip() for h in first]
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise InputError(path, "header", name, "the column appears twice")
            seen.add(name)

        def rows() -> Iterator[tuple[int, list[str]]]:
            number = 0
            width = len(header)
            try:
                for fields in reader:
                    number += 1
                    if len(fields) != width:
                        if not fields or all(not f.strip() for f in fields):
                            continue
                        raise InputError(
                            path, number, None, f"{len(fields)} fields where the header has {width}"
                        )
                    yield number, fields
            except UnicodeDecodeError:
                raise _decode_error(path, encoding, codec) from None
            except csv.Error as exc:
                raise InputError(path, number + 1, None, f"not readable as CSV: {exc}") from None

        yield header, rows()


@dataclass(frozen=True)
class ResponsesFile:
    """RESPONSES.csv as arrays, with the file row of every respondent."""

    path: str
    matrix: ResponseMatrix
    rows: np.ndarray
    header: tuple[str, ...]


def _score_parser(path: str, column: str, lo: int, hi: int):
    lut = {str(v): float(v) for v in range(lo, hi + 1)}
    lut[""] = math.nan

    def parse(text: str, row: int) -> float:
        value = lut.get(text)
        if value is not None:
            return value
        s = text.strip()
        if not s:
            return math.nan
        try:
            x = float(s)
        except ValueError:
            raise InputError(
                path, row, column, f"{text!r} is not a score (an integer {lo}-{hi}, or empty)"
            ) from None
        if not x.is_integer():
            raise InputError(path, row, column, f"{text!r} is not an integer score")
        if not lo <= x <= hi:
            raise InputError(path, row, column, f"score {s} is outside the scale {lo}-{hi}")
        return x

    return parse


def read_responses(
    path: str, questionnaire: Questionnaire, *, encoding: str = "utf-8"
) -> ResponsesFile:
    """Read and check RESPONSES.csv against ``questionnaire``.

    Checks: a column for ``respondent_id`` and every rating item and the overall
    item; a non-empty, unique ``respondent_id``; scores integers on their item's
    scale (empty = not answered); respondent values among the questionnaire's
    options (empty only for an optional question); a numeric ``duration`` if given.
    Other columns are kept as free-text categories for ``--by``.
    """
    with _records(path, encoding) as (header, records):
        return _read_responses(path, questionnaire, header, records)


def _read_responses(
    path: str,
    questionnaire: Questionnaire,
    header: list[str],
    records: Iterator[tuple[int, list[str]]],
) -> ResponsesFile:
    pos = {name: i for i, name in enumerate(header)}
    if ID_COLUMN not in pos:
        raise InputError(path, "header", ID_COLUMN, "missing: every row needs a respondent id")
    item_ids = [it.id for it in questionnaire.items]
    for answer_id in [*item_ids, questionnaire.overall.id]:
        if answer_id not in pos:
            raise InputError(
                path,
                "header",
                answer_id,
                f"missing: questionnaire {questionnaire.id} has an item {answer_id}",
            )
    ov = questionnaire.overall
    answers = [(it.id, it.scale.min, it.scale.max) for it in questionnaire.items]
    answers.append((ov.id, ov.scale.min, ov.scale.max))
    answer_pos = [pos[a] for a, _, _ in answers]
    slow = [_score_parser(path, a, lo, hi) for a, lo, hi in answers]
    fast = []
    for _, lo, hi in answers:
        lut = {str(v): float(v) for v in range(lo, hi + 1)}
        lut[""] = math.nan
        fast.append(lut.get)
    pairs = list(zip(fast, answer_pos, strict=True))
    answer_cols = {a for a, _, _ in answers} | {ID_COLUMN, DURATION_COLUMN}
    cat_names = [h for h in header if h not in answer_cols]
    questions = {q.id: q for q in questionnaire.respondent}
    # per column: raw text -> code (fast path), clean value -> code, codes, the rule
    cats = [
        (
            name,
            pos[name],
            {},
            {},
            array("l"),
            (set(questions[name].values), questions[name].required) if name in questions else None,
        )
        for name in cat_names
    ]
    flat = array("d")
    durations = array("d")
    ids: list[str] = []
    first_row: dict[str, int] = {}
    numbers = array("l")
    id_pos = pos[ID_COLUMN]
    dur_pos = pos.get(DURATION_COLUMN)
    for number, fields in records:
        rid = fields[id_pos].strip()
        if not rid:
            raise InputError(path, number, ID_COLUMN, "empty respondent id")
        if rid in first_row:
            raise InputError(
                path, number, ID_COLUMN, f"respondent id {rid!r} already on row {first_row[rid]}"
            )
        first_row[rid] = number
        ids.append(rid)
        numbers.append(number)
        values = [get(fields[p]) for get, p in pairs]
        if None in values:  # something other than a plain integer or empty: check it
            values = [parse(fields[p], number) for parse, p in zip(slow, answer_pos, strict=True)]
        flat.extend(values)
        if dur_pos is not None:
            d = fields[dur_pos].strip()
            try:
                durations.append(float(d) if d else math.nan)
            except ValueError:
                raise InputError(
                    path, number, DURATION_COLUMN, f"{d!r} is not a number of seconds"
                ) from None
        for name, p, raw_codes, clean_codes, out, rule in cats:
            raw = fields[p]
            code = raw_codes.get(raw)
            if code is None:
                value = raw.strip()
                code = clean_codes.get(value)
                if code is None:
                    if rule is not None and value not in rule[0] and (value or rule[1]):
                        what = (
                            f"{value!r} is not an option of {name}"
                            if value
                            else f"{name} is required"
                        )
                        raise InputError(path, number, name, what)
                    code = clean_codes[value] = len(clean_codes)
                raw_codes[raw] = code
            out.append(code)
    if not ids:
        raise InputError(path, 1, None, "no data rows")
    n = len(ids)
    table = np.frombuffer(flat, dtype=np.float64).reshape(n, len(answers))
    columns = {}
    for name, _, _, clean_codes, out, _ in cats:
        labels = np.array(list(clean_codes), dtype=object)
        columns[name] = labels[np.frombuffer(out, dtype=np.int_)]
    order = {q.id: q.values for q in questionnaire.respondent}
    matrix = ResponseMatrix(
        respondent_ids=np.array(ids, dtype=object),
        scores=np.ascontiguousarray(table[:, :-1]),
        overall=table[:, -1].copy(),
        columns=columns,
        durations=np.frombuffer(durations, dtype=np.float64).copy()
        if dur_pos is not None
        else None,
        levels={k: v for k, v in order.items() if k in columns},
    )
    return ResponsesFile(path, matrix, np.frombuffer(numbers, dtype=np.int_).copy(), tuple(header))


@dataclass(frozen=True)
class MarginsFile:
    """MARGINS.csv: the margins and the file row of every (variable, category)."""

    path: str
    margins: Margins
    rows: dict[tuple[str, str], int]


def read_margins(path: str, *, encoding: str = "utf-8") -> MarginsFile:
    """Read MARGINS.csv (``variable,category,population``) and check it.

    Checks: the three columns; non-empty variable and category; a positive number
    of people; no (variable, category) twice; every variable describing the same
    total population.
    """
    with _records(path, encoding) as (header, records):
        return _read_margins(path, header, records)


def _read_margins(
    path: str, header: list[str], records: Iterator[tuple[int, list[str]]]
) -> MarginsFile:
    for name in ("variable", "category", "population"):
        if name not in header:
            raise InputError(
                path, "header", name, "missing (the header must be variable,category,population)"
            )
    iv, ic, ip = header.index("variable"), header.index("category"), header.index("population")
    totals: dict[str, dict[str, float]] = {}
    rows: dict[tuple[str, str], int] = {}
    first: dict[str, int] = {}
    for number, fields in records:
        var, cat, pop = fields[iv].strip(), fields[ic].strip(), fields[ip].strip()
        if not var:
            raise InputError(path, number, "variable", "empty variable")
        if not cat:
            raise InputError(path, number, "category", "empty category")
        try:
            value = float(pop.replace(",", ""))
        except ValueError:
            raise InputError(path, number, "population", f"{pop!r} is not a number") from None
        if not math.isfinite(value) or value <= 0:
            raise InputError(
                path, number, "population", f"the population must be positive, not {pop}"
            )
        if (var, cat) in rows:
            raise InputError(
                path, number, "category", f"{var}={cat} is already on row {rows[var, cat]}"
            )
        rows[var, cat] = number
        first.setdefault(var, number)
        totals.setdefault(var, {})[cat] = value
    if not totals:
        raise InputError(path, 1, None, "no data rows")
    grand = {v: math.fsum(c.values()) for v, c in totals.items()}
    ref_var = next(iter(grand))
    for var, total in grand.items():
        if abs(total - grand[ref_var]) > 1e-9 * grand[ref_var]:
            raise InputError(
                path,
                first[var],
                "population",
                f"the populations of {var} add up to {total:.15g} but those of {ref_var} to "
                f"{grand[ref_var]:.15g}; every variable must describe the same population",
            )
    return MarginsFile(path, Margins(totals), rows)


def check_margins(
    margins: MarginsFile,
    responses: ResponsesFile,
    rows: np.ndarray,
) -> None:
    """Check that the margins and the respondents to weight (``rows``) cover each other.

    Raises :class:`InputError` on MARGINS.csv for a variable that is not a column or a
    category with no respondent, and on RESPONSES.csv for a respondent's category
    that has no population.
    """
    matrix = responses.matrix
    for var, cats in margins.margins.totals.items():
        if var not in matrix.columns:
            raise InputError(
                margins.path,
                margins.rows[var, next(iter(cats))],
                "variable",
                f"{var!r} is not a column of {responses.path}",
            )
        values = matrix.columns[var][rows]
        present = set(np.unique(values.astype(str)).tolist()) if values.size else set()
        for value in sorted(present - set(cats)):
            i = int(np.flatnonzero(values == value)[0])
            raise InputError(
                responses.path,
                int(responses.rows[rows[i]]),
                var,
                f"category {value!r} has no population in {margins.path}",
            )
        for cat in cats:
            if cat not in present:
                raise InputError(
                    margins.path,
                    margins.rows[var, cat],
                    "category",
                    f"{var}={cat} has no respondent in {responses.path} to weight",
                )


def required_columns(responses: ResponsesFile, names: Sequence[str], option: str) -> None:
    """Every column named by an option must exist (error on the header)."""
    for name in names:
        if name not in responses.matrix.columns:
            raise InputError(
                responses.path, "header", name, f"no such column (asked for by {option})"
            )
