"""What the bureau's pages do with a case and the publications around complaints.

- masking: a complainant's name and phone as everyone but the case's handler sees them;
- :func:`assign_handler`: the bureau account handling a case (history + audit);
- :func:`add_explanation` / :func:`explanations`: a provider's explanation (经营者说明)
  of its publicity line, moderated as kind ``explanation``: shown on the web unless
  rejected (post-moderation), printed in an edition only once approved;
  :func:`explain_own_line`: the same entered by the provider's own account;
- :func:`store_publicity_edition`: a month's publicity PDF and CSV archived immutably
  with the bulletins' correction rule (a period published again names the edition it
  replaces, each edition is replaced at most once);
- :func:`publish_warning`: a consumer warning (消费警示), immutable once stored.

Every write is audited with its actor; the caller commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from reports.complaints_publicity import render_complaints_publicity
from surveyapp.accounts.service import audit
from surveyapp.complaints.matching import note_step
from surveyapp.complaints.publicity import publicity, publicity_csv
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.complaints.states import actor_name
from surveyapp.models import Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import (
    WARNING_SCOPES,
    Complaint,
    ComplaintExplanation,
    ConsumerWarning,
    PublicityEdition,
)
from surveyapp.moderation import review, text_key
from surveyapp.publications import PublicationError
from surveyapp.workdays import WorkCalendar

__all__ = [
    "ExplanationRefused",
    "ShownExplanation",
    "calendar_missing",
    "add_explanation",
    "assign_handler",
    "explain_own_line",
    "explanations",
    "own_explanation",
    "list_editions",
    "list_warnings",
    "mask_name",
    "mask_phone",
    "publicity_files",
    "publish_warning",
    "store_publicity_edition",
]

MAX_EXPLANATION = 1000
MAX_WARNING_TITLE = 200
MAX_WARNING_BODY = 4000


def mask_name(name: str | None) -> str:
    """``张三丰`` → ``张**``: the first character only."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; a short number keeps its last two digits."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def calendar_missing(calendar: WorkCalendar, today: date) -> int | None:
    """Next year, from November (when the State Council publishes its holiday
    arrangement) until its calendar file is loaded; else ``None``."""
    if today.month >= 11 and (calendar.last_year or 0) < today.year + 1:
        return today.year + 1
    return None


def assign_handler(
    session: DbSession, complaint: Complaint, handler: User, actor: User | str
) -> None:
    """Make ``handler`` (a bureau account of the case's sector, or staff) the case's
    handler; a history event (state unchanged) and an audit row."""
    if handler.role == "viewer" or not handler.may_see_sector(complaint.sector):
        raise ValueError(f"{handler.username} cannot handle a {complaint.sector} case")
    complaint.handler_id = handler.id
    note_step(session, complaint, actor, f"handler: {handler.username}", "complaint.assign",
              {"handler": handler.username})  # fmt: skip


def add_explanation(
    session: DbSession, provider: Provider, period: str, text: str, actor: User | str
) -> ComplaintExplanation:
    """Record ``provider``'s explanation of its line for ``period`` (2026-10)."""
    text = " ".join(text.split())
    if not text:
        raise ValueError("the explanation is empty")
    if len(text) > MAX_EXPLANATION:
        raise ValueError(f"the explanation is longer than {MAX_EXPLANATION} characters")
    row = ComplaintExplanation(
        provider_id=provider.id, period=period, text=text, added_by=actor_name(actor)[:64]
    )
    session.add(row)
    session.flush()
    audit(session, actor, "complaint.explanation", f"provider:{provider.key}",
          {"period": period, "explanation": row.id})  # fmt: skip
    return row


class ExplanationRefused(ValueError):
    """A provider account may not explain this line; the message says why."""


def explain_own_line(
    session: DbSession,
    actor: User,
    provider: Provider,
    period: str,
    text: str,
    settings: ComplaintSettings,
) -> ComplaintExplanation:
    """The provider's own account explains its publicity line of ``period`` (2026-10).

    Only the account of that provider, and only a line the month's publicity has (a
    provider explains what is published about it); the text is kept as written and
    shown under the publication rule (:func:`explanations`).  Audited; the caller
    commits."""
    if actor.role != "provider" or actor.provider_id != provider.id:
        raise ExplanationRefused(f"{actor.username} is not an account of provider {provider.key}")
    if not publicity(session, period, settings, provider_id=provider.id).lines:
        raise ExplanationRefused(f"provider {provider.key} has no publicity line in {period}")
    return add_explanation(session, provider, period, text, actor)


def own_explanation(session: DbSession, provider: Provider, period: str) -> ShownExplanation | None:
    """The provider's latest explanation of ``period`` with its moderation status."""
    return explanations(session, period, provider_id=provider.id).get(provider.key)


@dataclass(frozen=True)
class ShownExplanation:
    id: int
    key: str  # the moderation key
    text: str  # the publishable form (masked, links and contacts removed)
    status: str  # pending, approved, rejected


def explanations(
    session: DbSession, period: str, provider_id: int | None = None
) -> dict[str, ShownExplanation]:
    """Provider key → its latest explanation for ``period`` with its moderation status
    (of one provider only with ``provider_id``)."""
    query = (
        select(ComplaintExplanation, Provider)
        .join(Provider, Provider.id == ComplaintExplanation.provider_id)
        .where(ComplaintExplanation.period == period)
        .order_by(ComplaintExplanation.id)
    )
    if provider_id is not None:
        query = query.where(ComplaintExplanation.provider_id == provider_id)
    rows = session.execute(query).all()
    latest = {provider.key: row for row, provider in rows}
    entries = {
        e.key: e for e in review(session, "explanation", {r.text: 1 for r in latest.values()})
    }
    out = {}
    for key, row in latest.items():
        entry = entries[text_key(row.text)]
        out[key] = ShownExplanation(row.id, entry.key, entry.text, entry.status)
    return out


