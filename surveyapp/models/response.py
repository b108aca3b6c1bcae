"""Stored responses: one row per response, answers packed in questionnaire order.

One row per response (not per answer) keeps a submission a single INSERT and lets
a round of a million responses become numpy arrays by concatenating the packed
bytes (see :mod:`surveyapp.responses.codec`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("round_id", "device_hash"),
        UniqueConstraint("round_id", "fingerprint_hash"),
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
    # Why a stored response deserves a second look, comma-separated codes ("burst": its
    # address sent many in a short time); NULL when nothing was noticed.
    flags: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The channel key an API submission came with (NULL: the survey pages, an import);
    # whether its client stamps can be trusted is the key's ``trusted_stamps``.
    channel_key_id: Mapped[int | None] = mapped_column(ForeignKey("channel_key.id"), nullable=True)
