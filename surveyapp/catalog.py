"""The catalogue of questionnaire versions stored in the database.

Publishing freezes a version: its definition and content hash never change.  A file
whose content differs from every stored version of its questionnaire becomes a new
version, so responses always point at exactly the text the resident saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select

from surveyapp.models import QuestionnaireVersion
from surveyapp.models.base import DbSession, utcnow
from surveyapp.questionnaire import parse_questionnaire
from surveyapp.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class PublishOutcome:
    version: QuestionnaireVersion
    created: bool
    renumbered_from: int | None = None  # the file's version number, when it was taken


def publish_questionnaire(session: DbSession, q: Questionnaire, source: str) -> PublishOutcome:
    """Store ``q`` as a published version unless an identical one exists (idempotent)."""
    digest = q.content_hash()
    rows = session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.qid == q.id)
    ).all()
    for row in rows:
        if row.content_hash == digest:
            return PublishOutcome(row, created=False)
    taken = {row.version for row in rows}
    number = q.version if q.version not in taken else max(taken) + 1
    definition = dict(q.definition)
    definition["version"] = number
    now = utcnow()
    row = QuestionnaireVersion(
        qid=q.id,
        version=number,
        sector=q.sector,
        title_zh=q.title.zh[:200],
        title_en=q.title.en[:200],
        content_hash=digest,
        definition=definition,
        source=source,
        status="published",
        created_at=now,
        published_at=now,
    )
    session.add(row)
    session.flush()
    return PublishOutcome(
        row, created=True, renumbered_from=q.version if number != q.version else None
    )


_PARSED: dict[tuple[int, str], Questionnaire] = {}
_PARSED_MAX = 256


class VersionLike(Protocol):
    """A stored questionnaire version, or a light reference to one (its id, content hash
    and, read only when needed, its definition)."""

    @property
    def id(self) -> int: ...

    @property
    def content_hash(self) -> str: ...

    @property
    def definition(self) -> dict[str, Any]: ...


def questionnaire_of(row: VersionLike) -> Questionnaire:
    """The parsed questionnaire of a stored version, parsed once per process.

    Keyed by id *and* content hash: a version's content never changes, and the hash
    keeps two databases (or a re-created one) that reuse an id apart.
    """
    key = (row.id, row.content_hash)
    q = _PARSED.get(key)
    if q is None:
        text = json.dumps(row.definition, ensure_ascii=False)
        q = parse_questionnaire(text, source=f"questionnaire_version:{row.id}")
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = q
    return q


def latest_versions(session: DbSession) -> list[QuestionnaireVersion]:
    """The newest published version of each questionnaire, ordered by id."""
    newest = (
        select(QuestionnaireVersion.qid, func.max(QuestionnaireVersion.version).label("v"))
        .where(QuestionnaireVersion.status == "published")
        .group_by(QuestionnaireVersion.qid)
        .subquery()
    )
    stmt = (
        select(QuestionnaireVersion)
        .join(
            newest,
            (QuestionnaireVersion.qid == newest.c.qid)
            & (QuestionnaireVersion.version == newest.c.v),
        )
        .order_by(QuestionnaireVersion.qid)
    )
    return list(session.scalars(stmt))


def find_version(
    session: DbSession, qid: str, version: int | None = None
) -> QuestionnaireVersion | None:
    stmt = select(QuestionnaireVersion).where(
        QuestionnaireVersion.qid == qid, QuestionnaireVersion.status == "published"
    )
    if version is not None:
        stmt = stmt.where(QuestionnaireVersion.version == version)
    return session.scalars(stmt.order_by(QuestionnaireVersion.version.desc()).limit(1)).first()
