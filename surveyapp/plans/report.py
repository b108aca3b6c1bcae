"""Every indicator of the plans with its value and its status: ``plans list`` and
``plans status``, and what a plan page or the API will show.

The value of an indicator for a period is the bureau's current entry
(:mod:`.values`) or, for a bound indicator, the computed value (:mod:`.bound`); its
status is :func:`.progress.progress` on the period's last day.  A binding the
platform does not compute yet is reported as such (``not_computed``, 尚未计算：其他模块
完成后计算), never as a made-up number.  Days are China days
(:func:`surveyapp.rounds.dates.china_today`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.indices import AnalysisCache, AnalysisSettings
from surveyapp.models import PlanValue
from surveyapp.models.base import DbSession, utcnow
from surveyapp.rounds.dates import china_today

from .bound import BoundValue, bound_value, latest_bound_value, satisfaction_periods
from .catalogue import Indicator, Plan
from .progress import STATUSES, Progress, Trajectory, progress
from .values import current_values, period_span

__all__ = [
    "NOT_COMPUTED",
    "IndicatorStatus",
    "SeriesPoint",
    "indicator_series",
    "plan_overview",
    "plan_progress_as_of",
    "plan_status",
    "trajectory_of",
]

#: The words of a bound indicator whose value the platform does not compute yet.
NOT_COMPUTED = ("尚未计算（其他模块完成后计算）", "not yet computed (once its module is done)")


def trajectory_of(indicator: Indicator) -> Trajectory:
    return Trajectory(
        indicator.direction,
        indicator.target,
        indicator.deadline,
        indicator.baseline,
        indicator.baseline_date,
    )


@dataclass(frozen=True)
class IndicatorStatus:
    """An indicator, the value judged (``period`` it is of; ``source`` ``entered``,
    ``computed``, ``not_computed`` or ``none``) and its progress."""

    plan: Plan
    indicator: Indicator
    period: str | None
    value: float | None
    source: str
    progress: Progress
    note: str | None = None
    entered_by: str | None = None
    entered_at: datetime | None = None
    small_sample: bool = False

    @property
    def status(self) -> str:
        return "not_computed" if self.source == "not_computed" else self.progress.status

    @property
    def words(self) -> tuple[str, str]:
        """The status in Chinese and English."""
        return NOT_COMPUTED if self.source == "not_computed" else STATUSES[self.progress.status]

    def to_dict(self) -> dict[str, Any]:
        i = self.indicator
        return {
            "plan": self.plan.id,
            "id": i.id,
            "name": i.name.to_dict(),
            "unit": i.unit,
            "direction": i.direction,
            "baseline": None
            if i.baseline is None
            else {"value": i.baseline, "date": _iso(i.baseline_date)},
            "target": {"value": i.target, "deadline": i.deadline.isoformat()},
            "bureau": i.bureau,
            "source": {"document": i.document, "clause": i.clause},
            "bound_to": None if i.bound_to is None else i.bound_to.to_dict(),
            "period": self.period,
            "value": self.value,
            "value_source": self.source,
            "note": self.note,
            "entered_by": self.entered_by,
            "entered_at": None if self.entered_at is None else self.entered_at.isoformat(),
            "small_sample": self.small_sample,
            "status": self.status,
            "status_zh": self.words[0],
            "status_en": self.words[1],
            "expected": self.progress.expected,
            "gap_pp": self.progress.gap_pp,
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _judge(
    plan: Plan,
    indicator: Indicator,
    period: str | None,
    entry: PlanValue | BoundValue | None,
    as_of: date,
    tolerance_pp: float,
) -> IndicatorStatus:
    if indicator.bound_to is not None and entry is None:  # a binding not computed (yet)
        return IndicatorStatus(plan, indicator, period, None, "not_computed", Progress("no_data"))
    value = None if entry is None else entry.value
    if entry is not None and isinstance(entry, BoundValue):
        period = entry.period or period
    days = period_span(period) if period else None
    on = as_of if days is None else days[1]
    judged = progress(trajectory_of(indicator), value, on, as_of=as_of, tolerance_pp=tolerance_pp)
    if isinstance(entry, PlanValue):
        return IndicatorStatus(
            plan, indicator, period, value, "entered", judged, entry.note, entry.entered_by,
            entry.entered_at,
        )  # fmt: skip
    if isinstance(entry, BoundValue):
        source = "computed" if value is not None else "none"
        return IndicatorStatus(
            plan,
            indicator,
            period,
            value,
            source,
            judged,
            entry.note,
            small_sample=entry.small_sample,
        )
    return IndicatorStatus(plan, indicator, period, None, "none", judged)


def _period_statuses(
    session: DbSession,
    plans: Sequence[Plan],
    period: str,
    counts: Callable[[tuple[date, date]], bool],
    settings: AnalysisSettings,
    tolerance_pp: float,
    complaints: ComplaintSettings | None,
    cache: AnalysisCache | None,
) -> list[IndicatorStatus]:
    """Every indicator judged as of ``period``'s last day: the bound value of the
    period, or the latest entered value of the periods whose days ``counts``."""
    days = period_span(period)
    if days is None:
        raise ValueError(f"{period!r} is not a period like 2025, 2025H2, 2025Q4 or 2025M12")
    by_indicator: dict[tuple[str, str], list[PlanValue]] = {}
    for row in current_values(session, [p.id for p in plans]).values():
        row_days = period_span(row.period)
        if row_days is not None and counts(row_days):
            by_indicator.setdefault((row.plan_id, row.indicator_id), []).append(row)
    out = []
    for plan in plans:
        for indicator in plan.indicators:
            entry: PlanValue | BoundValue | None
            if indicator.bound_to is not None:
                entry = bound_value(
                    session, indicator.bound_to, settings, period, complaints, cache=cache
                )
            else:
                entry = _latest(by_indicator.get((plan.id, indicator.id), []))
            shown = entry.period if isinstance(entry, PlanValue) else period
            out.append(_judge(plan, indicator, shown, entry, days[1], tolerance_pp))
    return out


def plan_status(
    session: DbSession,
    plans: Sequence[Plan],
    period: str,
    *,
    settings: AnalysisSettings,
    tolerance_pp: float,
    complaints: ComplaintSettings | None = None,
    cache: AnalysisCache | None = None,
) -> list[IndicatorStatus]:
    """Every indicator's value for ``period`` and its status on the period's last day
    (satisfaction from the dashboard's ``cache`` when given).
    :class:`ValueError` when ``period`` is not a period."""
    days = period_span(period)
    return _period_statuses(
        session, plans, period, lambda d: d == days, settings, tolerance_pp, complaints, cache
    )


def plan_progress_as_of(
    session: DbSession,
    plans: Sequence[Plan],
    period: str,
    *,
    settings: AnalysisSettings,
    tolerance_pp: float,
    complaints: ComplaintSettings | None = None,
) -> list[IndicatorStatus]:
    """Every indicator as it stood at the end of ``period`` (what a bulletin of the
    period reports): the latest entered value of a period ending on or before that
    day (a yearly value counts in a quarterly bulletin), or the bound value of the
    period, judged on its own period's last day as of the end of ``period`` — a
    deadline passed by then without the target met is 未按期实现.
    :class:`ValueError` when ``period`` is not a period."""
    days = period_span(period)
    end = days[1] if days else None
    return _period_statuses(
        session, plans, period, lambda d: end is not None and d[1] <= end, settings,
        tolerance_pp, complaints, None,
    )  # fmt: skip


def _latest(rows: list[PlanValue]) -> PlanValue | None:
    """The value of the latest period (by its last day, then its first)."""
    dated = [(days, r) for r in rows if (days := period_span(r.period)) is not None]
    if not dated:
        return None
    return max(dated, key=lambda dr: (dr[0][1], dr[0][0]))[1]


def plan_overview(
    session: DbSession,
    plans: Sequence[Plan],
    *,
    settings: AnalysisSettings,
    tolerance_pp: float,
    now: datetime,
    complaints: ComplaintSettings | None = None,
    cache: AnalysisCache | None = None,
) -> list[IndicatorStatus]:
    """Every indicator with its latest value, judged on its period's last day as of
    today (China time): a target whose deadline has passed is ``missed`` unless the
    latest value meets it."""
    today = china_today(now)
    by_indicator: dict[tuple[str, str], list[PlanValue]] = {}
    for row in current_values(session, [p.id for p in plans]).values():
        by_indicator.setdefault((row.plan_id, row.indicator_id), []).append(row)
    out = []
    for plan in plans:
        for indicator in plan.indicators:
            entry: PlanValue | BoundValue | None
            if indicator.bound_to is not None:
                entry = latest_bound_value(
                    session, indicator.bound_to, settings, complaints, cache=cache
                )
            else:
                entry = _latest(by_indicator.get((plan.id, indicator.id), []))
            period = entry.period if isinstance(entry, PlanValue) else None
            out.append(_judge(plan, indicator, period, entry, today, tolerance_pp))
    return out


@dataclass(frozen=True)
class SeriesPoint:
    """One value of an indicator's history: its period, the period's last day, the value."""

    period: str
    day: date
    value: float


def indicator_series(
    session: DbSession,
    plan: Plan,
    *,
    settings: AnalysisSettings,
    latest: Sequence[IndicatorStatus] = (),
    limit: int = 12,
    cache: AnalysisCache | None = None,
) -> dict[str, list[SeriesPoint]]:
    """Indicator id → its values over periods, oldest first (at most ``limit``), for a
    plan page's sparklines: the current entered value of every period; for a
    satisfaction binding the value of each period with responses; for the other
    bindings the latest value (``latest``, from :func:`plan_overview`), the only one
    kept."""
    out: dict[str, list[SeriesPoint]] = {}
    for row in current_values(session, [plan.id]).values():
        days = period_span(row.period)
        if days is not None:
            out.setdefault(row.indicator_id, []).append(SeriesPoint(row.period, days[1], row.value))
    shown = {s.indicator.id: s for s in latest if s.plan.id == plan.id}
    for indicator in plan.indicators:
        binding = indicator.bound_to
        if binding is None:
            continue
        points: list[SeriesPoint] = []
        if binding.kind in ("satisfaction_index", "satisfaction_rate"):
            for period in satisfaction_periods(session, binding)[-limit:]:
                found = bound_value(session, binding, settings, period, cache=cache)
                days = period_span(period)
                if found is not None and found.value is not None and days is not None:
                    points.append(SeriesPoint(period, days[1], found.value))
        elif (now := shown.get(indicator.id)) is not None and now.value is not None:
            days = period_span(now.period) if now.period else None
            day = days[1] if days else china_today(utcnow())
            points.append(SeriesPoint(now.period or "", day, now.value))
        out[indicator.id] = points
    return {k: sorted(v, key=lambda p: p.day)[-limit:] for k, v in out.items()}
