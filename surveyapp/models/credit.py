"""Credit records (信用记录), risk-class overrides and history, inspectors and draw plans.

A provider's credit record is one timeline.  Events that come from other systems or
from inspections are rows of :class:`CreditEvent` (an inspection result 合格/不合格 with
its findings, an administrative penalty, an abnormal-operation listing, an honour),
each with its source and the source's own number, unique per source, so a file
imported twice is refused rather than doubled.  Complaints are not copied here: the
record reads them from their own table (:mod:`surveyapp.credit.record`).  A rating signal
(``rating_signal``) is a row too, raised and ended by :mod:`surveyapp.credit.signals`.

Credit repair (信用修复) never deletes an event: it ends its effect on a day, with a
reason (``ended_on``, ``end_reason``), and is audited.  An honour withdrawn ends the same way.

:class:`InspectionPlan` keeps every sealed draw (its canonical JSON and the SHA-256 of
its inputs); the previous period's provider–inspector pairs are read back from it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.models.provider import Provider

#: inspection (合格/不合格), administrative penalty, abnormal-operation listing, honour
CREDIT_EVENT_KINDS = ("inspection", "penalty", "abnormal", "honour")
#: The outcomes of an inspection
INSPECTION_OUTCOMES = ("合格", "不合格")
#: Kinds that the law lets a bureau publish (公示)
PUBLIC_KINDS = ("penalty", "honour")
#: A rating signal: the posterior score below the threshold for two periods, raised and
#: ended by :mod:`surveyapp.credit.signals` (never imported from a file)
RATING_SIGNAL = "rating_signal"
RISK_CLASSES = ("A", "B", "C", "D")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CreditEvent(Base):
    """One dated event of a provider's credit record, with its source."""

    __tablename__ = "credit_event"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(_in("kind", (*CREDIT_EVENT_KINDS, RATING_SIGNAL)), name="kind"),
        CheckConstraint(
            f"(kind = 'inspection' AND outcome IS NOT NULL AND {_in('outcome', INSPECTION_OUTCOMES)})"
            " OR (kind <> 'inspection' AND outcome IS NULL)",
            name="outcome",
        ),
        CheckConstraint(f"public = false OR {_in('kind', PUBLIC_KINDS)}", name="public"),
        # the indicators' aggregate: per provider and kind over a span of days
        Index("ix_credit_event_provider_kind_on", "provider_id", "kind", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)  # China day
    # The system it came from (市场监管综合执法系统, an inspection plan "plan:12" …)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # Findings of an inspection, the decision of a penalty, the honour's title
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Credit repair (信用修复) or withdrawal: the day the event stops counting, and why
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()

    def counts_on(self, day: date) -> bool:
        """True when the event has happened by ``day`` and has not been ended by then."""
        return self.occurred_on <= day and (self.ended_on is None or self.ended_on > day)

    def __repr__(self) -> str:
        return f"<CreditEvent {self.kind} {self.source}:{self.external_id}>"


class ClassOverride(Base):
    """A bureau's decision to set a provider's class, with its reason, until a day."""

    __tablename__ = "credit_class_override"
    __table_args__ = (CheckConstraint(_in("cls", RISK_CLASSES), name="cls"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), index=True
    )
    cls: Mapped[str] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(Text)
    bureau: Mapped[str] = mapped_column(String(64))
    # The last China day the override holds
    expires_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassHistory(Base):
    """A provider's class in a period, as recorded (the rules' class and the final one)."""

    __tablename__ = "credit_class_history"
    __table_args__ = (
        CheckConstraint(_in("cls", RISK_CLASSES), name="cls"),
        CheckConstraint(_in("computed", RISK_CLASSES), name="computed"),
    )

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)
    cls: Mapped[str] = mapped_column(String(1))
    computed: Mapped[str] = mapped_column(String(1))
    points: Mapped[int] = mapped_column(Integer)
    factors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Inspector(Base):
    """A law-enforcement inspector of the pool (执法检查人员名录库)."""

    __tablename__ = "inspector"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # 执法证号 or staff number
    name: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conflicts: Mapped[list[InspectorConflict]] = relationship(
        back_populates="inspector", cascade="all, delete-orphan"
    )


class InspectorConflict(Base):
    """A declared conflict of interest: the inspector never inspects the provider."""

    __tablename__ = "inspector_conflict"

    inspector_id: Mapped[int] = mapped_column(
        ForeignKey("inspector.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )

    inspector: Mapped[Inspector] = relationship(back_populates="conflicts")


class InspectionPlan(Base):
    """A sealed draw: the plan's canonical JSON and the hash of its inputs."""

    __tablename__ = "inspection_plan"
    __table_args__ = (UniqueConstraint("sector", "period", "districts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sector: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))
    districts: Mapped[str] = mapped_column(String(500), default="")  # sorted, comma-joined
    seed: Mapped[int] = mapped_column(BigInteger)
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
