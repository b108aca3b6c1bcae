"""Comments on providers' ratings, as the public pages show them; hiding and replies.

A comment is the optional text of a :class:`~surveyapp.models.provider_rating.Rating`.
The publication rule of the moderation service applies: on the web a comment (and a
provider's reply) is shown at once but only in its publishable form
(:func:`surveyapp.moderation.publishable`: phone, ID numbers and e-mail addresses masked,
links and contact details removed) — post-moderation; nothing here prints a comment in a
PDF or other publication, which would need an approval (:mod:`surveyapp.moderation`).

- :func:`recent_comments` — a provider's latest visible comments with their replies,
  already in publishable form, and how many were hidden;
- :func:`hide_comment` — a sector bureau hides a comment of its own sectors, with a
  reason (audited; the rating and its text stay stored, never deleted);
- :func:`reply_to_comment` — the provider's own account answers a comment, once.

A provider account can do nothing else to ratings: no function here (or anywhere)
changes or removes a rating for it.  Each function takes the session and the actor and
leaves the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select

from surveyapp.accounts.service import audit
from surveyapp.models import Rating, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.provider_page import CommentReply, HiddenComment
from surveyapp.models.review import COUNTED
from surveyapp.moderation import normalise, publishable
from surveyapp.providers.registry import provider_by_key

__all__ = [
    "MAX_REASON",
    "MAX_REPLY",
    "CommentError",
    "ShownComment",
    "hide_comment",
    "provider_id_of",
    "recent_comments",
    "reply_to_comment",
]

#: The longest hiding reason and reply kept, in characters.
MAX_REASON = 500
MAX_REPLY = 1000

Refusal = Literal["not_found", "forbidden", "already_hidden", "already_replied", "empty", "long"]


class CommentError(ValueError):
    """A hide or reply refused; ``code`` says why (a message key ``prov_error_<code>``)."""

    def __init__(self, code: Refusal, message: str) -> None:
        super().__init__(message)
        self.code: Refusal = code


@dataclass(frozen=True)
class ShownComment:
    """A comment as the public sees it: publishable text, stars, sector, date, reply."""

    rating_id: int
    sector: str
    stars: int
    text: str
    at: datetime
    reply: str | None
    reply_at: datetime | None


def provider_id_of(session: DbSession, key: str) -> int | None:
    """The id of the provider whose credit code or registration number is ``key``."""
    provider = provider_by_key(session, key)
    return None if provider is None else provider.id


def recent_comments(
    session: DbSession, provider_id: int, since: datetime, limit: int = 20
) -> tuple[list[ShownComment], int]:
    """The provider's latest comments made from ``since`` on, not hidden, newest first,
    in publishable form (a comment left empty by the removal is skipped), with the
    provider's replies; and how many of its comments a bureau hid (all time)."""
    stmt = (
        select(Rating, CommentReply)
        .outerjoin(CommentReply, CommentReply.rating_id == Rating.id)
        .outerjoin(HiddenComment, HiddenComment.rating_id == Rating.id)
        .where(
            Rating.provider_id == provider_id,
            Rating.practitioner_id.is_(None),
            Rating.comment.is_not(None),
            Rating.comment != "",
            Rating.created_at >= since,
            Rating.review == COUNTED,  # a held burst's comments wait for its release
            HiddenComment.rating_id.is_(None),
        )
        .order_by(Rating.created_at.desc(), Rating.id.desc())
        .limit(limit * 2)  # room for comments that are empty once links are removed
    )
    shown: list[ShownComment] = []
    for rating, reply in session.execute(stmt):
        text = publishable(rating.comment or "").text
        if not text.strip(" […]"):
            continue
        shown.append(
            ShownComment(
                rating.id,
                rating.sector,
                rating.overall,
                text,
                rating.created_at,
                publishable(reply.text).text if reply is not None else None,
                reply.created_at if reply is not None else None,
            )
        )
        if len(shown) == limit:
            break
    hidden = session.scalar(select(func.count()).where(HiddenComment.provider_id == provider_id))
    return shown, int(hidden or 0)


def _commented_rating(session: DbSession, rating_id: int, provider_id: int) -> Rating:
    rating = session.get(Rating, rating_id)
    if rating is None or rating.provider_id != provider_id or not (rating.comment or "").strip():
        raise CommentError("not_found", f"rating {rating_id} has no comment on this provider")
    return rating


def _text(raw: str | None, limit: int) -> str:
    text = normalise(raw or "")
    if not text:
        raise CommentError("empty", "the text is empty")
    if len(text) > limit:
        raise CommentError("long", f"the text is longer than {limit} characters")
    return text


def hide_comment(
    session: DbSession,
    provider_id: int,
    rating_id: int,
    reason: str | None,
    *,
    actor: User,
    ip: str | None = None,
) -> HiddenComment:
    """Hide a comment from the public pages: only a bureau account whose sectors include
    the rating's sector; a reason is required.  Audited (``provider.comment.hide``)."""
    rating = _commented_rating(session, rating_id, provider_id)
    if actor.role != "bureau" or not actor.may_see_sector(rating.sector):
        raise CommentError("forbidden", "only the bureau of the rating's sector hides it")
    text = _text(reason, MAX_REASON)
    if session.get(HiddenComment, rating.id) is not None:
        raise CommentError("already_hidden", "the comment is already hidden")
    row = HiddenComment(
        rating_id=rating.id,
        provider_id=provider_id,
        reason=text,
        hidden_by_id=actor.id,
        hidden_by=actor.username,
        hidden_at=utcnow(),
    )
    session.add(row)
    audit(
        session,
        actor,
        "provider.comment.hide",
        f"rating:{rating.id}",
        {"provider_id": provider_id, "sector": rating.sector, "reason": text},
        ip=ip,
    )
    session.flush()
    return row


def reply_to_comment(
    session: DbSession,
    provider_id: int,
    rating_id: int,
    text: str | None,
    *,
    actor: User,
    ip: str | None = None,
) -> CommentReply:
    """The provider's reply to a comment: only its own ``provider`` account, once per
    comment.  Audited (``provider.comment.reply``); the rating is left as it is."""
    if actor.role != "provider" or actor.provider_id != provider_id:
        raise CommentError("forbidden", "only the provider's own account replies")
    rating = _commented_rating(session, rating_id, provider_id)
    body = _text(text, MAX_REPLY)
    if session.get(CommentReply, rating.id) is not None:
        raise CommentError("already_replied", "the comment already has a reply")
    row = CommentReply(
        rating_id=rating.id,
        provider_id=provider_id,
        text=body,
        user_id=actor.id,
        written_by=actor.username,
        created_at=utcnow(),
    )
    session.add(row)
    audit(
        session,
        actor,
        "provider.comment.reply",
        f"rating:{rating.id}",
        {"provider_id": provider_id},
        ip=ip,
    )
    session.flush()
    return row
