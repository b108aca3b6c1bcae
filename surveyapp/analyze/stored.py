"""``surveyapp analyze --round CODE``: the same engine on a round stored in the database.

The round is loaded by :func:`surveyapp.responses.matrix.load_round_matrix` into the
same :class:`analysis.ResponseMatrix` a CSV file becomes, and analysed by the same
:func:`analysis.run`, so the numbers of the CLI, the dashboard and the bulletins agree.
Unlike a CSV file, a stored round has its data-quality exclusions applied by default
(analysis contract, 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import AnalysisResult, ChangeResult, Margins, compare_periods, run
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import load_round_matrix
from surveyapp.rounds.service import get_round

from .command import quality_rules
from .csv_input import InputError


def analyse_round(
    round_: Round,
    session: Session,
    *,
    margins: Margins | None = None,
    strata: str | None = None,
    by: Sequence[Sequence[str]] = (),
    goal: float | None = None,
    min_n: int = 30,
    exclude_flagged: bool = True,
    trim: float | None = None,
) -> tuple[Questionnaire, AnalysisResult]:
    q, matrix = load_round_matrix(session, round_)
    if matrix.n == 0:
        raise InputError(f"round {round_.code}", None, None, "has no responses yet")
    options: dict[str, Any] = {"strata": strata, "by": [list(b) for b in by], "goal": goal,
                               "min_n": min_n, "exclude_flagged": exclude_flagged, "trim": trim}
    try:
        result = run(matrix, scoring_spec(q), margins=margins, quality=quality_rules(q, matrix.columns),
                     period=round_.period, **options)
    except ValueError as exc:
        raise InputError(f"round {round_.code}", None, None, str(exc)) from None
    return q, result


def analyze_stored(
    session: Session,
    code: str,
    *,
    margins: Margins | None = None,
    compare_to: str | None = None,
    **options: Any,
) -> tuple[Questionnaire, AnalysisResult, ChangeResult | None]:
    """Analyse round ``code``; with ``compare_to``, also the same questionnaire's round of
    that period, and the change between them."""
    round_ = get_round(session, code)
    if round_ is None:
        raise InputError("--round", None, None, f"no round with code {code!r}")
    q, result = analyse_round(round_, session, margins=margins, **options)
    if compare_to is None:
        return q, result, None
    earlier = session.scalars(
        select(Round)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .where(QuestionnaireVersion.qid == q.id, Round.period == compare_to)
        .order_by(Round.id.desc())
    ).first()
    if earlier is None:
        raise InputError("--compare-to", None, None, f"no round of {q.id} in period {compare_to}")
    _, before = analyse_round(earlier, session, margins=margins, **options)
    return q, result, compare_periods(before, result)
