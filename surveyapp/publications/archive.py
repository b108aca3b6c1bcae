"""The edition archive: numbering, the correction rule, storing with SHA-256 and audit."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from surveyapp.accounts.service import audit
from surveyapp.models.base import DbSession
from surveyapp.models.bulletin import Bulletin
from surveyapp.models.user import User

__all__ = [
    "PublicationError",
    "check_correction",
    "latest_edition",
    "list_editions",
    "next_edition",
    "page_count",
    "replaced_by",
    "store_edition",
]


class PublicationError(ValueError):
    """An edition cannot be published as asked; the message says why (one line)."""


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def latest_edition(session: DbSession, period: str, lang: str) -> Bulletin | None:
    """The newest edition of ``period`` in ``lang``."""
    stmt = (
        select(Bulletin)
        .where(Bulletin.period == period, Bulletin.lang == lang)
        .order_by(Bulletin.edition.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def check_correction(
    session: DbSession, period: str, lang: str, replaces: int | None
) -> Bulletin | None:
    """The edition a new publication of ``period`` replaces (``None``: a first one).

    A period that already has an edition is only published again as a correction
    naming the edition it replaces; an edition is replaced at most once.  Raises
    :class:`PublicationError` otherwise.
    """
    latest = latest_edition(session, period, lang)
    if replaces is None:
        if latest is not None:
            raise PublicationError(
                f"period {period} already has edition {latest.edition}; publishing again is a "
                f"correction: name the edition it replaces (--replaces {latest.edition})"
            )
        return None
    replaced = session.scalars(select(Bulletin).where(Bulletin.edition == replaces)).first()
    if replaced is None:
        raise PublicationError(f"there is no edition {replaces} to replace")
    if replaced.period != period or replaced.lang != lang:
        raise PublicationError(
            f"edition {replaces} is the {replaced.period} {replaced.lang} bulletin, "
            f"not {period} {lang}"
        )
    successor = session.scalars(select(Bulletin).where(Bulletin.replaces_id == replaced.id)).first()
    if successor is not None:
        raise PublicationError(
            f"edition {replaces} was already replaced by edition {successor.edition}; "
            "correct that one instead"
        )
    return replaced


def next_edition(session: DbSession) -> int:
    """Editions are numbered across periods and languages, never reused."""
    return (session.scalar(select(func.max(Bulletin.edition))) or 0) + 1


def store_edition(
    session: DbSession,
    *,
    edition: int,
    period: str,
    lang: str,
    title: str,
    sectors: Sequence[str],
    pdf: bytes,
    inputs: dict[str, Any],
    replaces: Bulletin | None,
    now: datetime,
    actor: User | str,
    ip: str | None = None,
) -> Bulletin:
    """Archive a rendered edition with its SHA-256, size, pages and inputs, and audit it
    (``bulletin.publish`` by ``actor``); flushed, the caller commits."""
    bulletin = Bulletin(
        edition=edition,
        period=period,
        lang=lang,
        title=title[:200],
        sectors=list(sectors),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        pages=page_count(pdf),
        inputs=inputs,
        replaces_id=replaces.id if replaces is not None else None,
        published_at=now,
    )
    session.add(bulletin)
    session.flush()
    audit(
        session,
        actor,
        "bulletin.publish",
        f"bulletin:{edition}",
        {
            "period": period,
            "lang": lang,
            "sectors": bulletin.sectors,
            "sha256": bulletin.sha256,
            "replaces_edition": replaces.edition if replaces is not None else None,
        },
        ip=ip,
        at=now,
    )
    return bulletin


def list_editions(session: DbSession) -> list[Bulletin]:
    """Every published edition, newest first."""
    return list(session.scalars(select(Bulletin).order_by(Bulletin.edition.desc())))


def replaced_by(editions: Iterable[Bulletin]) -> dict[int, Bulletin]:
    """Edition id → the edition that corrects it."""
    return {b.replaces_id: b for b in editions if b.replaces_id is not None}