def publicity_files(
    session: DbSession, period: str, settings: ComplaintSettings, lang: str, issued: date
) -> tuple[bytes, bytes, dict[str, Any]]:
    """A month's publicity as an edition's PDF (with the approved explanations only),
    CSV and the inputs it was made from."""
    pub = publicity(session, period, settings)
    approved = {
        k: e.text for k, e in explanations(session, period).items() if e.status == "approved"
    }
    pdf = render_complaints_publicity(
        pub.lines,
        first=pub.first,
        last=pub.last,
        categories=pub.categories,
        outcomes=pub.outcomes,
        issued=issued,
        unmatched=pub.unmatched,
        explanations=approved,
        lang=lang,
    )
    inputs = {
        "period": period,
        "issued": issued.isoformat(),
        "outcomes": list(pub.outcomes),
        "categories": list(pub.categories),
        "explanations": sorted(approved),
    }
    return pdf, publicity_csv(pub), inputs


def list_editions(session: DbSession, period: str | None = None) -> list[PublicityEdition]:
    query = select(PublicityEdition).order_by(PublicityEdition.edition.desc())
    if period is not None:
        query = query.where(PublicityEdition.period == period)
    return list(session.scalars(query))


def store_publicity_edition(
    session: DbSession,
    *,
    period: str,
    lang: str,
    pdf: bytes,
    csv: bytes,
    inputs: dict[str, Any],
    actor: User | str,
    replaces: int | None = None,
    now: datetime | None = None,
) -> PublicityEdition:
    """Archive a month's publicity as issued; a period published before is only
    published again as a correction naming the edition it replaces."""
    now = now or utcnow()
    latest = session.scalars(
        select(PublicityEdition)
        .where(PublicityEdition.period == period, PublicityEdition.lang == lang)
        .order_by(PublicityEdition.edition.desc())
        .limit(1)
    ).first()
    replaced = None
    if replaces is None and latest is not None:
        raise PublicationError(
            f"period {period} already has edition {latest.edition}; publishing again is a "
            f"correction: name the edition it replaces ({latest.edition})"
        )
    if replaces is not None:
        replaced = session.scalars(
            select(PublicityEdition).where(PublicityEdition.edition == replaces)
        ).first()
        if replaced is None or replaced.period != period or replaced.lang != lang:
            raise PublicationError(f"edition {replaces} is not a {period} {lang} edition")
        if session.scalar(
            select(PublicityEdition.id).where(PublicityEdition.replaces_id == replaced.id)
        ):
            raise PublicationError(f"edition {replaces} was already replaced")
    number = (session.scalar(select(func.max(PublicityEdition.edition))) or 0) + 1
    edition = PublicityEdition(
        edition=number,
        period=period,
        lang=lang,
        pdf=pdf,
        csv=csv,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        csv_sha256=hashlib.sha256(csv).hexdigest(),
        inputs=inputs,
        replaces_id=replaced.id if replaced is not None else None,
        published_by=actor_name(actor)[:64],
        published_at=now,
    )
    session.add(edition)
    session.flush()
    audit(session, actor, "complaint_publicity.publish", f"complaint_publicity:{number}",
          {"period": period, "lang": lang, "pdf_sha256": edition.pdf_sha256,
           "csv_sha256": edition.csv_sha256,
           "replaces_edition": replaces}, at=now)  # fmt: skip
    return edition


def publish_warning(
    session: DbSession,
    *,
    scope: str,
    title: str,
    body: str,
    actor: User,
    provider: Provider | None = None,
    sector: str | None = None,
    category: str | None = None,
    now: datetime | None = None,
) -> ConsumerWarning:
    """Publish a consumer warning about ``provider`` or a ``category`` (of a sector)."""
    title, body = " ".join(title.split()), body.strip()
    if scope not in WARNING_SCOPES:
        raise ValueError(f"scope {scope!r}: choose {', '.join(WARNING_SCOPES)}")
    if scope == "provider" and provider is None:
        raise ValueError("a warning about a provider names the provider")
    if scope == "category" and not category:
        raise ValueError("a warning about a category names the category")
    if not title or not body:
        raise ValueError("a warning needs a title and a text")
    if len(title) > MAX_WARNING_TITLE or len(body) > MAX_WARNING_BODY:
        raise ValueError("the warning is too long")
    if sector and not actor.may_see_sector(sector):
        raise ValueError(f"{actor.username} cannot warn about sector {sector}")
    if actor.role == "bureau":  # a bureau warns within its own sectors only
        sectors = list(provider.sectors or []) if provider is not None else [sector or ""]
        if not any(actor.may_see_sector(s) for s in sectors):
            raise ValueError(f"{actor.username} cannot warn outside its sectors")
    warning = ConsumerWarning(
        scope=scope,
        provider_id=provider.id if provider is not None else None,
        sector=sector or None,
        category=category if scope == "category" else None,
        title=title,
        body=body,
        issuer=actor.username[:64],
        issuer_id=actor.id,
        published_at=now or utcnow(),
    )
    session.add(warning)
    session.flush()
    audit(session, actor, "complaint.warning", f"consumer_warning:{warning.id}",
          {"scope": scope, "title": title}, at=warning.published_at)  # fmt: skip
    return warning


def list_warnings(session: DbSession) -> list[ConsumerWarning]:
    return list(
        session.scalars(
            select(ConsumerWarning).order_by(
                ConsumerWarning.published_at.desc(), ConsumerWarning.id.desc()
            )
        )
    )
