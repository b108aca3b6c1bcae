"""The monitoring bulletin's plan-progress section: gathered here, pinned in the
bulletin's inputs, rendered by :mod:`reports.bulletin_plans`.

A published bulletin is archived unchanged and can be rendered again from its stored
inputs (:func:`surveyapp.bulletins.rederive_bulletin`).  Values are corrected after
publication, computed values move as responses arrive: so the section is not gathered
again when a bulletin is re-derived — :func:`plan_progress_record` writes every row the
section prints (indicator, target, deadline, value, its period, status) into a plain
JSON record kept in ``inputs["plan_progress"]``, and :func:`plan_progress_section`
builds the section from that record alone, for a new edition and a re-derived one alike.

The rows are :func:`surveyapp.plans.plan_progress_as_of` of the bulletin's period: each
indicator's latest value up to the period's end (a yearly value counts in a quarterly
bulletin), judged as of that day.  Nothing personal is recorded (no names of who
entered a value).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from reports.bulletin_plans import PlanProgress, PlanProgressRow
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.indices import AnalysisSettings
from surveyapp.models.base import DbSession

from .catalogue import Plan, PlanError, load_plans
from .report import plan_progress_as_of
from .values import period_span

__all__ = ["RECORD_FUNCTION", "plan_progress_record", "plan_progress_section"]

#: What made the record (kept in it, for whoever reads the inputs later).
RECORD_FUNCTION = "surveyapp.plans.plan_progress_as_of"


def plan_progress_record(
    session: DbSession,
    period: str,
    analysis: AnalysisSettings,
    tolerance_pp: float,
    *,
    plans: Sequence[Plan] | None = None,
    complaints: ComplaintSettings | None = None,
    sectors: Collection[str] | None = None,
) -> dict[str, Any]:
    """The section's rows for ``period`` as a JSON-ready record (the shipped plans
    unless ``plans`` is given); ``{"rows": []}`` with the reason when no plan file can be
    read, so a bad plan file never stops a bulletin (``surveyapp plans validate`` names
    its problems).  A bulletin of some ``sectors`` shows the indicators of those sectors
    and the city-wide ones of no sector, not another sector's."""
    if plans is None:
        try:
            plans = load_plans()
        except (PlanError, FileNotFoundError) as exc:
            return {"function": RECORD_FUNCTION, "period": period, "rows": [],
                    "skipped": f"plan files not readable: {str(exc).splitlines()[0]}"}  # fmt: skip
    days = period_span(period)
    if days is None:
        raise ValueError(f"{period!r} is not a period like 2025, 2025H2, 2025Q4 or 2025M12")
    statuses = plan_progress_as_of(
        session, plans, period, settings=analysis, tolerance_pp=tolerance_pp, complaints=complaints
    )
    rows = []
    for s in statuses:
        i = s.indicator
        if sectors is not None and i.entry_sectors and not set(i.entry_sectors) & set(sectors):
            continue
        rows.append(
            {
                "plan": s.plan.id,
                "indicator": i.id,
                "name": i.name.to_dict(),
                "unit": i.unit,
                "direction": i.direction,
                "target": i.target,
                "deadline": i.deadline.isoformat(),
                "value": s.value,
                "value_period": s.period if s.value is not None else None,
                "value_source": s.source,
                "small_sample": s.small_sample,
                "status": s.status,
            }
        )
    return {
        "function": RECORD_FUNCTION,
        "period": period,
        "judged_on": days[1].isoformat(),
        "tolerance_pp": tolerance_pp,
        "sectors": None if sectors is None else sorted(sectors),
        "plans": [
            {"id": p.id, "name": p.name.to_dict(), "document_no": p.document_no} for p in plans
        ],  # fmt: skip
        "rows": rows,
    }


def plan_progress_section(record: Mapping[str, Any], lang: str) -> PlanProgress | None:
    """The section to print from a record (``None``: nothing to print — no rows, or an
    edition published before the section existed, whose record is empty)."""
    rows = record.get("rows") or []
    if not rows:
        return None
    lang = "en" if lang == "en" else "zh"
    plans = {p["id"]: p["name"][lang] for p in record.get("plans", [])}
    return PlanProgress(
        period=str(record["period"]),
        judged_on=date.fromisoformat(record["judged_on"]),
        tolerance_pp=float(record["tolerance_pp"]),
        rows=tuple(
            PlanProgressRow(
                plan=plans.get(r["plan"], r["plan"]),
                indicator=r["name"][lang],
                unit=r["unit"],
                direction=r["direction"],
                target=float(r["target"]),
                deadline=date.fromisoformat(r["deadline"]),
                value=None if r["value"] is None else float(r["value"]),
                value_period=r["value_period"],
                status=r["status"],
                small_sample=bool(r["small_sample"]),
            )
            for r in rows
        ),
    )
