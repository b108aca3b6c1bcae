"""Survey rounds (questionnaire version x period x dates x districts) and invitations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow
from surveyapp.models.questionnaire import QuestionnaireVersion


class Round(Base):
    __tablename__ = "survey_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id"), index=True
    )
    period: Mapped[str] = mapped_column(String(16), index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open")
    require_token: Mapped[bool] = mapped_column(Boolean, default=False)
    # Marked by an admin as a parallel sample: it may run beside another open or scheduled
    # round of the same sector, period and districts, and is shown beside it, not instead.
    parallel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Archived (a round made by mistake that has responses): kept, but hidden from the
    # dashboards, the API's indices and the bulletins.  An archived round is closed.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Per-round salt for device and fingerprint hashes: hashes cannot be linked across rounds.
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Population totals to weight this round to ({variable: {category: total}}), uploaded
    # by an admin as a margins CSV (analysis contract); NULL: the configured default.
    margins: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # District auxiliaries for the small-area estimates ({district: {covariate: value}}),
    # uploaded by an admin as a CSV (small-area spec); NULL: no model-based estimates.
    auxiliaries: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # When the retention rule cleared the device and fingerprint hashes of this closed
    # round (the one-response rule needs them only while the round is open).
    hashes_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship(lazy="joined")

    @property
    def open_until(self) -> datetime:
        """The last instant answers are taken (``closes_at`` is the first one they are
        not): what a person reads as "open until 2026年12月31日 23:59"."""
        return self.closes_at - timedelta(microseconds=1)

    def state(self, now: datetime) -> str:
        """``open``, ``closed`` or ``not_open`` at ``now``."""
        return round_state(self.status, self.opens_at, self.closes_at, now)


def round_state(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """``open``, ``closed`` or ``not_open`` at ``now``: the one rule, for a loaded round
    and for the submission path's snapshot of one."""
    if status == "closed" or now >= closes_at:
        return "closed"
    if now < opens_at:
        return "not_open"
    return "open"


class Invitation(Base):
    """A single-use invitation; only the token's SHA-256 is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
