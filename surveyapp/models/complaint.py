"""Consumer complaints (消费投诉) and their history.

A complaint is one row, whichever channel brought it (web form, API, a hotline's CSV
export); ``external_id`` is the source's own number, unique per channel.  The
complainant follows the case with a receipt code that only they were shown: the row
keeps its SHA-256 (``receipt_hash``), never the code.  The complainant's name and
phone are needed for mediation only: they are cleared (``pii_cleared_at``) a
configurable time after the case ends, and never leave the system unmasked.

Every change of state is a :class:`ComplaintEvent` row (who, when, from, to, note),
beside the audit log.  The states and the transitions allowed between them are the
service's (:mod:`surveyapp.complaints.states`); the table only checks the vocabulary.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.models.provider import Provider

#: received → accepted | not_accepted; accepted → mediation; mediation → closed
COMPLAINT_STATUSES = ("received", "accepted", "not_accepted", "mediation", "closed")
#: How a closed case ended: settled, not settled, ended (终止: withdrawn, unreachable …)
COMPLAINT_OUTCOMES = ("和解成功", "未达成和解", "终止")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Complaint(Base):
    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint(_in("status", COMPLAINT_STATUSES), name="status"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', COMPLAINT_OUTCOMES)}", name="outcome"),
        # the overdue and due-soon queries: open cases of a state by the day they count from
        Index("ix_complaint_status_received_at", "status", "received_at"),
        Index("ix_complaint_status_accepted_at", "status", "accepted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The source's own number (a hotline's 工单号); none for the web form
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # SHA-256 (hex) of the receipt code the complainant was given
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id"), nullable=True, index=True
    )
    # The provider as the complainant named it, for staff to match to the registry
    provider_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sector: Mapped[str] = mapped_column(String(32), index=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)  # yuan
    complainant_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    complainant_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="received")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the case ended: closed with an outcome, or not accepted
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Why it was not accepted, or how it was closed
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    pii_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider | None] = relationship()
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint",
        cascade="all, delete-orphan",
        order_by="ComplaintEvent.id",
    )

    def __repr__(self) -> str:
        return f"<Complaint {self.id} {self.channel}:{self.external_id} {self.status}>"


class ComplaintEvent(Base):
    """One step of a case: its intake (``from_status`` empty) or a transition."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))  # a username, or "cli", "api:<key>" …
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
