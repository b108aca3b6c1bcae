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
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.models.provider import Provider

#: received → accepted | not_accepted; accepted → mediation; mediation → closed
COMPLAINT_STATUSES = ("received", "accepted", "not_accepted", "mediation", "closed")
#: How a closed case ended: settled, not settled, ended (终止: withdrawn, unreachable …)
COMPLAINT_OUTCOMES = ("和解成功", "未达成和解", "终止")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _once_set(name: str, column: str, *columns: str) -> Index:
    """An index on ``columns`` of the complaints whose ``column`` is set: a new complaint
    (received, not yet accepted, closed or assigned) writes no entry in it, one b-tree
    fewer inside SQLite's write lock each (migration 0028).  Every query it serves compares
    ``column`` (a day range, ``= handler``), which SQLite and PostgreSQL both take as
    implying ``IS NOT NULL``."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Complaint(Base):
    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint(_in("status", COMPLAINT_STATUSES), name="status"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', COMPLAINT_OUTCOMES)}", name="outcome"),
        # the overdue and due-soon queries: open cases of a state by the day they count from
        Index("ix_complaint_status_received_at", "status", "received_at"),
        _once_set("ix_complaint_status_accepted_at", "accepted_at", "status", "accepted_at"),
        # the counts by day received, accepted, closed (bulletin, dashboard, publicity):
        # every column they read, so that they read the index only (migration 0021)
        Index("ix_complaint_received_counts", "received_at", "sector", "category", "created_at"),
        _once_set(
            "ix_complaint_accepted_counts", "accepted_at", "accepted_at", "sector", "created_at"
        ),
        _once_set(
            "ix_complaint_closed_counts",
            "closed_at",
            "closed_at",
            "status",
            "outcome",
            "sector",
            "provider_id",
            "category",
            "accepted_at",
            "created_at",
        ),
        # the cases of a handler (and the SET NULL when an account goes)
        _once_set("ix_complaint_handler_id", "handler_id", "handler_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The source's own number (a hotline's 工单号); none for the web form
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # SHA-256 (hex) of the receipt code the complainant was given
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    # its range and order are read on ix_complaint_received_counts (no index of its own)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id"), nullable=True, index=True
    )
    # The provider as the complainant named it, for staff to match to the registry
    provider_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # no index of its own: with a handful of sectors it only ever led SQLite astray (the
    # whole sector read and sorted for the newest cases); the day indexes lead (0028)
    sector: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)  # yuan
    complainant_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    complainant_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="received")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the case ended: closed with an outcome, or not accepted
    # read on ix_complaint_closed_counts (no index of its own: migration 0026)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Why it was not accepted, or how it was closed
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    pii_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The bureau account handling the case (the only one shown the complainant's contact)
    handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )

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


class ComplaintExplanation(Base):
    """A provider's explanation (经营者说明) of its publicity line for a month.

    Recorded by the bureau as the provider gave it; a newer row for the same provider
    and month supersedes an older one (both kept).  Shown on the web under
    post-moderation (unless rejected), printed in an edition only once approved
    (moderation kind ``explanation``, keyed by ``text_key``)."""

    __tablename__ = "complaint_explanation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # 2026-10
    text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImmutablePublicationError(RuntimeError):
    """Raised on an attempt to change or delete a published edition or warning."""


class PublicityEdition(Base):
    """A published month of complaint publicity: the PDF and the CSV exactly as issued.

    Never changed or deleted; a correction is a new edition naming the one it replaces
    (``replaces_id``), as for bulletins."""

    __tablename__ = "complaint_publicity_edition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[int] = mapped_column(Integer, unique=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    csv: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    csv_sha256: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_publicity_edition.id"), nullable=True, unique=True
    )
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: What a consumer warning is about
WARNING_SCOPES = ("provider", "category")


class ConsumerWarning(Base):
    """A consumer warning (消费警示) a bureau published: immutable once stored."""

    __tablename__ = "consumer_warning"
    __table_args__ = (CheckConstraint(_in("scope", WARNING_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    sector: Mapped[str | None] = mapped_column(String(32), nullable=True)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(64))  # the publishing account
    issuer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    provider: Mapped[Provider | None] = relationship()


def _refuse_update(mapper, connection, target) -> None:
    state = inspect(target)
    if any(state.attrs[c.key].history.has_changes() for c in mapper.column_attrs):
        raise ImmutablePublicationError(f"{target.__tablename__} {target.id} is published")


def _refuse_delete(mapper, connection, target) -> None:
    raise ImmutablePublicationError(f"{target.__tablename__} {target.id} cannot be deleted")


for _model in (PublicityEdition, ConsumerWarning):
    event.listen(_model, "before_update", _refuse_update)
    event.listen(_model, "before_delete", _refuse_delete)
