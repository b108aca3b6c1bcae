"""Stored round → :class:`analysis.AnalysisResult`: the only caller of :func:`analysis.run`
for data in the database.

``surveyapp analyze --round``, the bulletins, the dashboard and the API all analyse a
stored round through :func:`analyse_round`, so margins, the margins policy, strata,
grouping and the data-quality rules cannot drift apart between them.  The round is
loaded by :func:`surveyapp.responses.matrix.load_round_matrix` into the same
:class:`analysis.ResponseMatrix` a CSV file becomes.

Unlike a CSV file, a stored round has its data-quality exclusions applied by default
(analysis contract, 11).  Margins: the explicit ones of the caller when it overrides
(``--margins``, or a published bulletin's pinned margins), else the round's own upload,
else the configured file, else none — unweighted, and the result's
:attr:`~analysis.WeightsInfo.method` says ``"none"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

import analysis
from analysis import AnalysisResult, Margins, MarginsPolicy, Prepared, ResponseMatrix, prepare
from analysis.matrix import Categorical
from surveyapp.models import Round
from surveyapp.models.base import DbSession
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import RoundRows, load_round_matrix
from surveyapp.review.signals import review_counts, signalled_ids

from .quality import quality_rules, rules_record
from .settings import AnalysisSettings, MarginTotals
from .small_area import SmallAreaResult, estimate_districts

__all__ = ["Detail", "RoundOptions", "StoredRound", "analyse_round", "options_for"]

#: How much :func:`analysis.run` computes: ``everything`` (the CLI), ``sector``
#: (items and the drivers, for a bulletin section), ``board`` (what the dashboard and
#: the read API show: index, rate and dimensions overall and by group, the drivers —
#: no item scores, which neither shows: 32 of the 46 domain estimates of a catering
#: round) or ``index`` (the index only, for a trend point: fast).  Every number a
#: lighter detail computes is the very number of a fuller one.
Detail = Literal["everything", "sector", "board", "index"]


@dataclass(frozen=True)
class RoundOptions:
    """How to analyse one stored round (see :func:`options_for` for the app's settings).

    ``margins`` (named by ``margins_source``) are used when the round has no upload of
    its own, or always with ``margins_override``.  ``missing_columns="skip"`` drops a
    ``strata`` or ``by`` variable the round's questionnaire does not ask (the same
    settings apply to every sector); ``"refuse"`` lets :func:`analysis.run` refuse it.
    """

    margins: MarginTotals | None = None
    margins_source: str | None = None
    margins_override: bool = False
    margins_policy: MarginsPolicy = "drop-absent"
    strata: str | None = None
    by: Sequence[Sequence[str]] = ()
    goal: float | None = None
    min_n: int = 30
    exclude_flagged: bool = True
    trim: float | None = None
    detail: Detail = "everything"
    missing_columns: Literal["refuse", "skip"] = "refuse"
    #: Leave out the responses with a fraud signal too (the anomaly panel's "index
    #: without flagged responses"); never for a published figure.
    without_signals: bool = False
    #: the district auxiliaries to use instead of the round's own (a published
    #: bulletin's, when ``auxiliaries_override``; ``None`` then: none)
    auxiliaries: Mapping[str, Mapping[str, float]] | None = None
    auxiliaries_override: bool = False


def options_for(settings: AnalysisSettings, round_: Round, detail: Detail) -> RoundOptions:
    """The application's settings as options for ``round_`` (grouped by
    ``settings.group_by`` unless only the index is wanted)."""
    pinned = (settings.pinned_margins or {}).get(round_.id)
    aux = settings.pinned_auxiliaries
    margins, source = (settings.margins, settings.margins_source) if pinned is None else pinned
    return RoundOptions(
        margins=margins,
        margins_source=source,
        margins_override=pinned is not None,
        margins_policy=settings.margins_policy,
        strata=settings.strata,
        by=[] if detail == "index" else [[settings.group_by]],
        goal=settings.goal,
        min_n=settings.min_n,
        exclude_flagged=settings.exclude_flagged,
        detail=detail,
        missing_columns="skip",
        auxiliaries=None if aux is None else aux.get(round_.id),
        auxiliaries_override=aux is not None and round_.id in aux,
    )


@dataclass
class StoredRound:
    """A stored round, its arrays and its analysis (``None`` when it has no response or
    the analysis refused it: ``record["error"]`` says why); ``record`` is what the
    analysis was run with, as stored in a published bulletin's inputs."""

    round: Round
    questionnaire: Questionnaire
    matrix: ResponseMatrix
    result: AnalysisResult | None
    record: dict[str, Any] = field(default_factory=dict)
    #: the districts' Fay–Herriot estimates (only with uploaded auxiliaries)
    small_area: SmallAreaResult | None = None

    @property
    def error(self) -> str | None:
        return self.record.get("error")


