"""The indices of a round as JSON: the dashboard's own cached analysis, reshaped.

Nothing is computed here.  :func:`surveyapp.indices.serve_round` analyses the round
with the app's settings (margins, strata, grouping, exclusions) exactly as for the
dashboard and the bulletins, and keeps the result in the process's
:class:`~surveyapp.indices.AnalysisCache`; this module only turns that result into
plain JSON.  So an index read through the API is the number on the dashboard and in
the bulletin, and asking for it costs nothing once the dashboard has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from analysis import Estimate, GroupResult, verdict_of
from analysis.result import num
from surveyapp.indices import AnalysisCache, AnalysisSettings, RoundAnalysis, serve_round
from surveyapp.models import Round
from surveyapp.models.base import DbSession
from surveyapp.questionnaire.model import Text

__all__ = ["BY_CHOICES", "round_indices"]

#: What ``by`` may ask for: per-district rows (the analysis' grouping) and dimension scores.
BY_CHOICES = ("district", "dimension")


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _estimate(value: Estimate | None) -> dict[str, Any] | None:
    return None if value is None else value.to_dict()


def round_indices(
    session: DbSession,
    round_: Round,
    settings: AnalysisSettings,
    cache: AnalysisCache,
    by: Iterable[str] = (),
) -> dict[str, Any]:
    """The round's weighted index, satisfaction rate and goal verdict, with ``districts``
    and/or ``dimensions`` rows when ``by`` names them (see :data:`BY_CHOICES`)."""
    by = tuple(by)
    unknown = set(by) - set(BY_CHOICES)
    if unknown:
        raise ValueError(f"by: unknown grouping {sorted(unknown)}; choose from {BY_CHOICES}")
    analysed = serve_round(session, round_, settings, cache)
    q, result = analysed.questionnaire, analysed.result
    body: dict[str, Any] = {
        "round": round_.code,
        "period": round_.period,
        "sector": q.sector,
        "questionnaire": {"id": q.id, "version": q.version},
        "goal": result.goal if result is not None else float(q.goal),
        "n_received": analysed.n_received,
        "n": result.n if result is not None else 0,
        "small_sample": result.small_sample if result is not None else True,
        "min_n": settings.min_n,
        "index": _estimate(result.index if result is not None else None),
        "satisfaction_rate": _estimate(result.satisfaction_rate if result is not None else None),
        "verdict": verdict_of(
            result.index if result is not None else None,
            result.small_sample if result is not None else True,
        ),
        "effective_n": None if result is None else num(result.effective_n),
        "deff": None if result is None else num(result.deff),
        # how the figures are weighted: {"method": "none"} when no population margins
        # are uploaded or configured (the shape of the CLI JSON's "weights")
        "weighting": None if result is None else result.weighting.to_dict(),
        "error": analysed.error,
        "by": list(by),
        # which responses these figures are of: a stale analysis is served while the
        # dashboard's cache computes the fresh one (AnalysisCache.serve)
        "as_of": None if analysed.as_of is None else analysed.as_of.isoformat(),
        "stamp": {"responses": analysed.stamp[0], "last_response_id": analysed.stamp[1]},
        "updating": analysed.stale,
    }
    if "district" in by:
        body["districts"] = _district_rows(analysed, settings.group_by)
    if "dimension" in by:
        titles = {d.id: _text(d.title) for d in q.dimensions}
        dimensions = result.dimensions if result is not None else ()
        body["dimensions"] = [
            {"id": d.id, "label": titles.get(d.id, {"zh": d.id, "en": d.id}), **d.to_dict()}
            for d in dimensions
        ]
    return body


def _district_rows(analysed: RoundAnalysis, column: str) -> list[dict[str, Any]]:
    """One row per group of the analysis, in the questionnaire's option order."""
    q, result = analysed.questionnaire, analysed.result
    labels: dict[str, dict[str, str]] = {}
    if column in q.respondent_ids:
        labels = {o.value: _text(o.label) for o in q.respondent_question(column).options}
    groups: list[GroupResult] = list(result.groups) if result is not None else []
    order = {value: i for i, value in enumerate(labels)}
    groups.sort(key=lambda g: (order.get(g.by.get(column, ""), len(order)), g.by.get(column, "")))
    rows = []
    for g in groups:
        value = g.by.get(column, "")
        rows.append(
            {
                "district": value,
                "label": labels.get(value, {"zh": value, "en": value}),
                "received": analysed.received_by_district.get(value, 0),
                "n": g.n,
                "small_sample": g.small_sample,
                "index": g.index.to_dict(),
                "satisfaction_rate": g.satisfaction_rate.to_dict(),
                "verdict": verdict_of(g.index, g.small_sample),
            }
        )
    return rows
