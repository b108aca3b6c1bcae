"""What the bureaus' credit pages and the credit API read: recorded classes of a sector,
who moved class, how well each class's inspections hit, and one provider's record.

Every figure here comes from what is *stored*: the class history of a period
(``surveyapp credit classes --record PERIOD``, the classes a bureau works with), the
sealed inspection plans with the class each provider had when it was drawn, and the
results entered for them (inspection events whose source is the plan).  Nothing is
re-estimated per request, so a page of a sector or of one provider costs a few indexed
queries whatever the size of the registry (the bench: ``python -m bench.credit``).

* :func:`recorded_periods` / :func:`class_list`: a sector's recorded classes of a period,
  with the factors that decided them ("why C");
* :func:`distribution`: counts of A-D per district and in all;
* :func:`movers`: providers whose class differs from the period recorded before;
* :func:`hit_rates`: per past period and class, the share of inspected providers whose
  result was 不合格 — were the D-class providers really worse?
* :func:`provider_credit`: one provider's timeline, class history and override in force.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from surveyapp.credit.record import TimelineEntry, timeline
from surveyapp.models import Provider, ProviderSector
from surveyapp.models.base import DbSession
from surveyapp.models.credit import (
    RISK_CLASSES,
    ClassHistory,
    ClassOverride,
    CreditEvent,
    InspectionPlan,
)

__all__ = [
    "ClassRow",
    "ClassStat",
    "CreditView",
    "Distribution",
    "Mover",
    "PeriodHits",
    "class_list",
    "distribution",
    "hit_rates",
    "movers",
    "override_in_force",
    "provider_credit",
    "recorded_periods",
]

#: Past periods of inspections a bureau's hit-rate table shows
HIT_RATE_PERIODS = 4


@dataclass(frozen=True)
class ClassRow:
    """A provider's recorded class of a period (the final one and the rules' one)."""

    provider_id: int
    key: str
    name: str
    district: str
    cls: str
    computed: str
    points: int
    factors: tuple[dict[str, Any], ...]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.key, "name": self.name, "district": self.district,
                "class": self.cls, "rules_class": self.computed, "points": self.points,
                "factors": list(self.factors)}  # fmt: skip


def recorded_periods(session: DbSession, sector: str) -> list[str]:
    """The periods whose classes were recorded for providers of ``sector``, oldest first."""
    query = (
        select(ClassHistory.period)
        .join(ProviderSector, ProviderSector.provider_id == ClassHistory.provider_id)
        .where(ProviderSector.sector == sector)
        .distinct()
    )
    return sorted(session.scalars(query))


def class_list(
    session: DbSession, sector: str, period: str, district: str | None = None
) -> list[ClassRow]:
    """The recorded classes of a sector's providers in ``period``, by district and key."""
    h = ClassHistory
    query = (
        select(h.provider_id, Provider.credit_code, Provider.registration_no, Provider.name,
               Provider.district, h.cls, h.computed, h.points, h.factors)
        .join(Provider, Provider.id == h.provider_id)
        .join(ProviderSector, ProviderSector.provider_id == Provider.id)
        .where(ProviderSector.sector == sector, h.period == period)
    )  # fmt: skip
    if district:
        query = query.where(Provider.district == district)
    rows = [
        ClassRow(pid, code or reg or "", name, dist, cls, computed, points, tuple(factors or ()))
        for pid, code, reg, name, dist, cls, computed, points, factors in session.execute(query)
    ]
    rows.sort(key=lambda r: (r.district, r.key))
    return rows


@dataclass(frozen=True)
class Distribution:
    """Counts of each class: in all and per district (districts in name order)."""

    total: dict[str, int]
    districts: tuple[tuple[str, dict[str, int]], ...]

    @property
    def size(self) -> int:
        return sum(self.total.values())


def distribution(
    session: DbSession, sector: str, period: str, district: str | None = None
) -> Distribution:
    """The recorded classes of a period counted per district, in one GROUP BY."""
    query = (
        select(Provider.district, ClassHistory.cls, func.count())
        .join(Provider, Provider.id == ClassHistory.provider_id)
        .join(ProviderSector, ProviderSector.provider_id == Provider.id)
        .where(ProviderSector.sector == sector, ClassHistory.period == period)
        .group_by(Provider.district, ClassHistory.cls)
    )
    if district:
        query = query.where(Provider.district == district)
    total: Counter[str] = Counter()
    per: dict[str, Counter[str]] = {}
    for dist, cls, n in session.execute(query):
        total[cls] += n
        per.setdefault(dist, Counter())[cls] += n
    return Distribution(
        {c: total[c] for c in RISK_CLASSES},
        tuple((d, {c: per[d][c] for c in RISK_CLASSES}) for d in sorted(per)),
    )


@dataclass(frozen=True)
class Mover:
    row: ClassRow  # the later period's
    before: str  # the class recorded in the earlier period

    @property
    def up(self) -> bool:
        """True when the risk rose (towards D)."""
        return self.row.cls > self.before