def _margins_for(round_: Round, options: RoundOptions) -> tuple[MarginTotals | None, str | None]:
    """The margins to weight ``round_`` to, and where they came from."""
    if round_.margins and not options.margins_override:
        return round_.margins, f"round {round_.code}"
    if not options.margins:
        return None, None
    return options.margins, options.margins_source


def _present(matrix: ResponseMatrix, rows: np.ndarray) -> dict[str, set[str]]:
    """The categories of every column among the respondents ``rows``."""
    out: dict[str, set[str]] = {}
    for var in matrix.columns:
        column = matrix.column(var)
        if isinstance(column, Categorical):  # a stored round's columns: count the codes
            seen = np.bincount(column.codes[rows], minlength=len(column.levels))
            out[var] = {column.levels[c] for c in np.flatnonzero(seen).tolist()}
        else:
            out[var] = set(np.unique(np.asarray(matrix.values(var)[rows], dtype=str)).tolist())
    return out


def analyse_round(
    session: DbSession, round_: Round, options: RoundOptions, rows: RoundRows | None = None
) -> StoredRound:
    """Load and analyse one stored round: the single path every consumer uses.

    ``rows``: the round's counted responses as the caller loaded them already
    (:func:`~surveyapp.responses.matrix.load_round_rows`: the dashboard's cache keeps
    them between refreshes)."""
    q, matrix = load_round_matrix(session, round_, rows)  # counted responses only
    review = review_counts(session, round_.id)
    if options.without_signals and matrix.n:
        marked = np.isin(matrix.respondent_ids, signalled_ids(session, round_.id))
        matrix = dataclasses.replace(matrix, flags=marked)
    record: dict[str, Any] = {
        "round_id": round_.id,
        "code": round_.code,
        "period": round_.period,
        "questionnaire": q.id,
        "questionnaire_version": q.version,
        "questionnaire_version_id": round_.questionnaire_version_id,
        "n_received": matrix.n,
        "review": review,
    }
    out = StoredRound(round_, q, matrix, None, record)
    if not matrix.n:
        return out
    spec = scoring_spec(q)
    rules = quality_rules(q, matrix.columns)
    given, source = _margins_for(round_, options)
    strata, by = options.strata, [list(b) for b in options.by]
    if options.missing_columns == "skip":
        strata = strata if strata in matrix.columns else None
        by = [b for b in by if all(v in matrix.columns for v in b)]
    record.update(
        margins=None,
        margins_source=source,
        margins_policy=options.margins_policy,
        unweighted=[],
        strata=strata,
        by=by,
        quality_rules=rules_record(rules),
        exclude_flagged=options.exclude_flagged,
    )
    if source is not None and source.startswith("round "):
        record["round_margins"] = {v: dict(c) for v, c in (given or {}).items()}
    # flag and score once: the analysed respondents decide which margin categories can
    # be weighted to, and analysis.run takes the same work as its first steps
    try:
        prepared: Prepared = prepare(
            matrix, spec, quality=rules, exclude_flagged=options.exclude_flagged,
            period=round_.period,
        )  # fmt: skip
        fitted = analysis.FittedMargins(None)
        if given:
            present = _present(prepared.matrix, np.flatnonzero(prepared.analysed))
            fitted = analysis.fit_margins(given, present, options.margins_policy)
        record.update(margins=fitted.totals, unweighted=[list(d) for d in fitted.dropped])
        result = analysis.run(
            matrix,
            spec,
            margins=Margins(fitted.totals) if fitted.totals else None,
            strata=strata,
            by=by,
            goal=options.goal,
            min_n=options.min_n,
            quality=rules,
            exclude_flagged=options.exclude_flagged,
            period=round_.period,
            trim=options.trim,
            items=options.detail in ("everything", "sector"),
            drivers=options.detail != "index",
            reliability=options.detail == "everything",
            prepared=prepared,
        )
    except ValueError as exc:  # e.g. nobody answered a rating item; a refused margin
        record["error"] = str(exc)
        return out
    weighting = dataclasses.replace(
        result.weighting,
        source=source if fitted.totals else None,
        policy=options.margins_policy if given else None,
        dropped=fitted.dropped,
    )
    quality = result.quality
    if quality is not None:  # every kind in one place: exclusions, holds, signals
        quality = dataclasses.replace(quality, counts={**quality.counts, **review})
    out.result = dataclasses.replace(result, weighting=weighting, quality=quality)
    auxiliaries = options.auxiliaries if options.auxiliaries_override else round_.auxiliaries
    if auxiliaries and len(by) == 1 and len(by[0]) == 1:
        record["auxiliaries"] = {d: dict(v) for d, v in auxiliaries.items()}
        keep = prepared.analysed
        try:
            out.small_area = estimate_districts(
                out.result,
                prepared.index[keep],
                np.asarray(prepared.matrix.values(by[0][0]), dtype=str)[keep],
                auxiliaries,
            )
        except ValueError as exc:  # too few districts with respondents to fit the model
            record["small_area_error"] = str(exc)
        else:
            record["small_area"] = out.small_area.record()
    return out
