"""Streaming CSV export of a round, in the analysis contract's column layout.

The file is what ``surveyapp analyze --responses`` reads, so an export can be
re-analysed anywhere.  Every export (CSV, XLSX, SPSS, the API's pages) holds the
responses that count, the same rows the dashboard and the bulletins analyse: a response
held for review (:mod:`surveyapp.review.holds`) appears once its wave is released, a
rejected one never (it stays in the database, its wave in the audit log).  Re-analysing
an export then gives the published figures, not those of a ballot-stuffing attempt.  Rows are fetched in batches (``yield_per``) and written as
they come: memory stays flat whatever the size of the round.  :func:`export_page`
gives the same rows a page at a time, for the read API.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from surveyapp import csv_safe
from surveyapp.catalog import questionnaire_of
from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession
from surveyapp.models.review import COUNTED
from surveyapp.privacy.pii import mask_pii
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.codec import DONT_KNOW, MISSING

BATCH = 5000
#: ``progress(done, total)``: how a long export reports (see :mod:`surveyapp.cli.progress`).
Progress = Callable[[int, int], None]
#: responses between two progress reports of a file export
PROGRESS_EVERY = 1000
TAIL = (
    "duration",
    "submitted_at",
    "channel",
)  # "duration" (seconds) feeds the speeder rule of analyze


def export_columns(q: Questionnaire) -> list[str]:
    head = ["respondent_id", *q.respondent_ids, "period"]
    return head + list(q.answer_ids) + [oq.id for oq in q.open_questions] + list(TAIL)


def _row_maker(round_: Round, q: Questionnaire) -> Callable[[Sequence[Any]], list[str]]:
    """Turn one row of :data:`_COLUMNS` into the export's strings (one place for the format,
    shared by the streamed file and the paged API)."""
    options = [question.values for question in q.respondent]
    open_ids = [oq.id for oq in q.open_questions]
    period = round_.period

    def make(record: Sequence[Any]) -> list[str]:
        uid, profile, answers, open_answers, duration, submitted, channel, external = record
        row = [external or uid]
        row += ["" if b == MISSING else options[i][b] for i, b in enumerate(profile)]
        row.append(period)
        # "don't know" is empty too: the analysis contract has one missing value
        row += ["" if b >= DONT_KNOW else str(b) for b in answers]
        row += [
            mask_pii((open_answers or {}).get(oid, "")) for oid in open_ids
        ]  # nothing unmasked leaves
        row += ["" if duration is None else repr(duration), submitted.isoformat(), channel]
        return row

    return make


#: The completion time only where the speeder rule may trust it (the survey pages'
#: signed stamp, or a channel key with trusted stamps): an export analysed with
#: ``surveyapp analyze`` then flags the speeders the stored round flags.
_DURATION = case((Response.stamp_trusted, Response.duration_seconds), else_=None).label(
    "duration_seconds"
)

_COLUMNS = (
    Response.uid,
    Response.profile,
    Response.answers,
    Response.open_answers,
    _DURATION,
    Response.submitted_at,
    Response.channel,
    Response.external_id,
)


def response_records(session: DbSession, round_: Round) -> Iterator[Sequence[Any]]:
    """The stored rows of ``round_`` as :data:`_COLUMNS` tuples, oldest first, fetched in
    batches (the XLSX and SPSS writers format them themselves).

    Executed on the session's connection (Core), not through the ORM: the rows are the
    same, without the ORM's per-row loading work (some 40 % of the read time).
    """
    stmt = (
        select(*_COLUMNS)
        .where(Response.round_id == round_.id, Response.review == COUNTED)
        .order_by(Response.id)
        .execution_options(yield_per=BATCH)
    )
    yield from session.connection().execute(stmt)


def exported_count(session: DbSession, round_: Round) -> int:
    """How many responses an export of ``round_`` holds (the counted ones: the total
    of a progress bar, which then ends at 100 % also when some responses are held)."""
    stmt = select(func.count()).where(Response.round_id == round_.id, Response.review == COUNTED)
    return int(session.scalar(stmt) or 0)


def export_rows(session: DbSession, round_: Round) -> Iterator[list[str]]:
    """Header then one list of strings per response, oldest first."""
    q = questionnaire_of(round_.questionnaire_version)
    yield export_columns(q)
    make = _row_maker(round_, q)
    for record in response_records(session, round_):
        yield make(record)


@dataclass(frozen=True)
class ExportPage:
    """One page of a round's export: the CSV's columns and rows, and where to go on.

    ``next_after`` is the id of the last response on the page when more follow, else
    ``None``; passing it back as ``after`` gives the next page.
    """

    columns: list[str]
    rows: list[list[str]]
    next_after: int | None


def export_page(session: DbSession, round_: Round, after: int = 0, limit: int = 500) -> ExportPage:
    """The responses with an id above ``after``, oldest first, at most ``limit`` of them.

    Keyset pagination on the primary key rather than OFFSET: every page costs the same
    index range scan however deep it is, and a response stored while a client walks the
    pages neither shifts nor repeats rows (it shows up on a later page).  The rows are
    exactly those of :func:`export_rows` (same columns, same strings).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    q = questionnaire_of(round_.questionnaire_version)
    make = _row_maker(round_, q)
    stmt = (
        select(Response.id, *_COLUMNS)
        .where(Response.round_id == round_.id, Response.review == COUNTED, Response.id > after)
        .order_by(Response.id)
        .limit(limit + 1)  # one more than asked: tells whether another page exists
    )
    records = session.execute(stmt).all()
    more = len(records) > limit
    records = records[:limit]
    rows = [make(record[1:]) for record in records]
    return ExportPage(export_columns(q), rows, records[-1][0] if more else None)


def export_csv(
    session: DbSession, round_: Round, progress: Callable[[int, int], None] | None = None
) -> Iterator[str]:
    """CSV text chunks, UTF-8 BOM first so Excel opens Chinese text correctly.

    ``progress(rows written, rows)`` is called with every chunk (of 1,000 rows).

    Cells a spreadsheet would take for a formula (an open answer ``=HYPERLINK(…)``) are
    quoted by :mod:`surveyapp.csv_safe`; ``surveyapp responses import`` takes the quote
    off again.  :func:`export_rows` and the API's pages keep the texts as they are.
    """
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, lineterminator="\r\n")
    total = exported_count(session, round_) if progress is not None else 0
    n = 0
    for n, row in enumerate(export_rows(session, round_), start=1):
        writer.writerow(row)
        if n % PROGRESS_EVERY == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress is not None:
                progress(n - 1, total)  # the first row is the header
    yield buffer.getvalue()
    if progress is not None:
        progress(max(n - 1, 0), max(total, n - 1))
