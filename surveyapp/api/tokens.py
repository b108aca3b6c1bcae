"""Bearer tokens of the read API: create, verify, list, revoke.

A token is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when it is made;
only its SHA-256 is stored, so a copy of the database lets nobody call the API.  A
plain hash (no salt, no slow KDF) is enough for a random 256-bit secret, and it lets
:func:`verify_token` find the row with one indexed lookup.

A token acts as its owner: same role, same sectors (:meth:`User.may_see_sector`).  It
stops working the moment it is revoked or its owner is deactivated; there is no cache.

Like the account service, functions take the session and what they need as arguments
and leave committing to the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select

from surveyapp.accounts.service import audit
from surveyapp.models.api_token import ApiToken
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.user import User

__all__ = [
    "MAX_NAME",
    "TokenCheck",
    "TokenError",
    "create_token",
    "hash_token",
    "may_manage",
    "revoke_token",
    "tokens_of",
    "verify_token",
]

MAX_NAME = 100  # the column's length
#: ``last_used_at`` is written at most this often per token: a client paging through an
#: export must not turn every read into a write.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token operation was refused; ``code`` is a message key, the text says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def hash_token(plain: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(
    session: DbSession,
    owner: User,
    name: str,
    *,
    actor: User | str,
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``owner`` labelled ``name``; returns the row and the plain token.

    The plain token exists only in the return value: show it once, never store it.
    """
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise TokenError("token_bad_name", f"the token name must be 1-{MAX_NAME} characters")
    if not owner.active:
        raise TokenError("token_owner_inactive", f"account {owner.username!r} is disabled")
    plain = secrets.token_urlsafe(32)
    token = ApiToken(user_id=owner.id, name=name, token_hash=hash_token(plain), created_at=utcnow())
    token.user = owner
    session.add(token)
    session.flush()
    audit(
        session,
        actor,
        "token.create",
        f"token:{token.id}",
        {"owner": owner.username, "name": name},
        ip=ip,
    )
    return token, plain


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of :func:`verify_token`: ``token`` is set only when ``status`` is ok."""

    status: Literal["ok", "invalid", "revoked", "inactive"]
    token: ApiToken | None = None

    @property
    def user(self) -> User | None:
        return self.token.user if self.token is not None else None


def verify_token(session: DbSession, plain: str, *, now: datetime | None = None) -> TokenCheck:
    """Look the token up; refuse an unknown or revoked token and one of a disabled account.

    Records when the token was last used (at most once per :data:`TOUCH_EVERY`).
    """
    if not plain:
        return TokenCheck("invalid")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None:
        return TokenCheck("invalid")
    if token.revoked_at is not None:
        return TokenCheck("revoked")
    if not token.user.active:
        return TokenCheck("inactive")
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return TokenCheck("ok", token)


def may_manage(actor: User, token: ApiToken) -> bool:
    """Owners manage their own tokens; an admin manages everyone's."""
    return actor.role == "admin" or token.user_id == actor.id


def tokens_of(session: DbSession, user: User | None = None) -> list[ApiToken]:
    """``user``'s tokens, or every token when ``user`` is None; newest first."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    return list(session.scalars(stmt))


def revoke_token(
    session: DbSession,
    token: ApiToken,
    *,
    actor: User | str,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Stop ``token`` for good (a revoked token is never re-enabled: make a new one)."""
    if token.revoked_at is not None:
        raise TokenError("token_already_revoked", f"token {token.id} is already revoked")
    token.revoked_at = now or utcnow()
    audit(
        session,
        actor,
        "token.revoke",
        f"token:{token.id}",
        {"owner": token.user.username, "name": token.name},
        ip=ip,
    )
