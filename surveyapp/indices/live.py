"""A round's numbers for the pages and the API: cached, refreshed in the background.

:func:`serve_round` is what the dashboard and the read API call.  It returns the
analysis of :func:`~surveyapp.indices.stored.analyse_round` with the app's settings,
kept in the process's :class:`~surveyapp.indices.cache.AnalysisCache` per (round,
settings) and recomputed when the round's responses or uploaded margins change (the
last result is served, marked stale, meanwhile).  The bulletins call
:func:`~surveyapp.indices.stored.analyse_round` with the very same options
(:func:`~surveyapp.indices.stored.options_for`), so a published number, a dashboard
number and an API number of one round are equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from analysis import AnalysisResult, ChangeResult, compare_periods
from surveyapp.models import Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.matrix import load_round_rows
from surveyapp.review.holds import review_version

from .cache import AnalysisCache, Stamp
from .settings import AnalysisSettings
from .small_area import SmallAreaResult
from .stored import analyse_round, options_for

__all__ = ["RoundAnalysis", "change_between", "margins_digest", "serve_round"]


@dataclass(frozen=True)
class RoundAnalysis:
    """The cached analysis of one round: the result and the counts the pages need.

    ``as_of`` is when the round's responses were read (``n_received`` of them) and
    ``stamp`` the round's stamp then; ``stale`` marks an analysis served while a
    fresher one is computed in the background (see :meth:`AnalysisCache.serve`).
    """

    round_id: int
    period: str
    questionnaire: Questionnaire
    n_received: int
    received_by_district: dict[str, int]
    result: AnalysisResult | None
    error: str | None = None
    stamp: Stamp = (0, 0)
    as_of: datetime | None = None
    stale: bool = False
    #: the districts' model-based (Fay–Herriot) estimates, with uploaded auxiliaries
    small_area: SmallAreaResult | None = None
    #: why the round's auxiliaries gave no model (e.g. too few districts with respondents)
    small_area_error: str | None = None

    @property
    def weighted(self) -> bool:
        """Whether the figures are weighted to population margins (else every
        respondent weighs 1, and the pages say so)."""
        return self.result is not None and self.result.weighting.method != "none"


def margins_digest(margins: Mapping[str, Any] | None) -> str:
    """A short hash of a round's uploaded margins (``""``: none).

    An admin's upload on /admin/rounds changes the weights, hence every number, while
    the responses (and so the stamp) stay the same: the digest is part of the version
    an analysis is cached for.
    """
    if not margins:
        return ""
    text = json.dumps(margins, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _value_counts(column: Any) -> dict[str, int]:
    """Rows per non-empty value of a column (an object array or an already coded
    :class:`analysis.Categorical`)."""
    if hasattr(column, "codes") and hasattr(column, "levels"):
        counts = np.bincount(np.asarray(column.codes), minlength=len(column.levels))
        pairs = zip(column.levels, counts.tolist(), strict=True)
    else:
        values, counts = np.unique(np.asarray(column, dtype=str), return_counts=True)
        pairs = zip(values.tolist(), counts.tolist(), strict=True)
    return {str(v): int(c) for v, c in pairs if v and c}


def serve_round(
    session: DbSession,
    round_: Round,
    settings: AnalysisSettings,
    cache: AnalysisCache,
    stamp: Stamp | None = None,
) -> RoundAnalysis:
    """The round's analysis (grouped by ``settings.group_by``), from the cache when
    neither its responses nor its margins changed; when they did, the last analysis
    (``stale``) while the cache computes the new one, unless this process has none yet."""
    if stamp is None:
        stamp = cache.tracker.stamps(session, [round_.id])[round_.id]
    family = cache.family(round_.id, {"by": settings.group_by}, settings.key())
    round_id = round_.id

    def compute(s: DbSession) -> tuple[Hashable, RoundAnalysis]:
        """Analyse the round with session ``s`` (the request's, or a background
        thread's own): everything is loaded again through ``s``, by id."""
        now = utcnow()
        fresh = cache.tracker.stamps(s, [round_id])[round_id]
        r = s.get(Round, round_id)
        if r is None:
            raise LookupError(f"round {round_id} no longer exists")
        reviews = review_version(s, round_id)
        version = (fresh, margins_digest(r.margins), reviews, margins_digest(r.auxiliaries))
        # a refresh reads only the responses stored since the last load of the round
        tag = (r.questionnaire_version_id, reviews)
        rows = load_round_rows(s, r, cache.kept_rows(round_id, tag))
        cache.keep_rows(round_id, tag, rows)
        stored = analyse_round(s, r, options_for(settings, r, "board"), rows=rows)
        matrix = stored.matrix
        received: dict[str, int] = {}
        if matrix.n and settings.group_by in matrix.columns:
            received = _value_counts(matrix.values(settings.group_by))
        result = stored.result
        if result is not None:  # per-respondent arrays are not needed on the page: keep it small
            result = dataclasses.replace(result, weights=np.zeros(0), respondent_ids=np.zeros(0))
        return version, RoundAnalysis(
            round_id=round_id,
            period=r.period,
            questionnaire=stored.questionnaire,
            n_received=matrix.n,
            received_by_district=received,
            result=result,
            error=stored.error,
            stamp=fresh,
            as_of=now,
            small_area=stored.small_area,
            small_area_error=stored.record.get("small_area_error"),
        )

    # a released or rejected wave changes the analysed set, not the stamp
    version = (
        stamp,
        margins_digest(round_.margins),
        review_version(session, round_id),
        margins_digest(round_.auxiliaries),  # an upload changes the model-based estimates
    )
    served = cache.serve(family, version, session, compute, size=stamp[0])
    return dataclasses.replace(served.value, stale=True) if served.stale else served.value


def change_between(
    before: RoundAnalysis, after: RoundAnalysis, settings: AnalysisSettings, cache: AnalysisCache
) -> ChangeResult:
    """:func:`analysis.compare_periods` of two cached analyses, cached with both stamps
    (it tests every item and group: too much work to repeat on every page view)."""
    key = ("change", before.round_id, before.stamp, after.round_id, after.stamp, settings.key())
    first, second = before.result, after.result
    if first is None or second is None:
        raise ValueError("a change needs an analysis result in both periods")
    return cache.get_or_compute(key, lambda: compare_periods(first, second))
