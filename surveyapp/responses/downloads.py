"""What a download of a round's responses does besides the file: who may have it, the
audit row."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select

from surveyapp.accounts.service import audit
from surveyapp.models import Response, Round, User
from surveyapp.models.base import DbSession
from surveyapp.models.review import COUNTED
from surveyapp.responses import formats

Format = Literal["csv", "xlsx", "sav"]

#: Roles that may download responses (microdata).  A bureau only for its own sectors
#: (:meth:`User.may_see_sector`).  Viewers are left out on purpose: they read the
#: dashboard's aggregates, and the need-to-know rule of PIPL (data minimisation) gives
#: individual answers only to those who analyse or act on them.
EXPORT_ROLES = ("admin", "evaluator", "bureau")
AUDIT_ACTION = "responses.export"

MIMETYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


def may_export(user: User, round_: Round) -> bool:
    """True when ``user`` may download the responses of ``round_``."""
    return user.role in EXPORT_ROLES and user.may_see_sector(round_.questionnaire_version.sector)


def record_export(
    session: DbSession, user: User, round_: Round, fmt: Format, *, ip: str | None = None
) -> None:
    """Add the audit row of a download (the caller commits), before any byte is sent:
    a download cut short is still a download of personal data."""
    audit(session, user, AUDIT_ACTION, f"round:{round_.code}", {"format": fmt}, ip=ip)


def fits_excel(session: DbSession, round_: Round) -> bool:
    """False when the round has more responses than an Excel sheet has rows: checked
    before a download starts, since a streamed file cannot be turned into an error
    page half-way."""
    count = session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.round_id == round_.id, Response.review == COUNTED)
    )
    return (count or 0) <= formats.XLSX_MAX_ROWS
