"""MARGINS.csv, the population totals to weight to: one reader for a path or bytes.

``variable,category,population``, one row a category (``district,思茅区,367000``).
``surveyapp analyze --margins``, the configured ``MARGINS_FILE`` and the admin's upload
(its bytes, no temporary file) are all read by :func:`read_margins`, through the same
:func:`~surveyapp.csvtable.read_table` as the responses, so they accept the same files
and name a problem the same way: file, row, column.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from analysis import AbsentMargin, Categorical, Margins, factorize, fit_margins
from surveyapp.csvtable import InputError, read_table

if TYPE_CHECKING:  # the type only: the responses layout is a service above this package
    from surveyapp.responses.csv_layout import ResponsesFile

__all__ = [
    "MARGINS_COLUMNS",
    "MarginsFile",
    "MarginsInvalid",
    "MarginsProblem",
    "check_margins",
    "read_margins",
]

MARGINS_COLUMNS = ("variable", "category", "population")


@dataclass(frozen=True)
class MarginsFile:
    """MARGINS.csv: the margins and the file row of every (variable, category).

    ``path`` is the file as errors name it (the path, or the name given for bytes).
    """

    path: str
    margins: Margins
    rows: dict[tuple[str, str], int]


class MarginsProblem(InputError):
    """One problem of a margins file: ``kind`` and ``params`` name it for a translation
    (the admin's upload page says it in Chinese and English); ``str()`` is English."""

    def __init__(
        self,
        file: str,
        row: int | str | None,
        column: str | None,
        kind: str,
        message: str,
        **params: object,
    ):
        super().__init__(file, row, column, message)
        self.kind = kind
        self.params = params


class MarginsInvalid(InputError):
    """Every problem found in a margins file, in file order (``problems``); as an
    :class:`InputError` it is the first of them, the one line ``analyze`` prints."""

    def __init__(
        self,
        problems: list[InputError],
        totals: dict[str, dict[str, float]] | None = None,
        rows: dict[tuple[str, str], int] | None = None,
    ):
        first = problems[0]
        super().__init__(first.file, first.row, first.column, first.message)
        self.problems = problems
        #: the good rows' totals and rows, for a caller that checks them further and
        #: lists those problems too (not margins: the bad rows' people are missing)
        self.totals = totals
        self.rows = rows

    def __str__(self) -> str:
        more = len(self.problems) - 1
        return super().__str__() + (f" (and {more} more problems)" if more else "")


def read_margins(
    source: str | os.PathLike[str] | bytes,
    *,
    encoding: str = "utf-8",
    name: str | None = None,
) -> MarginsFile:
    """Read MARGINS.csv (a path, or its bytes) and check it.

    Checks: the three columns; non-empty variable and category; a positive number
    of people; no (variable, category) twice; every variable describing the same
    total population.  Raises :class:`MarginsInvalid` listing every problem, each
    naming the file, its row (as a spreadsheet numbers it: the header is row 1) and
    column; a file that cannot be read as CSV at all is one :class:`InputError`.
    """
    table = read_table(source, encoding=encoding, name=name)
    path = table.name
    missing = [c for c in MARGINS_COLUMNS if c not in table.header]
    if missing:
        raise MarginsInvalid(
            [
                MarginsProblem(
                    path,
                    "header",
                    column,
                    "missing_column",
                    "missing (the header must be variable,category,population)",
                )
                for column in missing
            ]
        )
    # A margins file has a few dozen rows: checked row by row, in file order.
    fields = zip(
        table.rows.tolist(), *(table.column(c).to_pylist() for c in MARGINS_COLUMNS), strict=True
    )
    problems: list[InputError] = []
    totals: dict[str, dict[str, float]] = {}
    rows: dict[tuple[str, str], int] = {}
    first: dict[str, int] = {}
    for number, var_text, cat_text, pop_text in fields:
        var, cat, pop = var_text.strip(), cat_text.strip(), pop_text.strip()
        bad = len(problems)
        if not var:
            problems.append(
                MarginsProblem(path, number, "variable", "empty_variable", "empty variable")
            )
        if not cat:
            problems.append(
                MarginsProblem(path, number, "category", "empty_category", "empty category")
            )
        try:
            value = float(pop.replace(",", ""))
        except ValueError:
            value = math.nan
            problems.append(
                MarginsProblem(
                    path,
                    number,
                    "population",
                    "not_number",
                    f"{pop!r} is not a number",
                    value=pop,
                )
            )
        else:
            if not math.isfinite(value) or value <= 0:
                problems.append(
                    MarginsProblem(
                        path,
                        number,
                        "population",
                        "not_positive",
                        f"the population must be positive, not {pop}",
                        value=pop,
                    )
                )
        if var and cat and (var, cat) in rows:
            problems.append(
                MarginsProblem(
                    path,
                    number,
                    "category",
                    "duplicate",
                    f"{var}={cat} is already on row {rows[var, cat]}",
                    variable=var,
                    category=cat,
                    first_row=rows[var, cat],
                )
            )
        if len(problems) > bad:
            continue
        rows[var, cat] = number
        first.setdefault(var, number)
        totals.setdefault(var, {})[cat] = value
    if not totals and not problems:
        problems.append(MarginsProblem(path, 2, None, "no_rows", "no data rows"))
    if problems:
        raise MarginsInvalid(problems, totals, rows)
    grand = {v: math.fsum(c.values()) for v, c in totals.items()}
    ref_var = next(iter(grand), None)
    for var, total in grand.items():
        if ref_var is not None and abs(total - grand[ref_var]) > 1e-9 * grand[ref_var]:
            problems.append(
                MarginsProblem(
                    path,
                    first[var],
                    "population",
                    "totals_differ",
                    f"the populations of {var} add up to {total:.15g} but those of {ref_var} "
                    f"to {grand[ref_var]:.15g}; every variable must describe the same "
                    "population",
                    variable=var,
                    total=f"{total:.15g}",
                    reference=ref_var,
                    reference_total=f"{grand[ref_var]:.15g}",
                )
            )
    if problems:
        problems.sort(key=lambda p: p.row if isinstance(p.row, int) else 0)
        raise MarginsInvalid(problems, totals, rows)
    return MarginsFile(path, Margins(totals), rows)


def check_margins(margins: MarginsFile, responses: ResponsesFile, rows: np.ndarray) -> None:
    """Check that the margins and the respondents to weight (``rows``) cover each other.

    Raises :class:`InputError` on RESPONSES.csv for a respondent's category that has no
    population, and on MARGINS.csv for what the ``refuse`` margins policy refuses
    (:func:`analysis.fit_margins`): a variable that is not a column, a category with no
    respondent to weight.
    """
    matrix = responses.matrix
    present: dict[str, set[str]] = {}
    for var, cats in margins.margins.totals.items():
        if var not in matrix.columns:
            continue
        column = matrix.columns[var]
        subset = column.take(rows) if isinstance(column, Categorical) else column[rows]
        codes, levels = factorize(subset)
        present[var] = set(levels)
        for value in sorted(present[var] - set(cats)):
            i = int(np.flatnonzero(codes == levels.index(value))[0])
            raise InputError(
                responses.path,
                int(responses.rows[rows[i]]),
                var,
                f"category {value!r} has no population in {margins.path}",
            )
    try:
        fit_margins(margins.margins.totals, present, "refuse")
    except AbsentMargin as exc:
        var, cat = exc.variable, exc.category
        if cat == "*":
            first = next(iter(margins.margins.totals[var]))
            raise InputError(
                margins.path,
                margins.rows[var, first],
                "variable",
                f"{var!r} is not a column of {responses.path}",
            ) from None
        raise InputError(
            margins.path,
            margins.rows[var, cat],
            "category",
            f"{var}={cat} has no respondent in {responses.path} to weight",
        ) from None
