"""The questionnaire editor's operations: read an upload, check, publish, list versions.

Plain functions on a session and plain values, so the views stay thin and the CLI or
a test can call the same code.  Nothing here commits: the caller decides what one
transaction is.  Refusals carry a message key (translated at the edge, in the view)
and the values the message needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import yaml
from sqlalchemy import select

from surveyapp.accounts.service import audit
from surveyapp.catalog import PublishOutcome, find_version, publish_questionnaire
from surveyapp.models import QuestionnaireVersion
from surveyapp.models.base import DbSession
from surveyapp.models.user import User
from surveyapp.questionnaire.loader import (
    QuestionnaireError,
    parse_questionnaire,
    questionnaire_errors,
)
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.xlsform import Conversion, convert_xlsform
from surveyapp.uploads import ZIP, NotText, upload_text

#: Largest accepted upload.  A questionnaire is a few KB of YAML and an XLSForm a few
#: tens of KB; the limit keeps a wrong file (a photo, a data export) out of memory.
MAX_UPLOAD_BYTES = 256 * 1024


class UploadRefused(ValueError):
    """An uploaded file that is not used; ``code`` is a message key, ``params`` its values."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a text: the questionnaire, or every problem found."""

    text: str
    questionnaire: Questionnaire | None
    errors: list[QuestionnaireError] = field(default_factory=list)

    @property
    def error_lines(self) -> frozenset[int]:
        return frozenset(e.line for e in self.errors if e.line is not None)


def _limit(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefused("too_large", size=size // 1024 + 1, limit=MAX_UPLOAD_BYTES // 1024)


def _check_size(data: bytes) -> None:
    _limit(len(data))
    if not data.strip():
        raise UploadRefused("empty")


def read_typed_text(text: str) -> str:
    """The text box's YAML with LF line ends, held to the same size limit as a file."""
    _limit(len(text.encode("utf-8")))
    return normalise_newlines(text)


def read_yaml_upload(data: bytes) -> str:
    """The text of an uploaded questionnaire file: UTF-8 (a BOM allowed), not binary.

    A spreadsheet is refused with a pointer to the XLSForm import, which is what its
    sender most likely wanted.
    """
    _check_size(data)
    try:
        text = upload_text(data)
    except NotText as exc:
        if exc.kind == "zip":
            raise UploadRefused("spreadsheet") from None
        if exc.kind == "not_utf8":
            raise UploadRefused("not_utf8", line=exc.line) from None
        raise UploadRefused("binary") from None
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    """Browsers send a textarea with CRLF line ends; store and number lines with LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_xlsform_upload(data: bytes, filename: str, sector: str | None) -> Conversion:
    """Convert an uploaded XLSForm; raises :class:`UploadRefused` or ``XLSFormError``."""
    _check_size(data)
    if not data.startswith(ZIP):
        raise UploadRefused("not_xlsx")
    return convert_xlsform(data, source=filename, sector=sector or None)


def check_source(text: str) -> Checked:
    """Validate ``text`` with the questionnaire loader; every problem, with its line."""
    errors = questionnaire_errors(text, source="")
    if errors:
        return Checked(text, None, errors)
    return Checked(text, parse_questionnaire(text, source=""))


def publish_source(
    session: DbSession, text: str, actor: User | str, ip: str | None = None
) -> PublishOutcome:
    """Freeze ``text`` as a questionnaire version (unless identical content is stored).

    Raises :class:`QuestionnaireError` for an invalid text.  A new version is written
    to the audit log; publishing the same content again creates nothing and logs
    nothing, since nothing changed.
    """
    questionnaire = parse_questionnaire(text, source="")
    outcome = publish_questionnaire(session, questionnaire, text)
    if outcome.created:
        row = outcome.version
        audit(
            session,
            actor,
            "questionnaire.publish",
            target=f"{row.qid} v{row.version}",
            details={
                "content_hash": row.content_hash,
                "renumbered_from": outcome.renumbered_from,
            },
            ip=ip,
        )
    return outcome


def list_versions(session: DbSession) -> list[tuple[str, list[QuestionnaireVersion]]]:
    """Every questionnaire with its published versions, newest version first."""
    rows = session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.status == "published")
        .order_by(QuestionnaireVersion.qid, QuestionnaireVersion.version.desc())
    )
    return [(qid, list(versions)) for qid, versions in groupby(rows, key=lambda r: r.qid)]


def version_source(row: QuestionnaireVersion) -> str:
    """The YAML a version was published from (its normalised definition if none kept)."""
    if row.source:
        return row.source
    return yaml.safe_dump(row.definition, allow_unicode=True, sort_keys=False)


def latest_source(session: DbSession, qid: str) -> tuple[QuestionnaireVersion, str] | None:
    """The newest version of ``qid`` and its YAML, the starting point of an edit."""
    row = find_version(session, qid)
    if row is None:
        return None
    return row, version_source(row)


#: The starting text of a new questionnaire: the smallest valid file, with the keys
#: an editor fills in next.
NEW_QUESTIONNAIRE = """\
id: new_questionnaire
version: 1
sector: catering
title: {zh: 新问卷, en: New questionnaire}
scale:
  min: 1
  max: 5
  labels:
    zh: [非常不满意, 不满意, 一般, 满意, 非常满意]
    en: [Very dissatisfied, Dissatisfied, Neutral, Satisfied, Very satisfied]
overall:
  id: overall
  text: {zh: 总体而言，您满意吗？, en: "Overall, how satisfied are you?"}
dimensions:
  - id: service
    title: {zh: 服务, en: Service}
    weight: 1
    items:
      - id: svc_attitude
        text: {zh: 服务态度, en: Attitude of staff}
"""
