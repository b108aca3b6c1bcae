"""The provider registry (市场主体): providers, their sectors and practitioners.

A provider is a market entity identified by exactly one of its unified social credit
code (统一社会信用代码) or, for an individual business without one (个体户), its
registration number; both are unique.  Its sectors (codes of :mod:`surveyapp.sectors`)
are rows of ``provider_sector``, so "the providers of a sector" is an indexed join on
SQLite and PostgreSQL alike.  Coordinates are WGS-84 (a file in GCJ-02 is converted on
import, :mod:`surveyapp.providers.coords`).

Ratings of providers are their own aggregate (:mod:`surveyapp.models.provider_rating`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.sectors import sorted_sectors

#: A provider's states: ``open`` (trading) or ``closed``.
PROVIDER_STATUSES = ("open", "closed")
#: A practitioner's states: ``active`` (works for the provider) or ``left``.
PRACTITIONER_STATUSES = ("active", "left")


class Provider(Base):
    __tablename__ = "provider"
    __table_args__ = (
        CheckConstraint(
            "(credit_code IS NULL) <> (registration_no IS NULL)", name="one_identifier"
        ),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 统一社会信用代码: 18 characters, check character per GB 32100-2015
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    # 注册号 of an individual business without a credit code
    registration_no: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # WGS-84 degrees; both or neither
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    # e.g. ["便利店", "早餐店"], for the 15-minute service circle
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # China days the registry recorded it open (first import or reopening) and closed
    opened_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A duplicate merged into another provider (closed; its ratings moved there)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id"), nullable=True, index=True
    )

    sector_rows: Mapped[list[ProviderSector]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def key(self) -> str:
        """The provider's public id: its credit code, else its registration number."""
        return self.credit_code or self.registration_no or ""

    @property
    def sectors(self) -> list[str]:
        """Sector codes in the catalogue's order."""
        return sorted_sectors(row.sector for row in self.sector_rows)

    @sectors.setter
    def sectors(self, codes: list[str]) -> None:
        kept = {row.sector: row for row in self.sector_rows}
        self.sector_rows = [kept.get(code) or ProviderSector(sector=code) for code in codes]

    def __repr__(self) -> str:
        return f"<Provider {self.key} {self.name}>"


class ProviderSector(Base):
    """One sector of a provider (a provider may be in several)."""

    __tablename__ = "provider_sector"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    provider: Mapped[Provider] = relationship(back_populates="sector_rows")


class Practitioner(Base):
    """从业人员 of a domestic-service or elderly-care provider.  Only what is needed:
    no phone or ID number is stored."""

    __tablename__ = "practitioner"
    __table_args__ = (CheckConstraint("status IN ('active', 'left')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    # 持证上门: the number of the practitioner's certificate
    certificate_no: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()

    def __repr__(self) -> str:
        return f"<Practitioner {self.id} of provider {self.provider_id}>"
