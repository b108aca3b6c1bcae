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
from surveyapp.i18n import N_, both
from surveyapp.indices import (
    AnalysisCache,
    AnalysisSettings,
    DistrictEstimate,
    RoundAnalysis,
    SmallAreaResult,
    serve_round,
)
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
    if analysed.small_area is not None:  # only with uploaded auxiliaries
        body["small_area"] = _small_area(analysed.small_area, _labels(analysed, settings.group_by))
    if "dimension" in by:
        titles = {d.id: _text(d.title) for d in q.dimensions}
        dimensions = result.dimensions if result is not None else ()
        body["dimensions"] = [
            {"id": d.id, "label": titles.get(d.id, {"zh": d.id, "en": d.id}), **d.to_dict()}
            for d in dimensions
        ]
    return body


def _labels(analysed: RoundAnalysis, column: str) -> dict[str, dict[str, str]]:
    """The options of ``column`` and their labels, in the questionnaire's order."""
    q = analysed.questionnaire
    if column not in q.respondent_ids:
        return {}
    return {o.value: _text(o.label) for o in q.respondent_question(column).options}


def _both(key: str) -> dict[str, str]:
    zh, en = both(key)
    return {"zh": zh, "en": en}


def _model(d: DistrictEstimate) -> dict[str, Any]:
    """A district's model-based estimate: the EBLUP, or the synthetic one (no
    respondents); labelled, and without a goal verdict of its own."""
    kind = "synthetic" if d.synthetic else "eblup"
    return {
        "kind": kind,
        "label": _both(N_("sae_label_synthetic") if d.synthetic else N_("sae_label_model")),
        "estimate": num(d.estimate),
        "mse": num(d.mse),
        "rmse": num(d.rmse),
        "ci": [num(d.ci[0]), num(d.ci[1])],
        "gamma": num(d.gamma),
        "variance": None if d.variance is None else num(d.variance),
        "residual": None if d.residual is None else num(d.residual),
        "std_residual": None if d.std_residual is None else num(d.std_residual),
    }


def _small_area(sae: SmallAreaResult, labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The Fay–Herriot fit (the model checks) and every district of the auxiliaries,
    those without respondents included (synthetic)."""
    return {
        "method": sae.method,
        "sigma2_u": num(sae.sigma2_u),
        "at_zero": sae.at_zero,
        "warning": _both("sae_warn_zero") if sae.at_zero else None,
        "converged": sae.converged,
        "covariates": list(sae.covariates),
        "beta": {k: num(v) for k, v in sae.beta.items()},
        "beta_se": {k: num(v) for k, v in sae.beta_se.items()},
        "s2_within": num(sae.s2_within),
        "deff": num(sae.deff),
        "districts": [
            {
                "district": d.district,
                "label": labels.get(d.district, {"zh": d.district, "en": d.district}),
                "n": d.n,
                "direct": None if d.direct is None else num(d.direct),
                "model": _model(d),
            }
            for d in sae.districts
        ],
    }


def _district_rows(analysed: RoundAnalysis, column: str) -> list[dict[str, Any]]:
    """One row per group of the analysis, in the questionnaire's option order (with
    its model-based estimate, ``model``, when the round has auxiliaries)."""
    result = analysed.result
    labels = _labels(analysed, column)
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
        model = analysed.small_area.of(value) if analysed.small_area is not None else None
        if model is not None:
            rows[-1]["model"] = _model(model)
    return rows
