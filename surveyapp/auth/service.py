"""Accounts: create, authenticate, change passwords, log out everywhere, audit.

Every function takes the session and what it needs as arguments (never the request
globals), and leaves committing to the caller, so a view or a CLI command decides
what one transaction is.

Throttling has two layers:

* per account, in the database (so every worker sees it): after
  :data:`MAX_FAILURES` wrong passwords in a row the account is locked for
  :data:`LOCK_MINUTES` minutes; a correct password during the lock is refused too;
* per client, in this process (:class:`ClientThrottle`): a client (IP address)
  with too many failures in a sliding window is refused before any password is
  checked, which stops one client from guessing across many usernames.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.models.base import utcnow
from surveyapp.models.user import ROLES, AuditLog, User

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILURES",
    "AccountError",
    "ClientThrottle",
    "LoginOutcome",
    "audit",
    "authenticate",
    "change_password",
    "create_user",
    "hash_password",
    "logout_everywhere",
    "unlock_user",
]

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
#: werkzeug's scrypt (memory-hard KDF, RFC 7914) with its default cost N=2^15, r=8, p=1.
PASSWORD_METHOD = "scrypt"


@functools.cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so both cases take the same time."""
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


class AccountError(ValueError):
    """An account operation was refused; ``code`` is a message key, the text says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password_rules(password: str, username: str) -> None:
    """Raise :class:`AccountError` when ``password`` is too weak to keep."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password_short", f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if password.strip().lower() == username.strip().lower():
        raise AccountError("password_is_username", "the password must not be the username")


def audit(
    session: Session,
    actor: User | str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Add one audit row: ``actor`` (a user, or a name such as ``"cli"``) did ``action``.

    ``action`` is a dotted verb (``user.create``, ``bulletin.publish``); ``target``
    names the object (``user:alice``, ``round:catering-2026q4``).
    """
    row = AuditLog(
        user_id=actor.id if isinstance(actor, User) else None,
        actor=actor.username if isinstance(actor, User) else str(actor),
        action=action,
        target=target,
        details=details,
        ip=ip,
        at=at or utcnow(),
    )
    session.add(row)
    return row


def _normalise_sectors(role: str, sectors: Iterable[str] | None) -> list[str]:
    cleaned = sorted({s.strip() for s in (sectors or ()) if s and s.strip()})
    if role == "bureau" and not cleaned:
        raise AccountError("bureau_needs_sector", "a bureau account needs at least one sector")
    if role != "bureau" and cleaned:
        raise AccountError("sectors_only_bureau", "only bureau accounts have sectors")
    return cleaned


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str | None = None,
    *,
    sectors: Sequence[str] | None = None,
    actor: User | str = "cli",
    must_change_password: bool = True,
    ip: str | None = None,
) -> tuple[User, str]:
    """Create an account and audit it; returns the user and its initial password.

    Without ``password`` a random one is generated.  Accounts made by someone else
    (an admin, or the CLI) must change the password at first login.
    """
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("bad_username", "the username must be 1-64 characters without spaces")
    if role not in ROLES:
        raise AccountError("bad_role", f"role {role!r}: choose one of {', '.join(ROLES)}")
    cleaned = _normalise_sectors(role, sectors)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError("username_taken", f"user {username!r} already exists")
    if password is None:
        password = secrets.token_urlsafe(12)
    check_password_rules(password, username)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        sectors=cleaned,
        must_change_password=must_change_password,
        session_version=1,
        failed_logins=0,
        active=True,
    )
    session.add(user)
    session.flush()
    audit(
        session, actor, "user.create", f"user:{username}", {"role": role, "sectors": cleaned}, ip=ip
    )
    return user, password


@dataclass(frozen=True)
class LoginOutcome:
    status: Literal["ok", "bad_credentials", "locked", "inactive"]
    user: User | None = None
    locked_until: datetime | None = None


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    ip: str | None = None,
) -> LoginOutcome:
    """Check a login; counts failures and locks the account after :data:`MAX_FAILURES`.

    A locked account is refused without looking at the password, so guessing during
    the lock tells nothing.  Failures and lockouts are audited.
    """
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return LoginOutcome("bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        return LoginOutcome("locked", locked_until=user.locked_until)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            audit(
                session,
                user,
                "user.locked",
                f"user:{user.username}",
                {"minutes": LOCK_MINUTES},
                ip=ip,
            )
            return LoginOutcome("locked", locked_until=user.locked_until)
        return LoginOutcome("bad_credentials")
    if not user.active:
        return LoginOutcome("inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginOutcome("ok", user)


def change_password(
    session: Session, user: User, current: str, new: str, *, ip: str | None = None
) -> None:
    """Replace the password; also ends every other session (the version is bumped)."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("wrong_password", "the current password is wrong")
    check_password_rules(new, user.username)
    if check_password_hash(user.password_hash, new):
        raise AccountError(
            "password_unchanged", "the new password must differ from the current one"
        )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_version = (user.session_version or 1) + 1
    audit(session, user, "user.password_change", f"user:{user.username}", ip=ip)


def logout_everywhere(session: Session, user: User, *, ip: str | None = None) -> None:
    """End every session of ``user``, this one included."""
    user.session_version = (user.session_version or 1) + 1
    audit(session, user, "user.logout_everywhere", f"user:{user.username}", ip=ip)


def unlock_user(session: Session, user: User, actor: User | str, *, ip: str | None = None) -> None:
    user.locked_until = None
    user.failed_logins = 0
    audit(session, actor, "user.unlock", f"user:{user.username}", ip=ip)


class ClientThrottle:
    """Failed logins per client in a sliding window, kept in this process.

    Per-process is enough for its purpose (slowing one client guessing across many
    accounts); the per-account lock, which must hold across workers, is in the database.
    """

    def __init__(self, limit: int = 20, window_seconds: float = 15 * 60) -> None:
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        hits = self._failures.setdefault(client, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def blocked(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._recent(client, now)
            if not hits:
                self._failures.pop(client, None)
            return len(hits) >= self.limit

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a distributed attack
                self._failures.clear()

    def reset(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
