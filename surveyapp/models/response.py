"""Stored responses: one row per response, answers packed in questionnaire order.

One row per response (not per answer) keeps a submission a single INSERT and lets
a round of a million responses become numpy arrays by concatenating the packed
bytes (see :mod:`surveyapp.responses.codec`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("round_id", "device_hash"),
        # address + browser is a fraud signal, not an identity: two residents may share it
        Index("ix_response_round_fingerprint", "round_id", "fingerprint_hash"),
        Index("ix_response_round_source", "round_id", "source_hash", "submitted_at"),
        UniqueConstraint("round_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    district: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # One byte per answer id (0..254 = score, 255 = not answered).
    answers: Mapped[bytes] = mapped_column(LargeBinary)
    # One byte per respondent question (option index, 255 = not answered).
    profile: Mapped[bytes] = mapped_column(LargeBinary)
    open_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    device_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fingerprint_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The respondent id of an imported row (paper, phone): re-importing a file is refused.
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id"), nullable=True, unique=True
    )
    # Fraud signals noticed when it was stored, comma-separated codes (see
    # surveyapp.review.signals); they never exclude anything.  NULL: nothing noticed.
    flags: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The channel key an API submission came with (NULL: the survey pages, an import);
    # whether its client stamps can be trusted is the key's ``trusted_stamps``.
    channel_key_id: Mapped[int | None] = mapped_column(ForeignKey("channel_key.id"), nullable=True)
    # counted, held (its source went beyond the per-source threshold: not analysed until
    # its wave is released) or rejected (its wave was rejected)
    review: Mapped[str] = mapped_column(String(16), default="counted", server_default="counted")
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_wave.id"), nullable=True, index=True
    )
    # The source (address of the survey pages, or ``key:<id>``) and the address prefix
    # (/24, /48), as HMACs with the round's salt: for the threshold and the signals.
    source_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prefix_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The duration comes from a stamp the speeder rule may trust: the survey pages'
    # server-signed start stamp, a trusted-stamps key's client stamp, an import's file.
    stamp_trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
