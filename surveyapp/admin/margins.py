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
knows them, the row (as a spreadsheet numbers it: the header is row 1) and column; a
file with several problems is refused once, listing them all (``problems``), so the
admin fixes the file in one go.
"""

from __future__ import annotations

from surveyapp.csvtable import InputError
from surveyapp.i18n import N_
from surveyapp.indices.auxiliaries_file import Auxiliaries, AuxiliariesInvalid, read_auxiliaries
from surveyapp.indices.margins_file import MarginsInvalid, MarginsProblem, read_margins
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.uploads import NotText, upload_text

#: Largest margins file accepted; a real one (a few dozen categories) is a few KB.
MAX_MARGINS_BYTES = 1024 * 1024

# Signatures of the files people upload by mistake instead of a CSV.


class MarginsRejected(ValueError):
    """The upload cannot be stored: ``key`` (a message id of the catalogs) and
    its ``params``; ``row``/``column`` locate a problem inside the file.  ``problems``
    lists every problem found (this one first)."""

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
        self.problems: list[MarginsRejected] = [self]

    @classmethod
    def of(cls, problems: list[MarginsRejected]) -> MarginsRejected:
        """One refusal listing ``problems`` (at least one), the first as its own."""
        first = problems[0]
        first.problems = list(problems)
        return first


def _from_parser(exc: InputError) -> MarginsRejected:
    """A problem the margins reader found, under its own text key where it has one."""
    if isinstance(exc, MarginsProblem):
        params = {**exc.params, "detail": exc.message}
        return MarginsRejected(f"margins_err_{exc.kind}", params, row=exc.row, column=exc.column)
    return MarginsRejected(
        "margins_err_file", {"detail": exc.message}, row=exc.row, column=exc.column
    )


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
    problems: list[MarginsRejected] = []
    try:
        parsed = read_margins(data, name="margins.csv")
    except MarginsInvalid as exc:
        if exc.totals is None or exc.rows is None:
            raise MarginsRejected.of([_from_parser(p) for p in exc.problems]) from None
        # the good rows are checked against the questionnaire too: all problems at once
        problems = [_from_parser(p) for p in exc.problems]
        totals, rows = exc.totals, exc.rows
    except InputError as exc:
        raise _from_parser(exc) from None
    else:
        totals = {var: dict(cats) for var, cats in parsed.margins.totals.items()}
        rows = parsed.rows
    known = questionnaire.respondent_ids
    complete = not problems  # a category on a bad row is not "missing"
    for var, cats in totals.items():
        if var not in known:
            problems.append(
                MarginsRejected(
                    "margins_err_variable",
                    {"variable": var, "known": ", ".join(known)},
                    row=rows[var, next(iter(cats))],
                    column="variable",
                )
            )
            continue
        options = set(questionnaire.respondent_question(var).values)
        for cat in cats:
            if var == "district" and districts and cat not in districts:
                key = N_("margins_err_district")
            elif cat not in options:
                key = N_("margins_err_category")
            else:
                continue
            problems.append(
                MarginsRejected(
                    key,
                    {"variable": var, "category": cat},
                    row=rows[var, cat],
                    column="category",
                )
            )
        expected = districts if var == "district" and districts else list(options)
        # raking would fail on the first respondent of a category left out
        problems += [
            MarginsRejected(
                "margins_err_missing",
                {"variable": var, "category": c},
                row=rows[var, next(iter(cats))],
                column="category",
            )
            for c in expected
            if c not in cats and complete
        ]
    if problems:
        problems.sort(key=lambda p: p.row if isinstance(p.row, int) else 0)
        raise MarginsRejected.of(problems)
    return totals


#: The kinds of an auxiliaries file's problems, as message ids (``sae_err_<kind>``).
AUXILIARIES_PROBLEMS = (
    N_("sae_err_missing_column"),
    N_("sae_err_no_covariates"),
    N_("sae_err_empty_district"),
    N_("sae_err_district"),
    N_("sae_err_duplicate"),
    N_("sae_err_not_number"),
    N_("sae_err_no_rows"),
    N_("sae_err_missing_district"),
    N_("sae_err_too_few"),
    N_("sae_err_dependent"),
)


def parse_auxiliaries(
    data: bytes, districts: list[str], *, limit: int = MAX_MARGINS_BYTES
) -> Auxiliaries:
    """The checked district auxiliaries ``{district: {covariate: value}}`` of an upload
    (:func:`surveyapp.indices.auxiliaries_file.read_auxiliaries`, the CLI's reader).

    Raises :class:`MarginsRejected` listing every problem with its row and column.
    """
    check_bytes(data, limit)
    try:
        return read_auxiliaries(data, districts, name="auxiliaries.csv")
    except AuxiliariesInvalid as exc:
        raise MarginsRejected.of(
            [
                MarginsRejected(
                    f"sae_err_{p.kind}",
                    {**p.params, "detail": p.message},
                    row=p.row,
                    column=p.column,
                )
                if isinstance(p, MarginsProblem)
                else _from_parser(p)
                for p in exc.problems
            ]
        ) from None
    except InputError as exc:
        raise _from_parser(exc) from None
