"""The draw from stored data: the inspector pool, sealed plans and the results.

* :func:`read_inspectors` / :func:`import_inspectors`: the pool from a CSV file
  (``inspector_id``, ``name``, optional ``conflicts`` — the credit codes or registration
  numbers of providers the inspector declared a conflict of interest with, ``;``-separated
  — and ``status`` active/inactive); a known inspector is updated and their declared
  conflicts replaced, all or nothing, audited.
* :func:`gather_inputs`: the draw's inputs for a sector, period and districts: the open
  providers with their current classes (:func:`surveyapp.credit.classes.compute_classes`),
  the rates, the active inspectors, the declared conflicts and the previous period's
  pairs, read from the plans stored for it.
* :func:`store_plan`: the sealed plan (one per sector, period and districts).
* :func:`read_results` / :func:`import_results`: the results (合格/不合格 with findings)
  of a stored plan's providers, stored as inspection events of their credit records.

Nothing here publishes a plan: the drawn list is public only with its results (一公开).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from surveyapp.accounts.service import audit
from surveyapp.credit.classes import CreditSettings, compute_classes
from surveyapp.credit.csvfile import (
    ImportFailed,
    ImportProblem,
    parse_day,
    providers_by_key,
    read_rows,
)
from surveyapp.indices.periods import PeriodError, previous_period
from surveyapp.inspections.draw import DrawInputs, DrawPlan, PlanError
from surveyapp.models import User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.credit import (
    INSPECTION_OUTCOMES,
    CreditEvent,
    InspectionPlan,
    Inspector,
    InspectorConflict,
)

__all__ = [
    "InspectorRecord",
    "ResultDraft",
    "gather_inputs",
    "import_inspectors",
    "import_results",
    "plan_source",
    "read_inspectors",
    "read_results",
    "store_plan",
    "stored_plan",
]

_STATUS = {"": True, "active": True, "在岗": True, "inactive": False, "停用": False, "离岗": False}


@dataclass(frozen=True)
class InspectorRecord:
    row: int
    code: str
    name: str
    active: bool
    conflicts: tuple[str, ...]  # provider keys


def read_inspectors(
    session: DbSession, path: str | os.PathLike[str], *, name: str | None = None
) -> tuple[str, list[InspectorRecord], tuple[str, ...]]:
    """The checked pool file: (encoding, records, ignored columns); ImportFailed else."""
    file = read_rows(path, ("inspector_id", "name"), ("conflicts", "status"), name=name)
    problems: list[ImportProblem] = []
    records: list[InspectorRecord] = []
    seen: dict[str, int] = {}
    keys: dict[int, tuple[str, ...]] = {}
    for number, values in file.rows:
        before = len(problems)
        code, label = values["inspector_id"], values["name"]
        if not code or len(code) > 64:
            problems.append(ImportProblem(number, "inspector_id", "1 to 64 characters"))
        elif code in seen:
            problems.append(ImportProblem(number, "inspector_id", f"repeats row {seen[code]}"))
        seen.setdefault(code, number)
        if not label or len(label) > 64:
            problems.append(ImportProblem(number, "name", "1 to 64 characters"))
        active = _STATUS.get(values.get("status", "").lower())
        if active is None:
            problems.append(ImportProblem(number, "status", "active or inactive (在岗/停用)"))
        keys[number] = tuple(k.strip() for k in values.get("conflicts", "").split(";") if k.strip())
        if len(problems) == before:
            records.append(InspectorRecord(number, code, label, bool(active), keys[number]))
    known = providers_by_key(session, (k for ks in keys.values() for k in ks))
    for number, ks in keys.items():
        for key in ks:
            if key not in known:
                problems.append(ImportProblem(number, "conflicts", f"{key} is not in the registry"))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ImportFailed(file.name, problems)
    return file.encoding, records, file.ignored


def import_inspectors(
    session: DbSession, records: Sequence[InspectorRecord], actor: User | str, file: str
) -> tuple[int, int]:
    """Add new inspectors and update known ones (conflicts replaced); (added, updated)."""
    now = utcnow()
    providers = providers_by_key(session, (k for r in records for k in r.conflicts))
    stored = {i.code: i for i in session.scalars(select(Inspector))}
    added = updated = 0
    try:
        for r in records:
            inspector = stored.get(r.code)
            if inspector is None:
                inspector = Inspector(code=r.code)
                session.add(inspector)
                added += 1
            else:
                updated += 1
            inspector.name, inspector.active, inspector.updated_at = r.name, r.active, now
            session.flush()
            session.execute(
                delete(InspectorConflict).where(InspectorConflict.inspector_id == inspector.id)
            )
            for key in dict.fromkeys(r.conflicts):
                session.add(
                    InspectorConflict(inspector_id=inspector.id, provider_id=providers[key].id)
                )
        audit(session, actor, "inspections.inspectors_import", f"file:{file}",
              {"added": added, "updated": updated}, at=now)  # fmt: skip
        session.commit()
    except Exception:
        session.rollback()
        raise
    return added, updated


def districts_key(districts: Sequence[str]) -> str:
    return ",".join(sorted(set(districts)))


def gather_inputs(
    session: DbSession,
    settings: CreditSettings,
    sector: str,
    period: str,
    districts: Sequence[str],
    as_of: date,
) -> DrawInputs:
    """Everything the draw depends on, read from the database (module docstring)."""
    try:
        before = previous_period(period)
    except PeriodError as exc:
        raise PlanError(str(exc)) from None
    classes = compute_classes(
        session, settings, as_of, sector=sector, districts=districts, open_only=True
    )
    by_id = {p.provider_id: p.key for p in classes}
    pool = [code for (code,) in session.execute(select(Inspector.code).where(Inspector.active))]
    conflicts = [
        (by_id[pid], code)
        for pid, code in session.execute(
            select(InspectorConflict.provider_id, Inspector.code).join(Inspector)
        )
        if pid in by_id
    ]
    previous: set[tuple[str, str]] = set()
    keys = set(by_id.values())
    plans = select(InspectionPlan.plan).where(
        InspectionPlan.sector == sector, InspectionPlan.period == before
    )
    for (plan,) in session.execute(plans):
        for entry in plan.get("drawn", []):
            if entry["id"] in keys:
                previous.update((entry["id"], i) for i in entry.get("inspectors", []))
    return DrawInputs(
        sector=sector,
        period=period,
        districts=sorted(set(districts)),
        providers={p.key: p.cls for p in classes},
        rates_per_mille=dict(settings.rates_per_mille),
        inspectors=sorted(pool),
        conflicts=sorted(conflicts),
        previous_pairs=sorted(previous),
    )


def stored_plan(
    session: DbSession, sector: str, period: str, districts: Sequence[str] = ()
) -> InspectionPlan | None:
    return session.scalars(
        select(InspectionPlan).where(
            InspectionPlan.sector == sector,
            InspectionPlan.period == period,
            InspectionPlan.districts == districts_key(districts),
        )
    ).first()


def store_plan(
    session: DbSession, plan: DrawPlan, actor: User | str, *, now: datetime | None = None
) -> InspectionPlan:
    """Seal and keep a plan; a second plan of the same sector, period and districts is
    a PlanError (a sealed draw is never redone)."""
    inputs = plan.inputs
    if stored_plan(session, inputs.sector, inputs.period, inputs.districts) is not None:
        raise PlanError(
            f"a plan of {inputs.sector} {inputs.period} for these districts is already sealed"
        )
    data = plan.as_json()
    row = InspectionPlan(sector=inputs.sector, period=inputs.period,
                         districts=districts_key(inputs.districts), seed=plan.seed,
                         inputs_sha256=data["inputs_sha256"], plan=data,
                         actor=actor.username if isinstance(actor, User) else str(actor),
                         created_at=now or utcnow())  # fmt: skip
    session.add(row)
    session.flush()
    audit(session, actor, "inspections.draw", f"inspection_plan:{row.id}",
          {"sector": inputs.sector, "period": inputs.period, "seed": str(plan.seed),
           "inputs_sha256": data["inputs_sha256"], "drawn": len(plan.drawn)}, at=now)  # fmt: skip
    session.commit()
    return row


def plan_source(plan: InspectionPlan) -> str:
    """The credit events' source of a plan's results."""
    return f"inspection-plan:{plan.id}"


@dataclass(frozen=True)
class ResultDraft:
    row: int
    key: str
    inspected_on: date
    outcome: str
    findings: str | None


_OUTCOMES = {"合格": "合格", "不合格": "不合格", "pass": "合格", "passed": "合格",
             "fail": "不合格", "failed": "不合格"}  # fmt: skip


def read_results(
    session: DbSession,
    plan: InspectionPlan,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
) -> tuple[str, list[ResultDraft], tuple[str, ...]]:
    """Check a results file against a stored plan: each row a drawn provider of the
    plan, once, with 合格 or 不合格 (不合格 needs findings), not entered before."""
    file = read_rows(path, ("credit_code", "inspected_on", "result"), ("findings",), name=name)
    drawn = {e["id"] for e in plan.plan.get("drawn", [])}
    entered = {
        ext
        for (ext,) in session.execute(
            select(CreditEvent.external_id).where(CreditEvent.source == plan_source(plan))
        )
    }
    problems: list[ImportProblem] = []
    drafts: list[ResultDraft] = []
    seen: dict[str, int] = {}
    for number, values in file.rows:
        before = len(problems)
        key = values["credit_code"]
        if key not in drawn:
            problems.append(ImportProblem(number, "credit_code",
                                          f"{key!r} was not drawn in this plan"))  # fmt: skip
        elif key in seen:
            problems.append(ImportProblem(number, "credit_code", f"repeats row {seen[key]}"))
        elif key in entered:
            problems.append(ImportProblem(number, "credit_code", "its result is entered already"))
        seen.setdefault(key, number)
        day = None
        try:
            day = parse_day(values["inspected_on"])
        except ValueError as exc:
            problems.append(ImportProblem(number, "inspected_on", str(exc)))
        outcome = _OUTCOMES.get(values["result"].lower())
        if outcome is None:
            problems.append(ImportProblem(number, "result", f"{' or '.join(INSPECTION_OUTCOMES)}"))
        findings = values.get("findings") or None
        if outcome == "不合格" and not findings:
            problems.append(ImportProblem(number, "findings", "a failed inspection needs findings"))
        if len(problems) == before and day is not None and outcome is not None:
            drafts.append(ResultDraft(number, key, day, outcome, findings))
    if problems:
        raise ImportFailed(file.name, problems)
    return file.encoding, drafts, file.ignored


def import_results(
    session: DbSession,
    plan: InspectionPlan,
    drafts: Sequence[ResultDraft],
    actor: User | str,
    file: str,
) -> int:
    """Store the results as inspection events of the providers' credit records."""
    now = utcnow()
    providers = providers_by_key(session, (d.key for d in drafts))
    try:
        for d in drafts:
            session.add(
                CreditEvent(provider_id=providers[d.key].id, kind="inspection",
                            occurred_on=d.inspected_on, source=plan_source(plan),
                            external_id=d.key, outcome=d.outcome, description=d.findings,
                            created_at=now)
            )  # fmt: skip
        details: dict[str, Any] = {"file": file, "results": len(drafts)}
        audit(session, actor, "inspections.results_import", f"inspection_plan:{plan.id}",
              details, at=now)  # fmt: skip
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(drafts)
