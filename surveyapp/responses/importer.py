"""Importing responses collected elsewhere (paper, phone) from a CSV file.

The file uses the analysis contract's layout (``respondent_id``, the respondent
questions, ``period``, one column per answer id), read by the same reader as
``surveyapp analyze`` (:func:`surveyapp.csvtable.read_table`, the column roles of
:mod:`surveyapp.responses.csv_layout`): the same encodings, byte-order mark, blank
lines and quoted line breaks.  Every row is checked with the same
:func:`validate_submission` as the survey and the API; every problem is reported with
its row and column, and nothing is imported unless all rows are good.  Rows are
numbered as a spreadsheet shows them, the header being row 1 — the numbers of
:func:`read_table`, so ``analyze`` names the same row for the same cell.

A cell that starts with ``'`` and a formula character (``'=…``, ``'-…``) is read without
the quote: it is how our own CSV exports write such texts (:mod:`surveyapp.csv_safe`),
so an export imports as the answers it was made from.  Any other quote is kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from surveyapp.catalog import questionnaire_of
from surveyapp.csv_safe import restore_cell
from surveyapp.csvtable import InputError, read_table
from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.responses.codec import pack_answers, pack_profile
from surveyapp.responses.csv_layout import ID_COLUMN, PERIOD_COLUMN, layout
from surveyapp.responses.validate import InvalidSubmission, validate_submission

MAX_ID = 64


@dataclass(frozen=True)
class ImportProblem:
    """``row`` as a spreadsheet shows it (``None``: the whole file); ``column`` or ``""``."""

    row: int | None
    column: str
    message: str

    def describe(self, file: str) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        where += [f"column {self.column}"] if self.column else []
        return f"{file}: {', '.join(where)}: {self.message}" if where else f"{file}: {self.message}"


class ImportFailed(ValueError):
    def __init__(self, file: str, problems: list[ImportProblem]):
        super().__init__(problems[0].describe(file) if problems else file)
        self.file = file
        self.problems = problems

    def lines(self) -> list[str]:
        return [p.describe(self.file) for p in self.problems]


def _problem(exc: InputError) -> ImportProblem:
    """A reading error of :func:`read_table` (whose rows are spreadsheet rows already)."""
    row = 1 if exc.row == "header" else exc.row if isinstance(exc.row, int) else None
    return ImportProblem(row, exc.column or "", exc.message)


def import_csv(
    session: DbSession,
    round_: Round,
    path: Path,
    encoding: str = "utf-8-sig",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Insert every row of ``path`` into ``round_`` in one transaction; return the count.

    ``progress(rows checked, rows)`` is called as the rows are checked (every 1,000).
    """
    file = str(path)
    try:
        table = read_table(path, encoding=encoding, name=file)
    except InputError as exc:
        raise ImportFailed(file, [_problem(exc)]) from None
    q = questionnaire_of(round_.questionnaire_version)
    roles = layout(table.header, q)
    present = set(table.header)
    required = [ID_COLUMN, *q.respondent_ids, PERIOD_COLUMN]
    missing = [c for c in required if c not in present] + list(roles.missing)
    if missing:
        raise ImportFailed(file, [ImportProblem(1, c, "column is missing") for c in missing])
    open_ids = [oq.id for oq in q.open_questions if oq.id in present]
    names = [ID_COLUMN, PERIOD_COLUMN, *q.respondent_ids, *q.answer_ids, *open_ids]
    cells = {name: table.text(name) for name in dict.fromkeys(names)}
    existing = set(
        session.scalars(
            select(Response.external_id).where(
                Response.round_id == round_.id, Response.external_id.is_not(None)
            )
        )
    )
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    records = []
    now = utcnow()
    total = table.n
    for i, number in enumerate(table.rows.tolist()):
        if progress is not None and i % 1000 == 0:
            progress(i, total)
        values = {name: restore_cell(column[i]).strip() for name, column in cells.items()}
        get = values.__getitem__
        rid = get("respondent_id")
        if not rid or len(rid) > MAX_ID:
            problems.append(
                ImportProblem(number, "respondent_id", f"must be 1 to {MAX_ID} characters")
            )
        elif rid in seen:
            problems.append(
                ImportProblem(number, "respondent_id", f"{rid!r} repeats row {seen[rid]}")
            )
        elif rid in existing:
            problems.append(
                ImportProblem(
                    number, "respondent_id", f"{rid!r} was imported into this round before"
                )
            )
        seen.setdefault(rid, number)
        if get("period") != round_.period:
            problems.append(
                ImportProblem(
                    number, "period", f"{get('period')!r} is not the round's period {round_.period}"
                )
            )
        payload = {
            "respondent": {k: get(k) or None for k in q.respondent_ids},
            "answers": {k: get(k) or None for k in q.answer_ids},
            "open": {k: get(k) for k in open_ids if get(k)},
            "channel": "paper",
        }
        try:
            clean = validate_submission(q, payload)
        except InvalidSubmission as exc:
            for path_, err in exc.fields.items():
                problems.append(ImportProblem(number, path_.split(".", 1)[-1], err.message("en")))
            continue
        district = clean.respondent.get("district")
        if district and round_.districts and district not in round_.districts:
            problems.append(
                ImportProblem(number, "district", f"{district!r} is not a district of this round")
            )
            continue
        records.append(
            {
                "uid": secrets.token_hex(16),
                "round_id": round_.id,
                "questionnaire_version_id": round_.questionnaire_version_id,
                "submitted_at": now,
                "channel": "paper",
                "district": district,
                "answers": pack_answers(q, clean.answers),
                "profile": pack_profile(q, clean.respondent),
                "open_answers": clean.open or None,
                "external_id": rid,
            }
        )
    if progress is not None:
        progress(total, total)
    if problems:
        raise ImportFailed(file, problems)
    if not records:
        raise ImportFailed(file, [ImportProblem(2, "", "the file has no data rows")])
    try:
        session.execute(insert(Response), records)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(records)
