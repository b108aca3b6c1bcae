"""Values an indicator is bound to, computed instead of entered.

A sector's satisfaction index or rate comes from :mod:`surveyapp.indices`, the one
home of every number about a stored round: the round that counts for the sector and
period (:func:`surveyapp.indices.counted_rounds`), analysed with the application's
settings (:func:`surveyapp.indices.analyse_round`), exactly as the dashboard and the
bulletin show it.  The other bindings (15-minute coverage, registry counts, the
complaints mediation rate) are computed by modules still being built: until then
:func:`bound_value` says so (``None``) rather than make a number up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from surveyapp.indices import (
    AnalysisSettings,
    analyse_round,
    counted_rounds,
    options_for,
    rounds_with_responses,
)
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.models.base import DbSession
from surveyapp.rounds.dates import period_days

from .catalogue import Binding

__all__ = ["BoundValue", "bound_value", "latest_bound_value"]


@dataclass(frozen=True)
class BoundValue:
    """A computed value for ``period`` (``value`` ``None`` when there is none: ``note``
    says why); ``note`` names the round it comes from."""

    period: str
    value: float | None
    note: str
    small_sample: bool = False


def _sector_rounds(session: DbSession, sector: str) -> list[Round]:
    query = (
        select(Round)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .where(QuestionnaireVersion.sector == sector, Round.archived_at.is_(None))
    )
    return list(session.scalars(query))


def _satisfaction(
    session: DbSession,
    binding: Binding,
    settings: AnalysisSettings,
    period: str,
    rounds: list[Round],
) -> BoundValue:
    """The value of the round that counts among ``rounds`` (of ``period``, one with
    responses among them)."""
    round_ = next(iter(counted_rounds(session, rounds).values()))  # one counts per sector
    stored = analyse_round(session, round_, options_for(settings, round_, "index"))
    if stored.result is None:
        why = stored.error or "no responses"
        return BoundValue(period, None, f"round {round_.code}: {why}")
    result = stored.result
    estimate = result.index if binding.kind == "satisfaction_index" else result.satisfaction_rate
    note = f"round {round_.code}, n = {result.n}"
    return BoundValue(period, float(estimate.estimate), note, result.small_sample)


def _within(days: tuple[date, date] | None, span: tuple[date, date] | None) -> bool:
    return days is not None and (span is None or span[0] <= days[0] and days[1] <= span[1])


def _latest(
    session: DbSession, binding: Binding, settings: AnalysisSettings, period: str | None
) -> BoundValue:
    """The value of the latest period with responses that lies within ``period`` (the
    period itself, or one inside it: a quarter of a year); any period when ``None``."""
    sector = str(binding.sector)
    span = None if period is None else period_days(period)
    rounds = _sector_rounds(session, sector)
    answered = rounds_with_responses(session, (r.id for r in rounds))
    periods = sorted(
        {r.period for r in rounds if r.id in answered and _within(period_days(r.period), span)},
        key=lambda p: tuple(reversed(period_days(p) or ())),  # by last day, then first
        reverse=True,
    )
    if not periods:
        where = "" if period is None else f" in {period}"
        return BoundValue(period or "", None, f"no {sector} round with responses{where}")
    latest = periods[0]
    return _satisfaction(
        session, binding, settings, latest, [r for r in rounds if r.period == latest]
    )


def bound_value(
    session: DbSession, binding: Binding, settings: AnalysisSettings, period: str
) -> BoundValue | None:
    """The computed value of ``binding`` for ``period``: that of the latest period with
    responses within it (``2026`` takes its last surveyed quarter); ``None`` for a
    binding the platform does not compute yet (:attr:`Binding.computed`)."""
    if not binding.computed or binding.sector is None:
        return None
    return _latest(session, binding, settings, period)


def latest_bound_value(
    session: DbSession, binding: Binding, settings: AnalysisSettings
) -> BoundValue | None:
    """The computed value of the latest period with responses (``value`` ``None`` and a
    note when no period has any); ``None`` for a binding not computed yet."""
    if not binding.computed or binding.sector is None:
        return None
    return _latest(session, binding, settings, None)
