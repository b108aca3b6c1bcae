"""Risk-based supervision around the draw: results as entered, the published results
(一公开) and the bureau's decisions on consumer-warning proposals.

* :class:`InspectionResult`: one drawn provider's result as entered (web form or CSV),
  with the inspectors who did it; the result itself is the inspection event of the
  provider's credit record (:class:`~surveyapp.models.credit.CreditEvent`) it points to.
* :class:`InspectionResultsEdition`: a plan's drawn list with its results as published,
  PDF and CSV exactly as issued; never changed or deleted, a correction is a new edition
  naming the one it replaces (as bulletins and complaint publicity).
* :class:`WarningProposalDismissal`: a bureau decided not to warn consumers about a
  D-class provider now, with its reason (the proposal returns after the window).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.models.complaint import ImmutablePublicationError

#: How a result was entered
RESULT_VIA = ("form", "csv")


class InspectionResult(Base):
    """A drawn provider's result, once per plan and provider."""

    __tablename__ = "inspection_result"
    __table_args__ = (
        UniqueConstraint("plan_id", "provider_key"),
        CheckConstraint("via IN ('form', 'csv')", name="via"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_plan.id", ondelete="CASCADE"), index=True
    )
    provider_key: Mapped[str] = mapped_column(String(64))  # the plan's id of the provider
    event_id: Mapped[int] = mapped_column(ForeignKey("credit_event.id", ondelete="CASCADE"))
    inspectors: Mapped[list[str]] = mapped_column(JSON, default=list)  # inspector codes
    via: Mapped[str] = mapped_column(String(8))
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InspectionResultsEdition(Base):
    """A plan's drawn list and results as published (一公开): immutable."""

    __tablename__ = "inspection_results_edition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[int] = mapped_column(Integer, unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    sector: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))
    districts: Mapped[str] = mapped_column(String(500), default="")
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    csv: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    csv_sha256: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_results_edition.id"), nullable=True, unique=True
    )
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WarningProposalDismissal(Base):
    """A person decided against a consumer warning for a D-class provider, with why."""

    __tablename__ = "warning_proposal_dismissal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_update(mapper, connection, target) -> None:
    state = inspect(target)
    if any(state.attrs[c.key].history.has_changes() for c in mapper.column_attrs):
        raise ImmutablePublicationError(f"inspection results edition {target.edition} is published")


def _refuse_delete(mapper, connection, target) -> None:
    raise ImmutablePublicationError(
        f"inspection results edition {target.edition} cannot be deleted"
    )


event.listen(InspectionResultsEdition, "before_update", _refuse_update)
event.listen(InspectionResultsEdition, "before_delete", _refuse_delete)
