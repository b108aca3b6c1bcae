"""Residents' suggestions of a round: the answers to its open question that may count.

Only respondents the round's analysis kept count (:func:`surveyapp.indices.analyse_round`:
``result.respondent_ids`` — duplicates, speeders, straight-liners and whatever else
the quality rules leave out are not in it), so "(55 人)" means 55 analysed responses.
The texts then go through the moderation queue (:func:`.service.review`) before
anything is printed.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from surveyapp.indices import AnalysisSettings, StoredRound, analyse_round, options_for
from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession
from surveyapp.questionnaire.model import Questionnaire

from .service import Entry, count_texts, review

__all__ = ["analysed_suggestions", "round_review", "round_scope", "undecided_texts"]


def round_scope(round_: Round) -> str:
    """How a round is named as the scope of a decision and in the audit log."""
    return f"round:{round_.code}"


def _answers(session: DbSession, round_: Round, q: Questionnaire) -> Iterator[tuple[str, str]]:
    """(respondent id as in the round's matrix, text) of every answer to the round's
    first open question."""
    if not q.open_questions:
        return
    qid = q.open_questions[0].id
    stmt = select(Response.uid, Response.external_id, Response.open_answers).where(
        Response.round_id == round_.id, Response.open_answers.is_not(None)
    )
    for uid, external_id, answers in session.execute(stmt):
        text = answers.get(qid) if isinstance(answers, dict) else None
        if isinstance(text, str) and text.strip():
            # load_round_matrix names a respondent coalesce(external_id, uid)
            yield (uid if external_id is None else external_id), text


def analysed_suggestions(session: DbSession, stored: StoredRound) -> dict[str, int]:
    """Normalised suggestion → how many analysed respondents of ``stored`` wrote it
    (empty when the round has no analysis)."""
    if stored.result is None:
        return {}
    kept = set(stored.result.respondent_ids.tolist())
    answers = _answers(session, stored.round, stored.questionnaire)
    return count_texts(text for rid, text in answers if rid in kept)


def undecided_texts(session: DbSession, round_: Round, q: Questionnaire) -> bool:
    """Whether any suggestion of ``round_`` (analysed or not) has no decision yet: a
    cheap look before analysing the round to list its queue."""
    counts = count_texts(text for _, text in _answers(session, round_, q))
    if not counts:
        return False
    entries = review(session, "suggestion", counts)
    return any(e.status == "pending" for e in entries)


def round_review(session: DbSession, round_: Round, settings: AnalysisSettings) -> list[Entry]:
    """The moderation entries of ``round_``'s suggestions from analysed responses."""
    stored = analyse_round(session, round_, options_for(settings, round_, "index"))
    return review(session, "suggestion", analysed_suggestions(session, stored))
