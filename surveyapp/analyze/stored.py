"""``surveyapp analyze --round``: a stored round through :func:`surveyapp.indices.analyse_round`.

The command line's view of the one stored-round path: no response or a refused analysis
is an :class:`~surveyapp.csvtable.InputError`; margins left out by the ``drop-absent``
policy are named on stderr.
"""

from __future__ import annotations

import click
from sqlalchemy import select

from analysis import AnalysisResult, ChangeResult, compare_periods
from surveyapp.csvtable import InputError
from surveyapp.indices import RoundOptions, StoredRound, analyse_round, counted_rounds
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.models.base import DbSession
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.rounds.service import get_round

__all__ = ["analyze_stored"]


def _stored_result(
    session: DbSession, round_: Round, options: RoundOptions
) -> tuple[StoredRound, AnalysisResult]:
    """The round analysed by :func:`surveyapp.indices.analyse_round`; no response or a
    refused analysis is an :class:`InputError`; margins left out are named on stderr."""
    stored = analyse_round(session, round_, options)
    if stored.matrix.n == 0:
        raise InputError(f"round {round_.code}", None, None, "has no responses yet")
    if stored.result is None:
        raise InputError(f"round {round_.code}", None, None, stored.error or "not analysable")
    for var, cat in stored.result.weighting.dropped:
        what = var if cat == "*" else f"{var}={cat}"
        click.echo(
            f"note: round {round_.code}: margin {what} has no analysed respondent; "
            "left out of the weighting (drop-absent)",
            err=True,
        )
    return stored, stored.result


def analyze_stored(
    session: DbSession, code: str, options: RoundOptions, compare_to: str | None = None
) -> tuple[Questionnaire, AnalysisResult, ChangeResult | None]:
    """Analyse round ``code``; with ``compare_to``, also the round that counts for the
    same questionnaire in that period, and the change between them."""
    round_ = get_round(session, code)
    if round_ is None:
        raise InputError("--round", None, None, f"no round with code {code!r}")
    current, result = _stored_result(session, round_, options)
    q = current.questionnaire
    if compare_to is None:
        return q, result, None
    candidates = session.scalars(
        select(Round)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .where(QuestionnaireVersion.qid == q.id, Round.period == compare_to)
    )
    earlier = counted_rounds(session, candidates).get(q.id)
    if earlier is None:
        raise InputError("--compare-to", None, None, f"no round of {q.id} in period {compare_to}")
    _, before = _stored_result(session, earlier, options)
    return q, result, compare_periods(before, result)
