"""Loading a stored round as an :class:`analysis.ResponseMatrix`.

This is the database side of the one data path: the CLI's ``analyze --round``, the
dashboard and the bulletins all get their numbers from :func:`analysis.run` on the
matrix built here, exactly as ``surveyapp analyze`` does from a CSV file.
"""

from __future__ import annotations

import gc

import numpy as np

from analysis import Categorical, ResponseMatrix
from surveyapp.catalog import questionnaire_of
from surveyapp.models import Round
from surveyapp.models.base import DbSession
from surveyapp.models.review import COUNTED
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.codec import MISSING, decode_many


def load_round_matrix(session: DbSession, round_: Round) -> tuple[Questionnaire, ResponseMatrix]:
    """Every counted response of ``round_`` as column arrays.

    Responses held for review or rejected (:mod:`surveyapp.review.holds`) are not
    loaded: no analysis sees them until their wave is released.  A duration is loaded
    only from a stamp the speeder rule may trust (``stamp_trusted``: the survey pages'
    signed start stamp, a trusted-stamps channel key); any other response has no
    duration, so it is never called a speeder.

    The rows are read with the driver's own cursor (no ORM objects, no per-column
    type processing) and transposed at C speed; the packed answers are decoded in one
    numpy operation.  That keeps a round of a million responses a matter of seconds.
    """
    q = questionnaire_of(round_.questionnaire_version)
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.connection.cursor()  # the DBAPI cursor: plain tuples, no Row wrapping
    # Millions of fresh tuples would trigger the cyclic GC again and again for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        cursor.execute(
            "SELECT coalesce(external_id, uid), answers, profile, "
            "CASE WHEN stamp_trusted THEN duration_seconds END "
            f"FROM response WHERE round_id = {mark} AND review = {mark} ORDER BY id",
            (round_.id, COUNTED),
        )
        rows = cursor.fetchall()
        columns = tuple(zip(*rows, strict=True)) if rows else ((), (), (), ())
        del rows
    finally:
        cursor.close()
        if gc_was_enabled:
            gc.enable()
    uids, answers, profiles, durations = columns
    return q, build_matrix(q, round_.period, uids, answers, profiles, durations)


def build_matrix(
    q: Questionnaire, period: str, uids, answers, profiles, durations
) -> ResponseMatrix:
    """A matrix from packed rows: answers and profile bytes in the version's order."""
    n = len(uids)
    width = len(q.answer_ids)
    values = decode_many(
        [bytes(a) for a in answers] if answers and not isinstance(answers[0], bytes) else answers,
        width,
    )
    joined = (
        b"".join(bytes(p) for p in profiles)
        if profiles and not isinstance(profiles[0], bytes)
        else b"".join(profiles)
    )
    codes = np.frombuffer(joined, dtype=np.uint8).reshape(n, len(q.respondent))
    columns: dict[str, np.ndarray | Categorical] = {}
    for j, question in enumerate(q.respondent):
        column = codes[:, j].astype(np.intp)
        levels = question.values
        if (column == MISSING).any():  # not answered: an explicit empty category
            column[column == MISSING] = len(levels)
            levels = (*levels, "")
        columns[question.id] = Categorical.create(column, levels)
    columns["period"] = Categorical.create(np.zeros(n, dtype=np.intp), (period,))
    return ResponseMatrix(
        respondent_ids=np.array(uids, dtype=object),
        scores=values[:, :-1],
        overall=values[:, -1],
        columns=columns,
        durations=np.array(durations, dtype=np.float64),
        levels={question.id: question.values for question in q.respondent},
    )
