"""Residential communities (小区/社区) of the 15-minute service circle, stored in the app.

The facilities of the circle are the providers of the registry (open, with coordinates
and service types: :mod:`surveyapp.models.provider`); the communities are their own
table, loaded from the communities file (``surveyapp circle communities import`` or the
bureaus' upload page).  An import replaces the whole set in one transaction, so the
stored communities are always one file's rows; ``imported_at`` tells the coverage cache
(:mod:`surveyapp.circle.stored`) that they changed.  Coordinates are WGS-84 (a file in
GCJ-02 is converted on import).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class CircleCommunity(Base):
    __tablename__ = "circle_community"
    __table_args__ = (
        UniqueConstraint("district", "name"),
        CheckConstraint("population >= 0", name="population"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(64), index=True)
    population: Mapped[int] = mapped_column(BigInteger)
    # WGS-84 degrees
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # the row of the imported file (header = 1), so a problem can be traced to it
    source_row: Mapped[int] = mapped_column(Integer)
    # the file it came from (its name as uploaded) and when
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CircleCommunity {self.district} {self.name}>"
