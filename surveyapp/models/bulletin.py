"""Published monitoring bulletins: the PDF exactly as issued, and how it was made.

A published bulletin is never changed or deleted: a correction is a new edition whose
``replaces_id`` names the edition it corrects.  ``inputs`` holds everything needed to
derive the PDF again (round ids, questionnaire versions, analysis settings, margins,
issue date, font), and ``sha256`` lets any reader check a downloaded file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, event, inspect
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow


class ImmutableBulletinError(RuntimeError):
    """Raised on an attempt to change or delete a published bulletin."""


class Bulletin(Base):
    __tablename__ = "bulletin"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[int] = mapped_column(Integer, unique=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulletin.id"), nullable=True, unique=True
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    replaces: Mapped[Bulletin | None] = relationship(
        remote_side=[id], foreign_keys=[replaces_id], lazy="joined"
    )

    def __repr__(self) -> str:
        return f"<Bulletin No.{self.edition} {self.period} {self.lang}>"


@event.listens_for(Bulletin, "before_update")
def _refuse_update(mapper, connection, target: Bulletin) -> None:
    state = inspect(target)
    if not any(state.attrs[c.key].history.has_changes() for c in mapper.column_attrs):
        return  # marked dirty without a change to any stored value
    raise ImmutableBulletinError(
        f"bulletin No.{target.edition} is published and cannot be changed; publish a correction"
    )


@event.listens_for(Bulletin, "before_delete")
def _refuse_delete(mapper, connection, target: Bulletin) -> None:
    raise ImmutableBulletinError(f"bulletin No.{target.edition} is published and cannot be deleted")
