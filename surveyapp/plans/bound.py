"""Values an indicator is bound to, computed instead of entered.

* ``satisfaction_index`` / ``satisfaction_rate`` of a sector: from
  :mod:`surveyapp.indices`, the one home of every number about a stored round — the
  round that counts for the sector and period (:func:`surveyapp.indices.counted_rounds`),
  analysed with the application's settings (:func:`surveyapp.indices.analyse_round`),
  exactly as the dashboard and the bulletin show it;
* ``provider_count``: providers of the registry open on the period's last day (or
  today, for a period not over yet), of a sector and/or a service type;
* ``complaints_mediation_rate``: the share (%) settled (和解成功) of the complaints the
  publicity counts (:mod:`surveyapp.complaints.publicity`: accepted, closed in the
  period with a published outcome), of a sector or all;
* ``circle_coverage``: the population-weighted share (%) of communities with the
  service type within walking distance, from the 15-minute circle's stored coverage
  (:func:`surveyapp.circle.stored.coverage_share`).  It is a picture of today, not kept
  per period: it is the value of the period that contains today only.  Until that
  module exists :func:`bound_value` returns ``None`` (not computed) rather than make a
  number up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select

from surveyapp.complaints.publicity import SETTLED
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.indices import (
    AnalysisCache,
    AnalysisPending,
    AnalysisSettings,
    analyse_round,
    counted_rounds,
    options_for,
    rounds_with_responses,
    serve_round,
)
from surveyapp.models import Provider, QuestionnaireVersion, Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import Complaint
from surveyapp.models.provider import ProviderSector
from surveyapp.rounds.dates import china_today, day_start

from .catalogue import Binding
from .values import period_span

__all__ = ["BoundValue", "bound_value", "latest_bound_value", "satisfaction_periods"]


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
    cache: AnalysisCache | None,
) -> BoundValue:
    """The value of the round that counts among ``rounds`` (of ``period``, one with
    responses among them): the dashboard's cached analysis when ``cache`` is given (the
    pages and the API), else analysed here (the bulletin, the command line)."""
    round_ = next(iter(counted_rounds(session, rounds).values()))  # one counts per sector
    if cache is not None:
        try:
            served = serve_round(session, round_, settings, cache)
        except AnalysisPending:
            return BoundValue(period, None, f"round {round_.code}: analysis being computed")
        result, error = served.result, served.error
    else:
        stored = analyse_round(session, round_, options_for(settings, round_, "index"))
        result, error = stored.result, stored.error
    if result is None:
        return BoundValue(period, None, f"round {round_.code}: {error or 'no responses'}")
    estimate = result.index if binding.kind == "satisfaction_index" else result.satisfaction_rate
    note = f"round {round_.code}, n = {result.n}"
    return BoundValue(period, float(estimate.estimate), note, result.small_sample)


def _within(days: tuple[date, date] | None, span: tuple[date, date] | None) -> bool:
    return days is not None and (span is None or span[0] <= days[0] and days[1] <= span[1])


def _answered_periods(
    session: DbSession, rounds: list[Round], span: tuple[date, date] | None
) -> list[str]:
    """Periods of ``rounds`` with responses within ``span``, latest first."""
    answered = rounds_with_responses(session, (r.id for r in rounds))
    return sorted(
        {r.period for r in rounds if r.id in answered and _within(period_span(r.period), span)},
        key=lambda p: tuple(reversed(period_span(p) or ())),  # by last day, then first
        reverse=True,
    )


def satisfaction_periods(session: DbSession, binding: Binding) -> list[str]:
    """The periods with responses of the binding's sector, oldest first."""
    if binding.sector is None:
        return []
    return _answered_periods(session, _sector_rounds(session, binding.sector), None)[::-1]


def _latest(
    session: DbSession,
    binding: Binding,
    settings: AnalysisSettings,
    period: str | None,
    cache: AnalysisCache | None,
) -> BoundValue:
    """The value of the latest period with responses that lies within ``period`` (the
    period itself, or one inside it: a quarter of a year); any period when ``None``."""
    sector = str(binding.sector)
    span = None if period is None else period_span(period)
    rounds = _sector_rounds(session, sector)
    periods = _answered_periods(session, rounds, span)
    if not periods:
        where = "" if period is None else f" in {period}"
        return BoundValue(period or "", None, f"no {sector} round with responses{where}")
    latest = periods[0]
    return _satisfaction(
        session, binding, settings, latest, [r for r in rounds if r.period == latest], cache
    )


def _today() -> date:
    return china_today(utcnow())


