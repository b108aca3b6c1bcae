"""Waves of responses held for review: one source (an address of the survey pages, or a
channel key) beyond the per-source threshold in one round.

The responses of a wave are stored with ``review = "held"`` and left out of every
analysis until a bureau of the round's sector (or an admin) releases the wave (its
responses become ``counted``) or rejects it (``rejected``): one audited action for the
whole wave.  ``source_hash`` is the source's HMAC with the round's salt (no raw address).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow

#: The review states of a response and of a wave.
COUNTED, HELD, RELEASED, REJECTED = "counted", "held", "released", "rejected"


class ReviewWave(Base):
    __tablename__ = "review_wave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"), index=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    # What a reviewer is shown of the source: "地址 …1a2b / address …1a2b" or the key's name.
    source_label: Mapped[str] = mapped_column(String(120))
    channel_key_id: Mapped[int | None] = mapped_column(ForeignKey("channel_key.id"), nullable=True)
    # held (waiting), released or rejected
    state: Mapped[str] = mapped_column(String(16), default=HELD)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    def __repr__(self) -> str:
        return f"<ReviewWave {self.id} round={self.round_id} {self.state}>"
