"""Loading a stored round as an :class:`analysis.ResponseMatrix`.

This is the database side of the one data path: the CLI's ``analyze --round``, the
dashboard and the bulletins all get their numbers from :func:`analysis.run` on the
matrix built here, exactly as ``surveyapp analyze`` does from a CSV file.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import ResponseMatrix
from surveyapp.catalog import questionnaire_of
from surveyapp.models import Response, Round
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.codec import MISSING, decode_many

BATCH = 20_000


def load_round_matrix(session: Session, round_: Round) -> tuple[Questionnaire, ResponseMatrix]:
    """Every response of ``round_`` as column arrays (vectorised decoding, no per-row Python work
    beyond fetching the rows)."""
    q = questionnaire_of(round_.questionnaire_version)
    stmt = (
        select(Response.uid, Response.external_id, Response.answers, Response.profile, Response.duration_seconds)
        .where(Response.round_id == round_.id)
        .order_by(Response.id)
        .execution_options(yield_per=BATCH)
    )
    uids, answers, profiles, durations = [], [], [], []
    for uid, external, answer_blob, profile_blob, duration in session.execute(stmt):
        uids.append(external or uid)
        answers.append(answer_blob)
        profiles.append(profile_blob)
        durations.append(np.nan if duration is None else duration)
    return q, build_matrix(q, round_.period, uids, answers, profiles, durations)


def build_matrix(q: Questionnaire, period: str, uids, answers, profiles, durations) -> ResponseMatrix:
    n = len(uids)
    width = len(q.answer_ids)
    values = decode_many(answers, width)
    codes = (
        np.frombuffer(b"".join(profiles), dtype=np.uint8).reshape(n, len(q.respondent))
        if n
        else np.empty((0, len(q.respondent)), dtype=np.uint8)
    )
    columns: dict[str, np.ndarray] = {}
    for j, question in enumerate(q.respondent):
        lookup = np.array([*question.values, *[""] * (256 - len(question.values))], dtype=object)
        lookup[MISSING] = ""
        columns[question.id] = lookup[codes[:, j]]
    columns["period"] = np.full(n, period, dtype=object)
    return ResponseMatrix(
        respondent_ids=np.array(uids, dtype=object),
        scores=values[:, :-1],
        overall=values[:, -1],
        columns=columns,
        durations=np.asarray(durations, dtype=np.float64),
        levels={question.id: question.values for question in q.respondent},
    )
