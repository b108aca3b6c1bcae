"""Channel keys: what a kiosk, a mini-program back end or a call centre presents to post
responses through the JSON API (``Authorization: Bearer <key>``).

Only the key's SHA-256 is stored (``key_hash``, unique and therefore indexed): the key
is shown once when it is made.  A key names its channel (the responses it posts carry
it), may be limited to some rounds, may say that its client's ``started_at`` stamps can
be trusted, and can be revoked; it is never deleted, so a response keeps pointing at the
key it came with.  Channel keys are not the read-API tokens of accounts (``api_token``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class ChannelKey(Base):
    __tablename__ = "channel_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # kiosk, miniprogram, phone or paper: the channel of every response posted with it
    channel: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The round codes it may post to; NULL: every round.
    rounds: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # The client records when a resident started: the speeder rule may use its started_at.
    trusted_stamps: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<ChannelKey {self.id} {self.name} ({self.channel})>"
