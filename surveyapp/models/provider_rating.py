"""Residents' ratings of providers (and of their practitioners): one row per rating.

A device rates a provider (or one of its practitioners) once per sector per window:
``window_start`` is the first China day of the fixed window the rating fell in, and a
unique index on (provider or practitioner, sector, device, window) lets the database
itself refuse a second row, so a second rating in the window replaces the first (an
upsert) and never doubles it.  The sector is in the key because ratings belong to the
sector of the form used and a provider in two sectors has a score in each (spec,
section Providers): rating a supermarket's catering counter does not replace the same
device's rating of the supermarket.  The scores read ``overall`` and ``review`` only, by
a scan of the covering index ``ix_rating_provider_sector_created`` in GROUP BY order (no
table access, no sort).

A burst (one source beyond ``RATELIMIT_BURST``) is stored ``review = "held"`` in the
source's open :class:`RatingWave` of the sector and counts in no score until a bureau of
the sector (or an admin) releases the wave (``counted``) or rejects it (``rejected``).

The rating forms' published versions (``rating_form_version``) live here too: a form's
first use publishes it, a changed form (another content hash) becomes the next version,
and every rating records the ``form_id`` and ``form_version`` it was made with, so its
answer bytes are always read in that version's item order.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.models.review import COUNTED, HELD


class Rating(Base):
    """A resident's rating of a provider (or of one of its practitioners)."""

    __tablename__ = "rating"
    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall"),
        # One rating per device per provider per sector per window (of the provider itself)
        Index(
            "uq_rating_provider_device_window",
            "provider_id",
            "sector",
            "device_hash",
            "window_start",
            unique=True,
            sqlite_where=text("practitioner_id IS NULL"),
            postgresql_where=text("practitioner_id IS NULL"),
        ),
        # ... and per device per practitioner per sector per window
        Index(
            "uq_rating_practitioner_device_window",
            "practitioner_id",
            "sector",
            "device_hash",
            "window_start",
            unique=True,
            sqlite_where=text("practitioner_id IS NOT NULL"),
            postgresql_where=text("practitioner_id IS NOT NULL"),
        ),
        # The scores' aggregate per provider and sector over a window: a covering index in
        # GROUP BY order (1,000,000 ratings on SQLite: 0.8 s, against 9 s by provider_id);
        # ``review`` in it so that held ratings are left out without reading the table
        Index(
            "ix_rating_provider_sector_created",
            "provider_id",
            "sector",
            "created_at",
            "overall",
            "review",
        ),
        # the held ratings of a wave
        Index("ix_rating_wave", "wave_id"),
        # A source's recent ratings, for the burst signal
        Index("ix_rating_source_created", "source_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioner.id"), nullable=True
    )
    # The sector of the rating form used: a provider in two sectors has a score in each
    sector: Mapped[str] = mapped_column(String(32))
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column(Integer)
    # One byte per item in the form version's order (1..5 stars, 255 = not answered)
    answers: Mapped[bytes] = mapped_column(LargeBinary)
    # The form's ``overall`` item, 1..5 stars (4 or 5: satisfied)
    overall: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    # HMAC of the rating device's cookie; NULL (a kiosk) is never matched to another
    device_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # First China day of the fixed window the rating fell in (one per device per window)
    window_start: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # web (the rating page) or a channel key's channel (kiosk, miniprogram, ...)
    channel: Mapped[str] = mapped_column(String(16), default="web", server_default="web")
    channel_key_id: Mapped[int | None] = mapped_column(ForeignKey("channel_key.id"), nullable=True)
    # HMAC of the source (address or channel key) and the burst / stamp signals
    source_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    flags: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # counted (in the scores), held (a burst waiting for review) or rejected
    review: Mapped[str] = mapped_column(String(16), default=COUNTED, server_default=COUNTED)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("rating_wave.id"), nullable=True)
    # How many times the device replaced this rating in its window (0: never).  Also how
    # one upsert statement tells a new row from a replaced one on SQLite, whose
    # RETURNING shows no trace of the conflict (surveyapp.ratings.submit)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<Rating {self.id} provider {self.provider_id} {self.overall}★>"


class RatingWave(Base):
    """Ratings of one source held in one sector: beyond the per-source burst threshold,
    stored ``held`` until a bureau of the sector (or an admin) releases or rejects them
    all in one audited action.  ``source_hash`` is the source's HMAC (no raw address)."""

    __tablename__ = "rating_wave"
    __table_args__ = (Index("ix_rating_wave_sector_state", "sector", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sector: Mapped[str] = mapped_column(String(32))
    source_hash: Mapped[str] = mapped_column(String(64))
    # what a reviewer sees of the source: the web or the channel key's name
    source_label: Mapped[str] = mapped_column(String(120))
    channel_key_id: Mapped[int | None] = mapped_column(ForeignKey("channel_key.id"), nullable=True)
    # held (waiting), released or rejected
    state: Mapped[str] = mapped_column(String(16), default=HELD)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )

    def __repr__(self) -> str:
        return f"<RatingWave {self.id} {self.sector} {self.state}>"


class RatingFormVersion(Base):
    """A published version of a sector's rating form (``questionnaires/ratings/``)."""

    __tablename__ = "rating_form_version"
    __table_args__ = (
        UniqueConstraint("form_id", "version", name="uq_rating_form_version_form_version"),
        UniqueConstraint("form_id", "content_hash", name="uq_rating_form_version_form_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str] = mapped_column(String(32), index=True)
    # SHA-256 of the form's canonical JSON (comments and layout of the YAML do not count)
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<RatingFormVersion {self.form_id} v{self.version}>"
