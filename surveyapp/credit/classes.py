"""Every provider's risk class: indicators in bulk, the rules, then the bureaus' overrides.

:func:`compute_classes` is what ``surveyapp credit classes`` prints and what the
inspection draw reads: the indicators of all providers (or a sector's, a district's) in
a few grouped queries (:mod:`surveyapp.credit.indicators`, one array per indicator),
classified by the rule set on whole columns (:func:`surveyapp.credit.rules.classify_many`,
equal to :func:`~surveyapp.credit.rules.classify` provider by provider), then an
unexpired override of a bureau, if any, sets the class (the rules' class and factors are
still shown beside it).
:func:`record_classes` keeps the classes of a period (the class history).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select

from surveyapp.credit.indicators import IndicatorSettings, indicator_columns, read_rows
from surveyapp.credit.rules import (
    Classification,
    RuleSet,
    classify_many,
    default_rules,
    read_rules,
)
from surveyapp.models import Provider, ProviderSector
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.bulk import write_rows
from surveyapp.models.credit import RISK_CLASSES, ClassHistory, ClassOverride

__all__ = ["CreditSettings", "ProviderClass", "compute_classes", "parse_rates", "record_classes"]


def parse_rates(text: str) -> dict[str, int]:
    """``A:50,B:200,C:400,D:800`` → per-mille rates of every class; ``ValueError`` else."""
    rates: dict[str, int] = {}
    for part in text.split(","):
        cls, _, value = part.partition(":")
        cls = cls.strip().upper()
        if cls not in RISK_CLASSES or cls in rates or not value.strip().isdigit():
            raise ValueError(f"INSPECTION_RATES {text!r}: give A:n,B:n,C:n,D:n in per mille")
        rates[cls] = int(value)
        if rates[cls] > 1000:
            raise ValueError(f"INSPECTION_RATES: the rate of {cls} is above 1000 per mille")
    if set(rates) != set(RISK_CLASSES):
        raise ValueError(f"INSPECTION_RATES {text!r}: give a rate for each of A, B, C, D")
    return rates


@dataclass(frozen=True)
class CreditSettings:
    rules: RuleSet
    indicators: IndicatorSettings
    rates_per_mille: dict[str, int]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CreditSettings:
        """Raises :class:`~surveyapp.credit.rules.RulesError` or ``ValueError``."""
        path = config.get("CREDIT_RULES")
        rules = read_rules(path) if path else default_rules()
        return cls(
            rules,
            IndicatorSettings(
                int(config.get("PROVIDER_SCORE_WINDOW_MONTHS", 12)),
                float(config.get("CREDIT_LOW_SCORE", 0.6)),
            ),
            parse_rates(str(config.get("INSPECTION_RATES", "A:50,B:200,C:400,D:800"))),
        )


@dataclass(frozen=True)
class ProviderClass:
    provider_id: int
    key: str
    credit_code: str | None
    registration_no: str | None
    name: str
    district: str
    cls: str  # the class that holds: the override's, else the rules'
    computed: Classification
    override: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "credit_code": self.credit_code,
            "registration_no": self.registration_no,
            "name": self.name,
            "district": self.district,
            "class": self.cls,
            "factors": [f.as_json() for f in self.computed.factors],
            "points": self.computed.points,
            "rules_class": self.computed.cls,
            "unknown": list(self.computed.unknown),
            "override": self.override,
        }


def _overrides(session: DbSession, as_of: date) -> dict[int, ClassOverride]:
    """The latest override of each provider that still holds on ``as_of``."""
    query = (
        select(ClassOverride)
        .where(ClassOverride.expires_on >= as_of)
        .order_by(ClassOverride.created_at, ClassOverride.id)
    )
    return {o.provider_id: o for o in session.scalars(query)}


def compute_classes(
    session: DbSession,
    settings: CreditSettings,
    as_of: date,
    *,
    sector: str | None = None,
    districts: Sequence[str] = (),
    open_only: bool = False,
) -> list[ProviderClass]:
    """The class of every provider (of a sector, of districts), ordered by provider key."""
    query = select(
        Provider.id, Provider.credit_code, Provider.registration_no, Provider.name,
        Provider.district,
    )  # fmt: skip
    if sector is not None:
        query = query.join(ProviderSector).where(ProviderSector.sector == sector)
    if districts:
        query = query.where(Provider.district.in_(list(districts)))
    if open_only:
        query = query.where(Provider.status == "open")
    rows = read_rows(session, query)
    ids = [row[0] for row in rows]
    columns = indicator_columns(session, ids, as_of, settings.indicators, sector=sector)
    computed = classify_many(columns, settings.rules)
    overrides = _overrides(session, as_of)
    out = []
    for (pid, code, reg, name, district), rules_says in zip(rows, computed, strict=True):
        o = overrides.get(pid)
        override = None
        if o is not None:
            override = {"class": o.cls, "reason": o.reason, "bureau": o.bureau,
                        "expires_on": o.expires_on.isoformat()}  # fmt: skip
        out.append(ProviderClass(pid, code or reg or "", code, reg, name, district,
                                 o.cls if o else rules_says.cls, rules_says, override))  # fmt: skip
    out.sort(key=lambda p: p.key)
    return out


def record_classes(session: DbSession, period: str, classes: Sequence[ProviderClass]) -> int:
    """Keep the classes of ``period`` (replacing that period's rows of these providers).

    The rows go to the driver in bulk (:func:`surveyapp.models.bulk.write_rows`), each
    value as SQLAlchemy would bind it (the same stored text).
    The factors are serialised once per distinct classification (they are shared).  The
    ORM's bulk insert spent about two thirds of its time on per-row bookkeeping here."""
    ids = [p.provider_id for p in classes]
    for start in range(0, len(ids), 1000):
        session.execute(
            delete(ClassHistory).where(
                ClassHistory.period == period,
                ClassHistory.provider_id.in_(ids[start : start + 1000]),
            )
        )
    if classes:
        conn = session.connection()
        table = ClassHistory.__table__
        names = ("provider_id", "period", "cls", "computed", "points", "factors", "recorded_at")

        def bind(name: str) -> Callable[[Any], Any]:
            processor = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            return processor or (lambda value: value)

        factors_text, now = bind("factors"), bind("recorded_at")(utcnow())
        text: dict[int, Any] = {}
        rows = []
        for p in sorted(classes, key=lambda p: p.provider_id):
            c = p.computed
            if id(c) not in text:
                text[id(c)] = factors_text([f.as_json() for f in c.factors])
            rows.append((p.provider_id, period, p.cls, c.cls, c.points, text[id(c)], now))
        write_rows(session, ClassHistory.__tablename__, names, rows)
    session.commit()
    return len(classes)
