"""Loading a stored round as an :class:`analysis.ResponseMatrix`.

This is the database side of the one data path: the CLI's ``analyze --round``, the
dashboard and the bulletins all get their numbers from :func:`analysis.run` on the
matrix built here, exactly as ``surveyapp analyze`` does from a CSV file.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import numpy as np

from analysis import Categorical, ResponseMatrix
from surveyapp.catalog import questionnaire_of
from surveyapp.models import Round
from surveyapp.models.base import DbSession
from surveyapp.models.review import COUNTED
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.codec import DONT_KNOW, MISSING

#: What a stored response contributes to the matrix: its id, its respondent id (the
#: external id of an imported row, else the uid), the packed answers then the packed
#: profile (one blob: one value less to send and convert per row), and a duration the
#: speeder rule may trust.  Only counted responses, oldest first.
_ROUND_ROWS = (
    "SELECT id, coalesce(external_id, uid), {packed}, "
    "CASE WHEN stamp_trusted THEN duration_seconds END "
    "FROM response WHERE round_id = {mark} AND review = {mark} AND id > {mark} ORDER BY id"
)
_COUNT_UP_TO = (
    "SELECT count(*) FROM response WHERE round_id = {mark} AND review = {mark} AND id <= {mark}"
)
#: How far below the largest id it has a refresh reads the responses again: ids are
#: handed out when a transaction inserts, not when it commits, so a response with a
#: smaller id may become visible after one with a larger id (as RoundStamps.settle).
SETTLE_IDS = 1000


@dataclass(frozen=True)
class RoundRows:
    """The counted responses of one round as loaded, in the order of their ids: what
    the matrix is made of, and what the dashboard's cache keeps so that a refresh reads
    only the responses stored since (:func:`load_round_rows`)."""

    ids: np.ndarray  # int64, ascending
    uids: np.ndarray  # object: respondent ids (str)
    packed: np.ndarray  # uint8, n x (items + respondent questions)
    durations: np.ndarray  # float64, NaN: no trusted duration

    @property
    def n(self) -> int:
        return int(self.ids.size)

    @property
    def top(self) -> int:
        """The largest response id among the rows (0: none)."""
        return int(self.ids[-1]) if self.ids.size else 0

    def up_to(self, last_id: int) -> RoundRows:
        """The rows with an id of at most ``last_id``."""
        stop = int(np.searchsorted(self.ids, last_id, side="right"))
        return RoundRows(
            self.ids[:stop], self.uids[:stop], self.packed[:stop], self.durations[:stop]
        )

    def then(self, more: RoundRows) -> RoundRows:
        """These rows followed by ``more`` (all of larger ids)."""
        if not more.n:
            return self
        if not self.n:
            return more
        return RoundRows(
            *(np.concatenate([a, b]) for a, b in zip(self.parts(), more.parts(), strict=True))
        )

    def parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.ids, self.uids, self.packed, self.durations


def _marks(conn) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def read_round_rows(
    session: DbSession, round_id: int, q: Questionnaire, after: int = 0
) -> RoundRows:
    """The counted responses of ``round_id`` with an id above ``after``, in one statement.

    Read with the driver's own cursor (no ORM objects, no per-column type processing),
    the cyclic GC paused while a million tuples are made, the packed bytes of every
    response joined and reinterpreted as one ``n x k`` array.  On PostgreSQL the rows
    come in psycopg's binary format: the server sends the bytes and doubles as they
    are instead of formatting hex and decimal text that the client parses back.
    ``COPY ... TO STDOUT (FORMAT BINARY)`` was measured too and is slower from Python:
    psycopg hands a COPY over one row at a time.
    """
    conn = session.connection()
    dbapi = conn.connection
    if conn.dialect.name == "postgresql":
        sql = _ROUND_ROWS.format(packed="answers || profile", mark="%s")
        cursor = dbapi.cursor(binary=True)  # psycopg 3: bytea and float8 as sent
    else:
        # SQLite's || joins blobs as text; CAST gives the very bytes back as a blob
        sql = _ROUND_ROWS.format(packed="CAST(answers || profile AS BLOB)", mark=_marks(conn))
        cursor = dbapi.cursor()
    # Millions of fresh tuples would trigger the cyclic GC again and again for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        cursor.execute(sql, (round_id, COUNTED, after))
        rows = cursor.fetchall()
        columns = tuple(zip(*rows, strict=True)) if rows else ((), (), (), ())
        del rows
    finally:
        cursor.close()
        if gc_was_enabled:
            gc.enable()
    ids, uids, packed, durations = columns
    n, k = len(ids), len(q.answer_ids) + len(q.respondent)
    blobs = packed if not packed or isinstance(packed[0], bytes) else [bytes(b) for b in packed]
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    if raw.size != n * k:
        raise ValueError("stored answers do not match the questionnaire version's width")
    return RoundRows(
        np.array(ids, dtype=np.int64).reshape(n),
        np.array(uids, dtype=object).reshape(n),
        raw.reshape(n, k),
        np.array(durations, dtype=np.float64).reshape(n),
    )


def load_round_rows(session: DbSession, round_: Round, kept: RoundRows | None = None) -> RoundRows:
    """The round's counted responses; with ``kept`` (this round's rows as loaded
    before, under the same review decisions), only the responses above its largest id
    less :data:`SETTLE_IDS` are read again.

    Stored responses are not edited in place; the rows below that line are taken from
    ``kept`` once a count of the round's counted responses up to the new largest id
    agrees with the rows in hand.  A late commit below the line, a deleted response or
    a released wave makes the count differ, and the round is read whole.
    """
    q = questionnaire_of(round_.questionnaire_version)
    if kept is None or kept.packed.shape[1] != len(q.answer_ids) + len(q.respondent):
        return read_round_rows(session, round_.id, q)
    floor = max(kept.top - SETTLE_IDS, 0)
    rows = kept.up_to(floor).then(read_round_rows(session, round_.id, q, after=floor))
    conn = session.connection()
    counted = conn.exec_driver_sql(
        _COUNT_UP_TO.format(mark=_marks(conn)), (round_.id, COUNTED, rows.top)
    ).scalar()
    if int(counted or 0) != rows.n:
        return read_round_rows(session, round_.id, q)
    return rows


def load_round_matrix(
    session: DbSession, round_: Round, rows: RoundRows | None = None
) -> tuple[Questionnaire, ResponseMatrix]:
    """Every counted response of ``round_`` as column arrays (from ``rows`` when the
    caller loaded them already with :func:`load_round_rows`).

    Responses held for review or rejected (:mod:`surveyapp.review.holds`) are not
    loaded: no analysis sees them until their wave is released.  A duration is loaded
    only from a stamp the speeder rule may trust (``stamp_trusted``: the survey pages'
    signed start stamp, a trusted-stamps channel key); any other response has no
    duration, so it is never called a speeder.
    """
    q = questionnaire_of(round_.questionnaire_version)
    if rows is None:
        rows = read_round_rows(session, round_.id, q)
    width = len(q.answer_ids)
    return q, _matrix(
        q, round_.period, rows.uids, rows.packed[:, :width], rows.packed[:, width:], rows.durations
    )


def build_matrix(
    q: Questionnaire, period: str, uids, answers, profiles, durations
) -> ResponseMatrix:
    """A matrix from packed rows: answers and profile bytes in the version's order."""
    n = len(uids)
    width = len(q.answer_ids)
    blobs = (
        [bytes(a) for a in answers] if answers and not isinstance(answers[0], bytes) else answers
    )
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    if raw.size != n * width:
        raise ValueError("stored answers do not match the questionnaire version's width")
    joined = (
        b"".join(bytes(p) for p in profiles)
        if profiles and not isinstance(profiles[0], bytes)
        else b"".join(profiles)
    )
    codes = np.frombuffer(joined, dtype=np.uint8).reshape(n, len(q.respondent))
    return _matrix(q, period, uids, raw.reshape(n, width), codes, durations)


def _matrix(
    q: Questionnaire, period: str, uids, answers: np.ndarray, codes: np.ndarray, durations
) -> ResponseMatrix:
    """The matrix of ``n`` responses: ``answers`` (n x items) and ``codes`` (n x
    respondent questions) are the stored bytes."""
    n = len(uids)
    values = answers.astype(np.float64)
    values[answers >= DONT_KNOW] = np.nan  # as decode_many: both codes are missing
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
        respondent_ids=uids if isinstance(uids, np.ndarray) else np.array(uids, dtype=object),
        scores=values[:, :-1],
        overall=values[:, -1],
        columns=columns,
        durations=np.array(durations, dtype=np.float64),
        levels={question.id: question.values for question in q.respondent},
    )