def _current_period(today: date) -> str:
    """The quarter of ``today`` (what "latest" means for a value counted up to today)."""
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def _provider_count(session: DbSession, binding: Binding, period: str | None) -> BoundValue:
    """Providers open on the period's last day (today when it is not over), merged
    duplicates left out; of ``binding.sector`` and ``binding.service_type`` if given."""
    today = _today()
    span = None if period is None else period_span(period)
    day = today if span is None else min(span[1], today)
    query = select(Provider.service_types).where(
        Provider.merged_into_id.is_(None),
        or_(Provider.opened_on.is_(None), Provider.opened_on <= day),
        or_(Provider.closed_on.is_(None), Provider.closed_on > day),
        or_(Provider.status == "open", Provider.closed_on.is_not(None)),
    )
    if binding.sector is not None:
        query = query.where(
            select(ProviderSector.provider_id)
            .where(
                ProviderSector.provider_id == Provider.id,
                ProviderSector.sector == binding.sector,
            )
            .exists()
        )
    wanted = binding.service_type
    count = sum(1 for types in session.scalars(query) if wanted is None or wanted in (types or []))
    return BoundValue(
        period or _current_period(today), float(count), f"registry, open on {day.isoformat()}"
    )


def _mediation_rate(
    session: DbSession, binding: Binding, period: str | None, complaints: ComplaintSettings
) -> BoundValue:
    """和解成功 over the complaints counted under the publicity's rule, closed within
    the period (default: the current year so far), as a percentage."""
    today = _today()
    label = period or str(today.year)
    first, last = period_span(label) or (today, today)
    settled = func.sum(case((Complaint.outcome == SETTLED, 1), else_=0))
    query = select(func.count(), func.coalesce(settled, 0)).where(
        Complaint.status == "closed",
        Complaint.accepted_at.is_not(None),
        Complaint.outcome.in_(complaints.publish_outcomes),
        Complaint.closed_at >= day_start(first),
        Complaint.closed_at < day_start(last + timedelta(days=1)),
    )
    if binding.sector is not None:
        query = query.where(Complaint.sector == binding.sector)
    counted, n_settled = session.execute(query).one()
    if not counted:
        return BoundValue(label, None, f"no complaint closed in {label}")
    rate = 100.0 * int(n_settled) / int(counted)
    return BoundValue(label, rate, f"complaints: {int(n_settled)} settled of {int(counted)}")


def _coverage_function() -> Callable[..., float | None] | None:
    """:func:`surveyapp.circle.stored.coverage_share`, or ``None`` while that module
    does not exist (imported when asked: the circle's stored coverage is optional)."""
    try:
        module = importlib.import_module("surveyapp.circle.stored")
    except ImportError:
        return None
    return getattr(module, "coverage_share", None)


def _circle_coverage(session: DbSession, binding: Binding, period: str | None) -> BoundValue | None:
    share_of = _coverage_function()
    if share_of is None:
        return None
    today = _today()
    span = None if period is None else period_span(period)
    label = period or _current_period(today)
    if span is not None and not span[0] <= today <= span[1]:
        return BoundValue(label, None, f"coverage is kept for today only ({today.isoformat()})")
    share = share_of(session, binding.service_type)
    if share is None:
        return BoundValue(label, None, "no communities imported for the 15-minute circle")
    return BoundValue(label, 100.0 * float(share), f"15-minute circle, {today.isoformat()}")


def _computed(
    session: DbSession,
    binding: Binding,
    settings: AnalysisSettings,
    period: str | None,
    complaints: ComplaintSettings | None,
    cache: AnalysisCache | None,
) -> BoundValue | None:
    if binding.kind in ("satisfaction_index", "satisfaction_rate") and binding.sector:
        return _latest(session, binding, settings, period, cache)
    if binding.kind == "provider_count":
        return _provider_count(session, binding, period)
    if binding.kind == "complaints_mediation_rate":
        return _mediation_rate(session, binding, period, complaints or ComplaintSettings())
    if binding.kind == "circle_coverage":
        return _circle_coverage(session, binding, period)
    return None


def bound_value(
    session: DbSession,
    binding: Binding,
    settings: AnalysisSettings,
    period: str,
    complaints: ComplaintSettings | None = None,
    *,
    cache: AnalysisCache | None = None,
) -> BoundValue | None:
    """The computed value of ``binding`` for ``period`` (a satisfaction binding: that of
    the latest period with responses within it, ``2026`` takes its last surveyed
    quarter; from the dashboard's ``cache`` when given); ``None`` for a binding the
    platform cannot compute (yet)."""
    return _computed(session, binding, settings, period, complaints, cache)


def latest_bound_value(
    session: DbSession,
    binding: Binding,
    settings: AnalysisSettings,
    complaints: ComplaintSettings | None = None,
    *,
    cache: AnalysisCache | None = None,
) -> BoundValue | None:
    """The latest computed value (``value`` ``None`` and a note when there is none);
    ``None`` for a binding the platform cannot compute (yet)."""
    return _computed(session, binding, settings, None, complaints, cache)
