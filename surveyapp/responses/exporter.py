"""Streaming CSV export of a round, in the analysis contract's column layout.

The file is what ``surveyapp analyze --responses`` reads, so an export can be
re-analysed anywhere.  Rows are fetched in batches (``yield_per``) and written as
they come: memory stays flat whatever the size of the round.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.catalog import questionnaire_of
from surveyapp.models import Response, Round
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.codec import MISSING

BATCH = 5000
TAIL = ("duration", "submitted_at", "channel")  # "duration" (seconds) feeds the speeder rule of analyze


def export_columns(q: Questionnaire) -> list[str]:
    head = ["respondent_id", *q.respondent_ids, "period"]
    return head + list(q.answer_ids) + [oq.id for oq in q.open_questions] + list(TAIL)


def export_rows(session: Session, round_: Round) -> Iterator[list[str]]:
    """Header then one list of strings per response, oldest first."""
    q = questionnaire_of(round_.questionnaire_version)
    yield export_columns(q)
    options = [question.values for question in q.respondent]
    open_ids = [oq.id for oq in q.open_questions]
    stmt = (
        select(Response.uid, Response.profile, Response.answers, Response.open_answers,
               Response.duration_seconds, Response.submitted_at, Response.channel, Response.external_id)
        .where(Response.round_id == round_.id)
        .order_by(Response.id)
        .execution_options(yield_per=BATCH)
    )
    for uid, profile, answers, open_answers, duration, submitted, channel, external in session.execute(stmt):
        row = [external or uid]
        row += ["" if b == MISSING else options[i][b] for i, b in enumerate(profile)]
        row.append(round_.period)
        row += ["" if b == MISSING else str(b) for b in answers]
        row += [(open_answers or {}).get(oid, "") for oid in open_ids]
        row += ["" if duration is None else repr(duration), submitted.isoformat(), channel]
        yield row


def export_csv(session: Session, round_: Round) -> Iterator[str]:
    """CSV text chunks, UTF-8 BOM first so Excel opens Chinese text correctly."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, row in enumerate(export_rows(session, round_), start=1):
        writer.writerow(row)
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
