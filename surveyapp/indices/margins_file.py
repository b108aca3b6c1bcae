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

__all__ = ["MARGINS_COLUMNS", "MarginsFile", "check_margins", "read_margins"]

MARGINS_COLUMNS = ("variable", "category", "population")


@dataclass(frozen=True)
class MarginsFile:
    """MARGINS.csv: the margins and the file row of every (variable, category).

    ``path`` is the file as errors name it (the path, or the name given for bytes).
    """

    path: str
    margins: Margins
    rows: dict[tuple[str, str], int]


def read_margins(
    source: str | os.PathLike[str] | bytes,
    *,
    encoding: str = "utf-8",
    name: str | None = None,
) -> MarginsFile:
    """Read MARGINS.csv (a path, or its bytes) and check it.

    Checks: the three columns; non-empty variable and category; a positive number
    of people; no (variable, category) twice; every variable describing the same
    total population.  Raises :class:`InputError` naming the file, row and column.
    """
    table = read_table(source, encoding=encoding, name=name)
    path = table.name
    for column in MARGINS_COLUMNS:
        if column not in table.header:
            raise InputError(
                path, "header", column, "missing (the header must be variable,category,population)"
            )
    # A margins file has a few dozen rows: checked row by row, in file order.
    fields = zip(
        table.rows.tolist(), *(table.column(c).to_pylist() for c in MARGINS_COLUMNS), strict=True
    )
    totals: dict[str, dict[str, float]] = {}
    rows: dict[tuple[str, str], int] = {}
    first: dict[str, int] = {}
    for number, var_text, cat_text, pop_text in fields:
        var, cat, pop = var_text.strip(), cat_text.strip(), pop_text.strip()
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
