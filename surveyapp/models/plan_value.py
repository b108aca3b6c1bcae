"""Values of plan indicators, entered per period; a correction is a new row.

A plan's indicators are files (``plans/``, :mod:`surveyapp.plans`); what the
responsible bureau reports for a period is a row here: the value, where it comes from
(``note``), who entered it and when.  A row is never changed: a correction is a new
row that names the one it replaces (``supersedes_id``), so the history of every
value stays readable.  The current value of an indicator and period is the row no
other row supersedes; two unique rules keep that a single chain: a row is
superseded at most once, and only one row of a (plan, indicator, period) starts it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class PlanValue(Base):
    __tablename__ = "plan_value"
    __table_args__ = (
        Index("ix_plan_value_key", "plan_id", "indicator_id", "period"),
        # only one first entry per indicator and period (later ones supersede it)
        Index(
            "uq_plan_value_first",
            "plan_id",
            "indicator_id",
            "period",
            unique=True,
            sqlite_where=text("supersedes_id IS NULL"),
            postgresql_where=text("supersedes_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    indicator_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    # where the number comes from (a statistics report, a bureau's letter …)
    note: Mapped[str] = mapped_column(String(500))
    # the actor's name at the time ("cli" for commands run on the server)
    entered_by: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the row this one corrects; a row is corrected at most once
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_value.id"), nullable=True, unique=True
    )

    def __repr__(self) -> str:
        return f"<PlanValue {self.plan_id}/{self.indicator_id} {self.period} = {self.value}>"
