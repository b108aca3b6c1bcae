"""一公开: a draw's list published together with its results, never before.

* :func:`plan_progress`: how many of a plan's drawn providers have a result (the
  bureau's view of the current draw);
* :func:`result_lines`: the drawn list with each result, as it is published: the
  provider's name, code and district, 合格/不合格 with the findings, the day and the two
  inspectors (name and number — what an inspector shows at the door and what 双随机
  results notices print; nothing else of them); the providers the draw left without
  inspectors are listed as not inspected.  Risk classes are not published (the market
  regulator keeps the classification for internal supervision);
* :func:`publish_results`: the PDF (:mod:`reports.inspection_results`) and the CSV
  archived as an immutable edition; refused while any assigned provider has no result,
  so the list can never be public before the inspections; a plan published before is
  only published again as a correction naming the edition it replaces (each edition is
  replaced at most once), as for bulletins and complaint publicity.

Nothing here shows an unpublished plan: the public pages read editions only.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from reports.inspection_results import render_inspection_results
from surveyapp import csv_safe
from surveyapp.accounts.service import audit
from surveyapp.credit.csvfile import providers_by_key
from surveyapp.inspections.service import drawn_inspectors, plan_source
from surveyapp.models import User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.credit import CreditEvent, InspectionPlan, Inspector
from surveyapp.models.supervision import InspectionResult, InspectionResultsEdition
from surveyapp.publications import PublicationError
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import sector_name

__all__ = [
    "PlanProgress",
    "ResultLine",
    "edition_by_number",
    "list_result_editions",
    "plan_progress",
    "plans_of",
    "publish_results",
    "result_lines",
    "results_csv",
]


@dataclass(frozen=True)
class PlanProgress:
    """A plan and how far its inspections are: results entered of the drawn providers
    that have inspectors (the unassigned ones are not inspected)."""

    plan: InspectionPlan
    drawn: int
    entered: int
    unassigned: int
    published: int | None  # the latest edition's number, if any

    @property
    def missing(self) -> int:
        return self.drawn - self.entered

    @property
    def complete(self) -> bool:
        return self.entered == self.drawn


def _editions_by_plan(session: DbSession, ids: Collection[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(InspectionResultsEdition.plan_id, func.max(InspectionResultsEdition.edition))
        .where(InspectionResultsEdition.plan_id.in_(list(ids)))
        .group_by(InspectionResultsEdition.plan_id)
    )
    return {pid: int(n) for pid, n in session.execute(query)}


def plans_of(session: DbSession, sectors: Collection[str] | None) -> list[PlanProgress]:
    """The stored plans (of ``sectors``; ``None``: all), newest first, with their progress;
    three queries whatever the number of plans."""
    query = select(InspectionPlan).order_by(InspectionPlan.created_at.desc(), InspectionPlan.id)
    if sectors is not None:
        query = query.where(InspectionPlan.sector.in_(list(sectors)))
    plans = list(session.scalars(query))
    ids = [p.id for p in plans]
    counts: dict[str, int] = {}
    if plans:
        rows = session.execute(
            select(CreditEvent.source, func.count())
            .where(CreditEvent.source.in_([plan_source(p) for p in plans]))
            .group_by(CreditEvent.source)
        )
        counts = {source: int(n) for source, n in rows}
    published = _editions_by_plan(session, ids)
    return [
        PlanProgress(
            p,
            len(p.plan.get("drawn", [])),
            counts.get(plan_source(p), 0),
            len(p.plan.get("unassigned", [])),
            published.get(p.id),
        )  # fmt: skip
        for p in plans
    ]


def plan_progress(session: DbSession, plan: InspectionPlan) -> PlanProgress:
    entered = session.scalar(select(func.count()).where(CreditEvent.source == plan_source(plan)))
    return PlanProgress(plan, len(plan.plan.get("drawn", [])), int(entered or 0),
                        len(plan.plan.get("unassigned", [])),
                        _editions_by_plan(session, [plan.id]).get(plan.id))  # fmt: skip


@dataclass(frozen=True)
class ResultLine:
    """One drawn provider as published (see the module docstring)."""

    credit_code: str  # the credit code, else the registration number
    name: str
    district: str
    outcome: str | None  # 合格 / 不合格; None: no result (not inspected)
    inspected_on: date | None
    findings: str | None
    inspectors: tuple[str, ...]  # "name（number）"


def result_lines(session: DbSession, plan: InspectionPlan) -> list[ResultLine]:
    """The plan's drawn and unassigned providers with their results, in the plan's order."""
    pairs = drawn_inspectors(plan)
    unassigned = [e["id"] for e in plan.plan.get("unassigned", [])]
    keys = [*pairs, *unassigned]
    providers = providers_by_key(session, keys)
    events = {
        e.external_id: e
        for e in session.scalars(select(CreditEvent).where(CreditEvent.source == plan_source(plan)))
    }
    entered = {
        r.provider_key: list(r.inspectors)
        for r in session.scalars(
            select(InspectionResult).where(InspectionResult.plan_id == plan.id)
        )
    }
    names = {code: name for code, name in session.execute(select(Inspector.code, Inspector.name))}
    lines = []
    for key in keys:
        provider = providers.get(key)
        event = events.get(key)
        codes = entered.get(key, pairs.get(key, []))
        lines.append(
            ResultLine(
                credit_code=key,
                name=provider.name if provider is not None else "",
                district=provider.district if provider is not None else "",
                outcome=event.outcome if event is not None else None,
                inspected_on=event.occurred_on if event is not None else None,
                findings=event.description if event is not None else None,
                inspectors=tuple(f"{names.get(c, '')}（{c}）" for c in codes),
            )
        )
    return lines


def results_csv(plan: InspectionPlan, lines: Sequence[ResultLine]) -> bytes:
    """The published list as CSV (UTF-8 with a byte-order mark, for spreadsheets)."""
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(["sector", "period", "districts", "credit_code", "provider_name",
                     "district", "result", "inspected_on", "findings", "inspectors", "seed",
                     "inputs_sha256"])  # fmt: skip
    for line in lines:
        writer.writerow(
            [plan.sector, plan.period, plan.districts, line.credit_code, line.name,
             line.district, line.outcome or "未检查",
             line.inspected_on.isoformat() if line.inspected_on else "", line.findings or "",
             ";".join(line.inspectors), str(plan.seed), plan.inputs_sha256]
        )  # fmt: skip
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def edition_by_number(session: DbSession, number: int) -> InspectionResultsEdition | None:
    return session.scalar(
        select(InspectionResultsEdition).where(InspectionResultsEdition.edition == number)
    )


def list_result_editions(
    session: DbSession, sectors: Collection[str] | None = None
) -> list[InspectionResultsEdition]:
    """Every published edition (of ``sectors``), newest first."""
    query = select(InspectionResultsEdition).order_by(InspectionResultsEdition.edition.desc())
    if sectors is not None:
        query = query.where(InspectionResultsEdition.sector.in_(list(sectors)))
    return list(session.scalars(query))


def _replaced(
    session: DbSession, plan: InspectionPlan, replaces: int | None
) -> InspectionResultsEdition | None:
    latest = session.scalar(
        select(InspectionResultsEdition)
        .where(InspectionResultsEdition.plan_id == plan.id)
        .order_by(InspectionResultsEdition.edition.desc())
        .limit(1)
    )
    if replaces is None:
        if latest is not None:
            raise PublicationError(
                f"the results of this draw are published as edition {latest.edition}; "
                f"publishing again is a correction: name the edition it replaces "
                f"({latest.edition})"
            )
        return None
    replaced = edition_by_number(session, replaces)
    if replaced is None or replaced.plan_id != plan.id:
        raise PublicationError(f"edition {replaces} is not an edition of this draw's results")
    successor = session.scalar(
        select(InspectionResultsEdition.edition).where(
            InspectionResultsEdition.replaces_id == replaced.id
        )
    )
    if successor is not None:
        raise PublicationError(
            f"edition {replaces} was already replaced by edition {successor}; correct that one"
        )
    return replaced


def publish_results(
    session: DbSession,
    plan: InspectionPlan,
    actor: User | str,
    *,
    replaces: int | None = None,
    issuer: str | None = None,
    now: datetime | None = None,
) -> InspectionResultsEdition:
    """Publish the drawn list with its results (PDF and CSV), immutable; audited, the
    caller commits.  :class:`PublicationError` while results are missing (the list is
    never public before its results) or for a repeated publication that is not a
    correction."""
    now = now or utcnow()
    progress = plan_progress(session, plan)
    if not progress.complete:
        raise PublicationError(
            f"{progress.missing} of {progress.drawn} drawn providers have no result yet: "
            "the drawn list is published only together with all its results (一公开)"
        )
    replaced = _replaced(session, plan, replaces)
    lines = result_lines(session, plan)
    number = (session.scalar(select(func.max(InspectionResultsEdition.edition))) or 0) + 1
    issued = china_today(now)
    pdf = render_inspection_results(
        lines,
        sector=sector_name(plan.sector, "zh", plan.sector),
        period=plan.period,
        districts=plan.districts.replace(",", "、"),
        seed=str(plan.seed),
        inputs_sha256=plan.inputs_sha256,
        drawn_on=china_today(plan.created_at),
        issued=issued,
        edition=number,
        replaces=replaced.edition if replaced is not None else None,
        issuer=issuer,
    )
    csv = results_csv(plan, lines)
    inputs: dict[str, Any] = {
        "plan_id": plan.id,
        "seed": str(plan.seed),
        "inputs_sha256": plan.inputs_sha256,
        "issued": issued.isoformat(),
        "results": progress.entered,
        "failed": sum(1 for line in lines if line.outcome == "不合格"),
        "unassigned": progress.unassigned,
    }
    name = actor.username if isinstance(actor, User) else str(actor)
    edition = InspectionResultsEdition(
        edition=number, plan_id=plan.id, sector=plan.sector, period=plan.period,
        districts=plan.districts, pdf=pdf, csv=csv,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(), csv_sha256=hashlib.sha256(csv).hexdigest(),
        inputs=inputs, replaces_id=replaced.id if replaced is not None else None,
        published_by=name[:64], published_at=now,
    )  # fmt: skip
    session.add(edition)
    session.flush()
    audit(session, actor, "inspections.publish", f"inspection_results:{number}",
          {"plan": plan.id, "sector": plan.sector, "period": plan.period,
           "pdf_sha256": edition.pdf_sha256, "csv_sha256": edition.csv_sha256,
           "replaces_edition": replaces}, at=now)  # fmt: skip
    return edition
