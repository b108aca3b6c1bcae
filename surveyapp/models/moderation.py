"""Moderation decisions: may a free text a person wrote be published?

One row per distinct text (``text_key``: SHA-256 of the text with its whitespace
collapsed) and kind of text (``suggestion`` now; provider comments and replies and
operators' explanations later).  A text without a row is *pending*: nothing issued in
the bureau's name prints it.  ``text`` keeps what an evaluator saw and approved — the
publishable form, masked and without links or contact details, never the raw answer.
A decision can be changed; every decision and change is in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class ModerationDecision(Base):
    __tablename__ = "moderation_decision"
    __table_args__ = (UniqueConstraint("kind", "text_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What sort of text: "suggestion" (a resident's answer to an open question)
    kind: Mapped[str] = mapped_column(String(32))
    text_key: Mapped[str] = mapped_column(String(64))
    # The publishable text the decision was made on (masked, links and contacts removed)
    text: Mapped[str] = mapped_column(Text)
    # "approved" or "rejected"
    status: Mapped[str] = mapped_column(String(16))
    # Why it was rejected (required then); NULL for an approval
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Where the text was reviewed, e.g. "round:catering-2026q4"
    scope: Mapped[str | None] = mapped_column(String(120), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ModerationDecision {self.kind} {self.text_key[:12]} {self.status}>"
