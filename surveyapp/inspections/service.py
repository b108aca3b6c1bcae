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
* :class:`ResultChecker` / :func:`enter_results`: a result (合格/不合格 with findings, the
  day, the inspectors) of a stored plan's drawn provider, checked the same way whether it
  comes from a CSV file (:func:`read_results`) or the bureau's web form, and stored as
  the inspection event of the provider's credit record.

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
from surveyapp.models.supervision import InspectionResult
from surveyapp.rounds.dates import china_today

__all__ = [
    "InspectorRecord",
    "ResultChecker",
    "ResultDraft",
    "drawn_inspectors",
    "enter_results",
    "entered_results",
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
    inspectors: tuple[str, ...] = ()  # codes; the plan's pair unless given


_OUTCOMES = {"合格": "合格", "不合格": "不合格", "pass": "合格", "passed": "合格",
             "fail": "不合格", "failed": "不合格"}  # fmt: skip
RESULT_COLUMNS = ("credit_code", "inspected_on", "result", "findings", "inspectors")
MAX_FINDINGS = 2000


def drawn_inspectors(plan: InspectionPlan) -> dict[str, list[str]]:
    """Each drawn provider of a plan → the inspectors the draw assigned."""
    return {e["id"]: list(e.get("inspectors", [])) for e in plan.plan.get("drawn", [])}


def entered_results(session: DbSession, plan: InspectionPlan) -> set[str]:
    """The drawn providers whose result is entered (stored as credit events)."""
    query = select(CreditEvent.external_id).where(CreditEvent.source == plan_source(plan))
    return {ext for (ext,) in session.execute(query)}


@dataclass(frozen=True)
class ResultChecker:
    """What a result is checked against: the plan's drawn providers and their pairs,
    the results entered, the inspector pool and the day (no result from the future)."""

    drawn: dict[str, list[str]]
    entered: set[str]
    pool: set[str]
    today: date

    @classmethod
    def of(cls, session: DbSession, plan: InspectionPlan, today: date) -> ResultChecker:
        pool = {code for (code,) in session.execute(select(Inspector.code))}
        return cls(drawn_inspectors(plan), entered_results(session, plan), pool, today)

    def check(
        self,
        number: int,
        values: dict[str, str],
        problems: list[ImportProblem],
        seen: dict[str, int] | None = None,
    ) -> ResultDraft | None:
        """One result (a CSV row, or the web form as row 0): every problem by column."""
        before = len(problems)

        def bad(column: str, message: str) -> None:
            problems.append(ImportProblem(number, column, message))

        key = values.get("credit_code", "").strip()
        seen = {} if seen is None else seen
        if key not in self.drawn:
            shown = key if len(key) <= 40 else key[:40] + "…"
            bad("credit_code", f"{shown!r} was not drawn in this plan (or has no inspectors)")
        elif key in seen:
            bad("credit_code", f"repeats row {seen[key]}")
        elif key in self.entered:
            bad("credit_code", "its result is entered already")
        seen.setdefault(key, number)
        day = None
        try:
            day = parse_day(values.get("inspected_on", ""))
        except ValueError as exc:
            bad("inspected_on", str(exc))
        if day is not None and day > self.today:
            bad("inspected_on", f"{day.isoformat()} is in the future")
        outcome = _OUTCOMES.get(values.get("result", "").strip().lower())
        if outcome is None:
            bad("result", f"{' or '.join(INSPECTION_OUTCOMES)}")
        findings = (values.get("findings") or "").strip() or None
        if outcome == "不合格" and not findings:
            bad("findings", "a failed inspection needs findings")
        if findings and len(findings) > MAX_FINDINGS:
            bad("findings", f"longer than {MAX_FINDINGS} characters")
        elif findings and "\x00" in findings:
            bad("findings", "holds a NUL character (a binary file?)")
        given = [c.strip() for c in values.get("inspectors", "").split(";") if c.strip()]
        inspectors = tuple(dict.fromkeys(given)) or tuple(self.drawn.get(key, ()))
        unknown = [c for c in inspectors if c not in self.pool]
        if unknown:
            bad("inspectors", f"not in the inspector pool: {', '.join(unknown)}")
        elif len(inspectors) < 2:
            bad("inspectors", "an inspection is done by at least two inspectors")
        if len(problems) > before or day is None or outcome is None:
            return None
        return ResultDraft(number, key, day, outcome, findings, inspectors)


def read_results(
    session: DbSession,
    plan: InspectionPlan,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    today: date | None = None,
) -> tuple[str, list[ResultDraft], tuple[str, ...]]:
    """Check a results file against a stored plan: each row a drawn provider of the
    plan, once, with 合格 or 不合格 (不合格 needs findings), not entered before; the
    optional ``inspectors`` column (codes, ``;``-separated) when others than the drawn
    pair did the inspection."""
    file = read_rows(path, RESULT_COLUMNS[:3], RESULT_COLUMNS[3:], name=name)
    checker = ResultChecker.of(session, plan, today or china_today(utcnow()))
    problems: list[ImportProblem] = []
    drafts: list[ResultDraft] = []
    seen: dict[str, int] = {}
    for number, values in file.rows:
        draft = checker.check(number, values, problems, seen)
        if draft is not None:
            drafts.append(draft)
    if problems:
        raise ImportFailed(file.name, problems)
    return file.encoding, drafts, file.ignored


def enter_results(
    session: DbSession,
    plan: InspectionPlan,
    drafts: Sequence[ResultDraft],
    actor: User | str,
    *,
    via: str,
    file: str | None = None,
    now: datetime | None = None,
) -> int:
    """Store checked results (a CSV file's, or one from the web form) as inspection
    events of the providers' credit records, with the inspectors who did them; one
    transaction, one audit row."""
    now = now or utcnow()
    providers = providers_by_key(session, (d.key for d in drafts))
    name = actor.username if isinstance(actor, User) else str(actor)
    try:
        events = [
            CreditEvent(provider_id=providers[d.key].id, kind="inspection",
                        occurred_on=d.inspected_on, source=plan_source(plan), external_id=d.key,
                        outcome=d.outcome, description=d.findings, created_at=now)
            for d in drafts
        ]  # fmt: skip
        session.add_all(events)
        session.flush()  # one INSERT of many rows: the events' ids for the results
        session.add_all(
            InspectionResult(plan_id=plan.id, provider_key=d.key, event_id=e.id,
                             inspectors=list(d.inspectors), via=via, entered_by=name[:64],
                             entered_at=now)
            for d, e in zip(drafts, events, strict=True)
        )  # fmt: skip
        details: dict[str, Any] = {"via": via, "results": len(drafts)}
        if file is not None:
            details["file"] = file
        if len(drafts) == 1:
            details.update(provider=drafts[0].key, outcome=drafts[0].outcome)
        action = "inspections.results_import" if via == "csv" else "inspections.result"
        audit(session, actor, action, f"inspection_plan:{plan.id}", details, at=now)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(drafts)


def import_results(
    session: DbSession,
    plan: InspectionPlan,
    drafts: Sequence[ResultDraft],
    actor: User | str,
    file: str,
) -> int:
    """A checked results file, stored by :func:`enter_results`."""
    return enter_results(session, plan, drafts, actor, via="csv", file=file)
