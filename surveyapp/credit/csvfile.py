"""The CSV files of credit records and inspections: rows as text, days, providers by key.

Every file here is read as the provider registry's are (UTF-8 or GBK/GB18030 detected by
:func:`surveyapp.providers.registry_file.read_detected`, the one CSV reader), so row N is
the file's line N (header = 1), and every problem is an :class:`ImportProblem` naming
its row and column; the importers raise them all at once and store nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from surveyapp.csv_safe import restore_cell
from surveyapp.models import Provider
from surveyapp.models.base import DbSession
from surveyapp.providers.registry_file import read_detected
from surveyapp.responses.importer import ImportFailed, ImportProblem
from surveyapp.rounds import dates

__all__ = ["CsvRows", "ImportFailed", "ImportProblem", "parse_day", "providers_by_key", "read_rows"]


@dataclass(frozen=True)
class CsvRows:
    name: str
    encoding: str
    rows: tuple[tuple[int, dict[str, str]], ...]  # (the file's row number, column → text)
    ignored: tuple[str, ...]


def read_rows(
    path: str | os.PathLike[str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    *,
    name: str | None = None,
    one_of: tuple[str, ...] = (),
) -> CsvRows:
    """The file's known columns as stripped text per row; missing columns or no rows
    are :class:`ImportFailed`. ``one_of``: at least one of these columns is needed."""
    file = name or os.fspath(path)
    encoding, table = read_detected(path, file)
    header = [h.strip() for h in table.header]
    missing = [c for c in required if c not in header]
    if one_of and not any(c in header for c in one_of):
        missing.append(" or ".join(one_of))
    if missing:
        raise ImportFailed(file, [ImportProblem(1, c, "column is missing") for c in missing])
    if table.n == 0:
        raise ImportFailed(file, [ImportProblem(2, "", "the file has no data rows")])
    known = (*required, *optional, *one_of)
    cells = {h.strip(): table.text(h) for h in table.header if h.strip() in known}
    rows = tuple(
        (number, {c: restore_cell(str(cells[c][i] or "")).strip() for c in cells})
        for i, number in enumerate(table.rows.tolist())
    )
    ignored = tuple(h for h in header if h not in known)
    return CsvRows(file, encoding, rows, ignored)


def parse_day(text: str) -> date:
    """A required day (:func:`surveyapp.rounds.dates.parse_day`); ``ValueError`` if empty."""
    day = dates.parse_day(text)
    if day is None:
        raise ValueError("must not be empty")
    return day


def providers_by_key(session: DbSession, keys: Iterable[str]) -> dict[str, Provider]:
    """Registered providers by credit code or registration number, in chunked reads."""
    wanted = sorted(set(keys))
    found: dict[str, Provider] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(Provider).where(
            or_(Provider.credit_code.in_(chunk), Provider.registration_no.in_(chunk))
        )
        for provider in session.scalars(query):
            found[provider.key] = provider
    return found