def movers(
    session: DbSession, sector: str, period: str, before: str, district: str | None = None
) -> list[Mover]:
    """Providers of ``sector`` recorded in both periods with another class, the largest
    rises first (a provider new in ``period`` has not moved: it had no class); one join
    of the two periods' rows, so only the movers are read."""
    now, then = aliased(ClassHistory), aliased(ClassHistory)
    query = (
        select(now.provider_id, Provider.credit_code, Provider.registration_no, Provider.name,
               Provider.district, now.cls, now.computed, now.points, now.factors, then.cls)
        .join(then, and_(then.provider_id == now.provider_id, then.period == before))
        .join(Provider, Provider.id == now.provider_id)
        .join(ProviderSector, ProviderSector.provider_id == Provider.id)
        .where(ProviderSector.sector == sector, now.period == period, now.cls != then.cls)
    )  # fmt: skip
    if district:
        query = query.where(Provider.district == district)
    out = [
        Mover(ClassRow(pid, code or reg or "", name, dist, cls, computed, points,
                       tuple(factors or ())), earlier)
        for pid, code, reg, name, dist, cls, computed, points, factors, earlier
        in session.execute(query)
    ]  # fmt: skip
    out.sort(key=lambda m: (-(ord(m.row.cls) - ord(m.before)), m.row.district, m.row.key))
    return out


@dataclass(frozen=True)
class ClassStat:
    drawn: int
    inspected: int  # results entered
    failed: int  # of them 不合格

    @property
    def hit_rate(self) -> float | None:
        """Share of inspected providers that failed; None before any result is in."""
        return self.failed / self.inspected if self.inspected else None


@dataclass(frozen=True)
class PeriodHits:
    period: str
    classes: dict[str, ClassStat]

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "classes": {
            c: {"drawn": s.drawn, "inspected": s.inspected, "failed": s.failed,
                "hit_rate": s.hit_rate} for c, s in self.classes.items()}}  # fmt: skip


def hit_rates(session: DbSession, sector: str, last: int = HIT_RATE_PERIODS) -> list[PeriodHits]:
    """Per period of the sector's sealed plans (the ``last`` ones, newest first) and per
    class the provider had when drawn: drawn, inspected (a result entered) and failed."""
    plans = list(session.scalars(select(InspectionPlan).where(InspectionPlan.sector == sector)))
    periods = sorted({p.period for p in plans}, reverse=True)[:last]
    keep = [p for p in plans if p.period in periods]
    results: dict[str, dict[str, str | None]] = {}
    if keep:
        # the source of a plan's results (surveyapp.inspections.service.plan_source)
        sources = {f"inspection-plan:{p.id}": p for p in keep}
        query = select(CreditEvent.source, CreditEvent.external_id, CreditEvent.outcome).where(
            CreditEvent.kind == "inspection", CreditEvent.source.in_(sorted(sources))
        )
        for source, key, outcome in session.execute(query):
            results.setdefault(source, {})[key] = outcome
    out = []
    for period in periods:
        tally = {c: [0, 0, 0] for c in RISK_CLASSES}
        for plan in keep:
            if plan.period != period:
                continue
            entered = results.get(f"inspection-plan:{plan.id}", {})
            drawn = [*plan.plan.get("drawn", []), *plan.plan.get("unassigned", [])]
            for entry in drawn:
                counts = tally.get(str(entry.get("class")))
                if counts is None:
                    continue
                counts[0] += 1
                outcome = entered.get(str(entry.get("id")))
                if outcome is not None:
                    counts[1] += 1
                    counts[2] += outcome == "不合格"
        out.append(PeriodHits(period, {c: ClassStat(*v) for c, v in tally.items()}))
    return out


def override_in_force(session: DbSession, provider_id: int, on: date) -> ClassOverride | None:
    """The provider's latest override that still holds on ``on`` (as the classes take it)."""
    return session.scalars(
        select(ClassOverride)
        .where(ClassOverride.provider_id == provider_id, ClassOverride.expires_on >= on)
        .order_by(ClassOverride.created_at.desc(), ClassOverride.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class CreditView:
    """One provider's credit page: the timeline and the classes."""

    provider: Provider
    as_of: date
    entries: tuple[TimelineEntry, ...]
    history: tuple[ClassHistory, ...]  # newest period first
    override: ClassOverride | None

    @property
    def recorded(self) -> ClassHistory | None:
        return self.history[0] if self.history else None

    @property
    def cls(self) -> str | None:
        """The class that holds today: an override in force, else the last recorded one."""
        if self.override is not None:
            return self.override.cls
        return self.recorded.cls if self.recorded else None

    def open_events(self) -> list[TimelineEntry]:
        """Stored events still counted: the ones a repair may end."""
        return [e for e in self.entries if e.kind != "complaint" and e.counts]


def provider_credit(
    session: DbSession, provider: Provider, as_of: date, *, public_only: bool = False
) -> CreditView:
    entries = timeline(session, provider, as_of, public_only=public_only)
    history = session.scalars(
        select(ClassHistory)
        .where(ClassHistory.provider_id == provider.id)
        .order_by(ClassHistory.period.desc())
    )
    return CreditView(provider, as_of, tuple(entries), tuple(history),
                      override_in_force(session, provider.id, as_of))  # fmt: skip
