"""AUXILIARIES.csv, the district covariates of the small-area model: one reader.

``district,elderly,venues,complaints,last_index``: a header row, one row a district, the
``district`` column and one or more numeric covariates (an intercept is always added).
The admin's upload (its bytes) and ``surveyapp rounds auxiliaries`` are read by
:func:`read_auxiliaries` through the same :func:`~surveyapp.csvtable.read_table` as the
margins, and every problem is named the same way: file, row (the header is row 1) and
column.  Checked against the round: every district must be one of the round's and every
one of the round's districts must have a row (a district without respondents gets the
synthetic estimate x_dᵀβ̃, which needs its covariates).
"""

from __future__ import annotations

import math
import os

import numpy as np

from analysis.small_area import dependent_column, design_matrix
from surveyapp.csvtable import InputError, read_table

from .margins_file import MarginsInvalid, MarginsProblem

__all__ = ["AuxiliariesInvalid", "AuxiliariesProblem", "Auxiliaries", "read_auxiliaries"]

#: ``{district: {covariate: value}}`` in file order, as stored on the round.
Auxiliaries = dict[str, dict[str, float]]


class AuxiliariesProblem(MarginsProblem):
    """One problem of an auxiliaries file: ``kind`` and ``params`` name it for a
    translation (``sae_err_<kind>``); ``str()`` is English."""


class AuxiliariesInvalid(MarginsInvalid):
    """Every problem found in an auxiliaries file, in file order (``problems``); as an
    :class:`InputError` it is the first of them, the one line the CLI prints."""


def _number(text: str) -> float:
    value = float(text.replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_auxiliaries(
    source: str | os.PathLike[str] | bytes,
    districts: list[str],
    *,
    name: str | None = None,
) -> Auxiliaries:
    """Read and check AUXILIARIES.csv (a path, or its bytes) for a round of
    ``districts`` (empty: any district).

    Checks: a ``district`` column and at least one covariate column; a non-empty
    district, one of the round's, not twice; every covariate a finite number; every
    district of the round present; more districts than parameters (covariates + the
    intercept); no covariate constant or a linear combination of the others.  Raises
    :class:`AuxiliariesInvalid` listing every problem with its row and column (a file
    that cannot be read as CSV at all is one :class:`InputError`).
    """
    table = read_table(source, name=name)
    path = table.name
    header = [h.strip() for h in table.header]
    if "district" not in header:
        raise AuxiliariesInvalid(
            [
                AuxiliariesProblem(
                    path, "header", "district", "missing_column", "missing district column"
                )
            ]
        )
    covariates = [h for h in header if h != "district"]
    if not covariates or any(not h for h in covariates):
        raise AuxiliariesInvalid(
            [
                AuxiliariesProblem(
                    path,
                    "header",
                    None,
                    "no_covariates",
                    "the header needs named covariate columns after district",
                )
            ]
        )
    names = dict(zip(header, table.header, strict=True))
    columns = [table.column(names[c]).to_pylist() for c in ["district", *covariates]]
    problems: list[InputError] = []
    out: Auxiliaries = {}
    first: dict[str, int] = {}
    allowed = set(districts)
    for number, district_text, *texts in zip(table.rows.tolist(), *columns, strict=True):
        district = district_text.strip()
        bad = len(problems)
        if not district:
            problems.append(
                AuxiliariesProblem(path, number, "district", "empty_district", "empty district")
            )
        elif allowed and district not in allowed:
            problems.append(
                AuxiliariesProblem(
                    path,
                    number,
                    "district",
                    "district",
                    f"{district!r} is not a district of the round",
                    district=district,
                )
            )
        elif district in first:
            problems.append(
                AuxiliariesProblem(
                    path,
                    number,
                    "district",
                    "duplicate",
                    f"{district} is already on row {first[district]}",
                    district=district,
                    first_row=first[district],
                )
            )
        values: dict[str, float] = {}
        for column, text in zip(covariates, texts, strict=True):
            try:
                values[column] = _number(text.strip())
            except ValueError:
                problems.append(
                    AuxiliariesProblem(
                        path,
                        number,
                        column,
                        "not_number",
                        f"{text.strip()!r} is not a number",
                        value=text.strip(),
                    )
                )
        if len(problems) == bad:
            out[district] = values
            first[district] = number
    if not out and not problems:
        problems.append(AuxiliariesProblem(path, 2, None, "no_rows", "no data rows"))
    complete = not problems
    if complete:
        problems += [
            AuxiliariesProblem(
                path,
                "header",
                "district",
                "missing_district",
                f"no row for the round's district {d}",
                district=d,
            )
            for d in districts
            if d not in out
        ]
    if not problems:
        p = len(covariates) + 1
        if len(out) <= p:
            problems.append(
                AuxiliariesProblem(
                    path,
                    "header",
                    None,
                    "too_few",
                    f"{len(out)} districts cannot fit {p} parameters: at least {p + 1} needed",
                    n=len(out),
                    p=p,
                )
            )
        else:
            x = design_matrix(np.array([list(v.values()) for v in out.values()]), len(out))
            dependent = dependent_column(x)
            if dependent is not None:
                column = covariates[dependent - 1]
                problems.append(
                    AuxiliariesProblem(
                        path,
                        "header",
                        column,
                        "dependent",
                        f"{column} is constant or a linear combination of the other columns",
                        covariate=column,
                    )
                )
    if problems:
        problems.sort(key=lambda p: p.row if isinstance(p.row, int) else 0)
        raise AuxiliariesInvalid(problems)
    return out
