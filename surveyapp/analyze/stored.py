"""One analysis path for a round stored in the database.

``surveyapp analyze --round CODE``, the bulletins and the dashboard all analyse a stored
round through :func:`analyse_stored_round`, so margin fitting, the margins chosen and the
data-quality rules cannot drift apart between them.  The round is loaded by
:func:`surveyapp.responses.matrix.load_round_matrix` into the same
:class:`analysis.ResponseMatrix` a CSV file becomes, and analysed by :func:`analysis.run`.

Unlike a CSV file, a stored round has its data-quality exclusions applied by default
(analysis contract, 11).  Margins come from the round itself when an admin uploaded
them (``Round.margins``), else from the caller (the configured or demo margins); a
margin category nobody analysed belongs to is left out (:func:`fit_margins`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import click
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

import analysis
from analysis import AnalysisResult, ChangeResult, Margins, ResponseMatrix, compare_periods
from analysis.matrix import Categorical
from analysis.run import Prepared, prepare
from surveyapp.csvtable import InputError
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import load_round_matrix
from surveyapp.rounds.service import get_round

from .command import quality_rules

__all__ = [
    "RoundOptions",
    "StoredRound",
    "analyse_round",
    "analyse_stored_round",
    "analyze_stored",
    "fit_margins",
    "margins_for",
]

MarginTotals = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class RoundOptions:
    """How to analyse a stored round.

    ``margins`` are the default population totals (``None``: unweighted), named by
    ``margins_source``; a round's own uploaded margins replace them unless
    ``margins_override`` (an explicit ``--margins`` on the command line, or the margins
    pinned in a published bulletin's inputs).  ``items``, ``drivers`` and
    ``reliability`` are passed to :func:`analysis.run` (off: faster, for trend points).
    ``skip_missing_columns`` drops a ``strata`` or ``by`` variable the round does not
    ask (the bulletins' choice, applied to every sector alike); otherwise
    :func:`analysis.run` refuses it.
    """

    margins: MarginTotals | None = None
    margins_source: str = "none"
    margins_override: bool = False
    strata: str | None = None
    by: Sequence[Sequence[str]] = ()
    goal: float | None = None
    min_n: int = 30
    exclude_flagged: bool = True
    trim: float | None = None
    items: bool = True
    drivers: bool = True
    reliability: bool = True
    skip_missing_columns: bool = False


@dataclass
class StoredRound:
    """A stored round, its arrays and its analysis (``None`` when it has no response or
    the analysis refused it: ``record["error"]`` says why); ``record`` is what the
    analysis was run with, as stored in a bulletin's inputs."""

    round: Round
    questionnaire: Questionnaire
    matrix: ResponseMatrix
    result: AnalysisResult | None
    record: dict[str, Any] = field(default_factory=dict)


def margins_for(round_: Round, options: RoundOptions) -> tuple[MarginTotals | None, str]:
    """The margins to weight ``round_`` to, and where they came from."""
    if round_.margins and not options.margins_override:
        return round_.margins, f"round {round_.code}"
    return options.margins, options.margins_source if options.margins else "none"


def fit_margins(
    margins: MarginTotals, matrix: ResponseMatrix, rows: np.ndarray | None
) -> tuple[dict[str, dict[str, float]] | None, list[tuple[str, str]]]:
    """The margins restricted to categories with respondents among ``rows``.

    A category nobody from the round belongs to cannot be weighted to; it is left out
    and the other variables are scaled to the population that remains (named in the
    returned ``(variable, category)`` pairs).  A variable that is not a column of the
    round is left out too (category ``"*"``).
    """
    kept: dict[str, dict[str, float]] = {}
    notes: list[tuple[str, str]] = []
    for var, cats in margins.items():
        if var not in matrix.columns:
            notes.append((var, "*"))
            continue
        column = matrix.column(var)
        if isinstance(column, Categorical):  # a stored round's columns: count the codes
            codes = column.codes if rows is None else column.codes[rows]
            present = {column.levels[c] for c in np.unique(codes).tolist()}
        else:
            values = matrix.values(var) if rows is None else matrix.values(var)[rows]
            present = set(np.unique(np.asarray(values, dtype=str)).tolist())
        kept[var] = {c: float(p) for c, p in cats.items() if c in present}
        notes += [(var, c) for c in cats if c not in present]
        if not kept[var]:
            del kept[var]
    if not kept:
        return None, notes
    totals = {v: sum(c.values()) for v, c in kept.items()}
    target = min(totals.values())
    scaled = {v: {c: p * target / totals[v] for c, p in cats.items()} for v, cats in kept.items()}
    return scaled, notes


def _rules_record(rules: analysis.QualityRules) -> dict[str, Any]:
    return {
        "speeders": rules.speeders,
        "speed_fraction": rules.speed_fraction,
        "straightliners": rules.straightliners,
        "straightline_min_items": rules.straightline_min_items,
        "duplicates": rules.duplicates,
        "duplicate_columns": list(rules.duplicate_columns or ()),
    }


def analyse_stored_round(session: Session, round_: Round, options: RoundOptions) -> StoredRound:
    """Load and analyse one stored round: the single path every consumer uses."""
    q, matrix = load_round_matrix(session, round_)
    record: dict[str, Any] = {
        "round_id": round_.id,
        "code": round_.code,
        "period": round_.period,
        "questionnaire": q.id,
        "questionnaire_version": q.version,
        "questionnaire_version_id": round_.questionnaire_version_id,
        "n_received": matrix.n,
    }
    out = StoredRound(round_, q, matrix, None, record)
    if not matrix.n:
        return out
    spec = scoring_spec(q)
    rules = quality_rules(q, matrix.columns)
    given, source = margins_for(round_, options)
    strata, by = options.strata, [list(b) for b in options.by]
    if options.skip_missing_columns:
        strata = strata if strata in matrix.columns else None
        by = [b for b in by if all(v in matrix.columns for v in b)]
    fitted, notes = None, []
    # flag and score once: the analysed respondents choose the margins to fit, and
    # analysis.run takes the same work as its first steps
    prepared: Prepared | None = None
    error: str | None = None
    try:
        prepared = prepare(
            matrix, spec, quality=rules, exclude_flagged=options.exclude_flagged,
            period=round_.period,
        )  # fmt: skip
    except ValueError as exc:
        error = str(exc)
    if given and prepared is not None:
        # weight only to categories that have analysed respondents (see fit_margins)
        fitted, notes = fit_margins(given, prepared.matrix, np.flatnonzero(prepared.analysed))
    record.update(
        margins=fitted,
        margins_source=source,
        unweighted=[list(n) for n in notes],
        strata=strata,
        by=by,
        quality_rules=_rules_record(rules),
        exclude_flagged=options.exclude_flagged,
    )
    if source.startswith("round "):
        record["round_margins"] = {v: dict(c) for v, c in given.items()}
    if error is not None:
        record["error"] = error
        return out
    try:
        out.result = analysis.run(
            matrix,
            spec,
            margins=Margins(fitted) if fitted else None,
            strata=strata,
            by=by,
            goal=options.goal,
            min_n=options.min_n,
            quality=rules,
            exclude_flagged=options.exclude_flagged,
            period=round_.period,
            trim=options.trim,
            items=options.items,
            drivers=options.drivers,
            reliability=options.reliability,
            prepared=prepared,
        )
    except ValueError as exc:  # e.g. nobody answered a rating item
        record["error"] = str(exc)
    return out


def analyse_round(
    round_: Round,
    session: Session,
    *,
    margins: Margins | None = None,
    margins_source: str = "--margins",
    strata: str | None = None,
    by: Sequence[Sequence[str]] = (),
    goal: float | None = None,
    min_n: int = 30,
    exclude_flagged: bool = True,
    trim: float | None = None,
) -> tuple[Questionnaire, AnalysisResult]:
    """The command line's view of :func:`analyse_stored_round`: explicit ``--margins``
    win over the round's own; no response or a refused analysis is an :class:`InputError`;
    margin categories left out are named on stderr."""
    options = RoundOptions(
        margins=None if margins is None else margins.totals,
        margins_source=margins_source,
        margins_override=margins is not None,
        strata=strata,
        by=by,
        goal=goal,
        min_n=min_n,
        exclude_flagged=exclude_flagged,
        trim=trim,
    )
    stored = analyse_stored_round(session, round_, options)
    if stored.matrix.n == 0:
        raise InputError(f"round {round_.code}", None, None, "has no responses yet")
    if stored.result is None:
        raise InputError(f"round {round_.code}", None, None, stored.record["error"])
    for var, cat in stored.record["unweighted"]:
        what = var if cat == "*" else f"{var}={cat}"
        click.echo(
            f"note: round {round_.code}: margin {what} has no analysed respondent; "
            "left out of the weighting",
            err=True,
        )
    return stored.questionnaire, stored.result


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
