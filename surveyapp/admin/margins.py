"""Check an uploaded population margins CSV before it is stored on a round.

The file goes through the same parser as ``surveyapp analyze --margins``
(:func:`surveyapp.indices.margins_file.read_margins`, given the uploaded bytes: no
temporary file), so a file accepted here is one the analysis accepts too.  Before that, the raw bytes are checked for what the parser would
only report obscurely: too large, an Excel workbook, binary content, not UTF-8.  After
it, each variable must be a respondent question of the round's questionnaire and each
category one of its options (for ``district``: one of the round's districts), and every
option must have its population, so a typo or a forgotten row is caught at upload time
rather than when a bulletin is made weeks later.

Every refusal is a :class:`MarginsRejected` with a message key and, where the parser
knows them, the row and column.
"""

from __future__ import annotations

from surveyapp.csvtable import InputError
from surveyapp.indices.margins_file import read_margins
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.uploads import NotText, upload_text

#: Largest margins file accepted; a real one (a few dozen categories) is a few KB.
MAX_MARGINS_BYTES = 1024 * 1024

# Signatures of the files people upload by mistake instead of a CSV.


class MarginsRejected(ValueError):
    """The upload cannot be stored: ``key`` (a text of :mod:`surveyapp.admin.texts`) and
    its ``params``; ``row``/``column`` locate a problem inside the file."""

    def __init__(
        self,
        key: str,
        params: dict[str, object] | None = None,
        *,
        row: int | str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(key)
        self.key = key
        self.params = params or {}
        self.row = row
        self.column = column


def human_size(n: int) -> str:
    """``1 MB``, ``300 KB``, ``12 B``: sizes as people say them."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    if n >= 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n} B"


def check_bytes(data: bytes, limit: int = MAX_MARGINS_BYTES) -> None:
    """Refuse what is not a small UTF-8 text file, naming what it is instead."""
    if not data.strip():
        raise MarginsRejected("margins_err_no_file")
    if len(data) > limit:
        raise MarginsRejected(
            "margins_err_too_big", {"size": human_size(len(data)), "limit": human_size(limit)}
        )
    try:
        upload_text(data)
    except NotText as exc:
        if exc.kind in ("zip", "ole"):
            raise MarginsRejected("margins_err_xlsx") from None
        if exc.kind == "binary":
            raise MarginsRejected("margins_err_binary") from None
        raise MarginsRejected("margins_err_not_utf8", {"line": exc.line}) from None


def parse_margins(
    data: bytes,
    questionnaire: Questionnaire,
    districts: list[str],
    *,
    limit: int = MAX_MARGINS_BYTES,
) -> dict[str, dict[str, float]]:
    """The checked margins ``{variable: {category: total}}`` in file order.

    Raises :class:`MarginsRejected` for anything the analysis would refuse, and for a
    variable or category the round's respondents cannot have, or a category left out.
    """
    check_bytes(data, limit)
    try:
        parsed = read_margins(data, name="margins.csv")
    except InputError as exc:
        raise MarginsRejected(
            "margins_err_file", {"detail": exc.message}, row=exc.row, column=exc.column
        ) from None
    totals = {var: dict(cats) for var, cats in parsed.margins.totals.items()}
    known = questionnaire.respondent_ids
    for var, cats in totals.items():
        if var not in known:
            raise MarginsRejected(
                "margins_err_variable",
                {"variable": var, "known": ", ".join(known)},
                row=parsed.rows[var, next(iter(cats))],
                column="variable",
            )
        options = set(questionnaire.respondent_question(var).values)
        for cat in cats:
            if var == "district" and districts and cat not in districts:
                key = "margins_err_district"
            elif cat not in options:
                key = "margins_err_category"
            else:
                continue
            raise MarginsRejected(
                key,
                {"variable": var, "category": cat},
                row=parsed.rows[var, cat],
                column="category",
            )
        expected = districts if var == "district" and districts else list(options)
        missing = [c for c in expected if c not in cats]
        if missing:  # raking would fail on the first respondent of that category
            raise MarginsRejected(
                "margins_err_missing",
                {"variable": var, "category": missing[0]},
                row=parsed.rows[var, next(iter(cats))],
                column="category",
            )
    return totals
