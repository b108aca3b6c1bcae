"""Accounts: create, authenticate, change passwords, log out, audit.

Every function takes the session and what it needs as arguments (never the request
globals), and leaves committing to the caller, so a view or a CLI command decides
what one transaction is.

Failed sign-ins are throttled in the database (table ``login_throttle``, so every
worker sees the same counts), under several keys at once, each with its own
:class:`Backoff` (:data:`THROTTLES`):

* ``pair``: one username from one client address: 5 free failures, then a wait that
  doubles from 30 s up to 15 minutes.  Only the guessing address waits; the owner
  signing in from anywhere else is not held up;
* ``address``: one address across all usernames (password spraying): 20 free;
* ``account``: one username from anywhere (guessing from many addresses): 20 free,
  then waits capped at one minute, so failures by strangers can never keep the right
  password out for long (the old rule locked the account for 15 minutes);
* ``global``: the whole site, per clock hour: 200 free, then waits capped at 30 s;
* ``device``: a browser that has signed in to this account before carries a signed
  device cookie (see the routes); it is judged only by its own failures, so an attack
  on the account from elsewhere never keeps the owner's own browser out (OWASP's
  "device cookies" against lockout attacks).

While any key of an attempt is waiting the attempt is refused before the password is
looked at, so guessing during a wait tells nothing.  The keys hold the username as
typed, so an unknown username is throttled, answered and timed exactly like a known
one (the password is checked against a dummy hash of the same cost).
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.user import ROLES, AuditLog, LoginThrottle, User

__all__ = [
    "FORGET_AFTER",
    "MIN_PASSWORD_LENGTH",
    "MIN_PASSWORD_SCORE",
    "THROTTLES",
    "AccountError",
    "Backoff",
    "LoginOutcome",
    "audit",
    "authenticate",
    "change_password",
    "check_password_rules",
    "create_user",
    "end_session",
    "generate_password",
    "hash_password",
    "logout_everywhere",
    "throttled_accounts",
    "unlock_user",
]

MIN_PASSWORD_LENGTH = 10
#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable: moderate protection
#: from offline slow-hash scenario" (~10^8 guesses and more).
MIN_PASSWORD_SCORE = 3
#: zxcvbn's own input limit; longer passwords are judged by their first 72 characters.
_ZXCVBN_MAX = 72
#: Words a password must not be built from, besides the username.
_SITE_WORDS = ("surveyapp", "survey", "satisfaction", "manyidu", "满意度")
#: werkzeug's scrypt (memory-hard KDF, RFC 7914) with its default cost N=2^15, r=8, p=1.
PASSWORD_METHOD = "scrypt"


@dataclass(frozen=True)
class Backoff:
    """``free`` failures cost nothing; each further one waits ``first`` seconds, doubled
    for every failure after it, never more than ``most`` seconds."""

    free: int
    first: float
    most: float

    def wait(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.most, self.first * 2 ** min(failures - self.free, 32))


THROTTLES: dict[str, Backoff] = {
    "pair": Backoff(free=5, first=30, most=15 * 60),
    "address": Backoff(free=20, first=30, most=15 * 60),
    "account": Backoff(free=20, first=5, most=60),
    "global": Backoff(free=200, first=1, most=30),
    "device": Backoff(free=5, first=30, most=15 * 60),
}
#: A key's count starts again after this long without a failure under it.
FORGET_AFTER = timedelta(hours=1)


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so both cases cost the same KDF work."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def warm_up() -> None:
    """Make the dummy hash now, so the first unknown username is not slower either."""
    _dummy_hash(PASSWORD_METHOD)


class AccountError(ValueError):
    """An account operation was refused; ``code`` is a message key, the text says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password_rules(password: str, username: str) -> None:
    """Raise :class:`AccountError` when ``password`` is too weak to keep.

    At least :data:`MIN_PASSWORD_LENGTH` characters, not the username, and a zxcvbn
    score of at least :data:`MIN_PASSWORD_SCORE`: zxcvbn knows the common-password
    lists, dictionary words, keyboard walks, sequences, repeats and dates, so
    ``password1234`` or ``qwertyuiop`` are refused whatever their length.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password_short", f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if password.strip().lower() == username.strip().lower():
        raise AccountError("password_is_username", "the password must not be the username")
    judged = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[username.strip(), *_SITE_WORDS])
    if judged["score"] < MIN_PASSWORD_SCORE:
        raise AccountError(
            "password_weak",
            "the password is too common or too easy to guess"
            + (f" ({judged['feedback']['warning']})" if judged["feedback"]["warning"] else "")
            + ": use a longer phrase of unrelated words",
        )


def generate_password(username: str = "") -> str:
    """A random password (72 bits) that passes :func:`check_password_rules`."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            check_password_rules(password, username)
        except AccountError:  # practically never: a random string that looks like words
            continue
        return password


def audit(
    session: DbSession,
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
    row = AuditLog(**audit_row(actor, action, target, details, ip=ip, at=at or utcnow()))
    session.add(row)
    return row


def audit_row(
    actor: User | str,
    action: str,
    target: str | None,
    details: dict[str, Any] | None,
    *,
    at: datetime,
    ip: str | None = None,
) -> dict[str, Any]:
    """The columns of one audit row as :func:`audit` adds it, for the writers that INSERT
    their audit rows with their own rows in bulk (a registry import, complaint intake)."""
    user = actor if isinstance(actor, User) else None
    return {
        "user_id": user.id if user else None,
        "actor": user.username if user else str(actor),
        "action": action,
        "target": target,
        "details": details,
        "ip": ip,
        "at": at,
    }


def _normalise_sectors(role: str, sectors: Iterable[str] | None) -> list[str]:
    cleaned = sorted({s.strip() for s in (sectors or ()) if s and s.strip()})
    if role == "bureau" and not cleaned:
        raise AccountError("bureau_needs_sector", "a bureau account needs at least one sector")
    if role != "bureau" and cleaned:
        raise AccountError("sectors_only_bureau", "only bureau accounts have sectors")
    return cleaned


def create_user(
    session: DbSession,
    username: str,
    role: str,
    password: str | None = None,
    *,
    sectors: Sequence[str] | None = None,
    actor: User | str = "cli",
    must_change_password: bool = True,
    ip: str | None = None,
    provider_id: int | None = None,
) -> tuple[User, str]:
    """Create an account and audit it; returns the user and its initial password.

    Without ``password`` a random one is generated.  Accounts made by someone else
    (an admin, or the CLI) must change the password at first login.  A ``provider``
    account needs ``provider_id`` (the provider it speaks for); no other role has one.
    """
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("bad_username", "the username must be 1-64 characters without spaces")
    if role not in ROLES:
        raise AccountError("bad_role", f"role {role!r}: choose one of {', '.join(ROLES)}")
    cleaned = _normalise_sectors(role, sectors)
    if (role == "provider") != (provider_id is not None):
        raise AccountError("provider_account", "a provider account, and only it, names a provider")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError("username_taken", f"user {username!r} already exists")
    if password is None:
        password = generate_password(username)
    check_password_rules(password, username)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        sectors=cleaned,
        provider_id=provider_id,
        must_change_password=must_change_password,
        session_version=1,
        failed_logins=0,
        active=True,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    details: dict[str, object] = {"role": role, "sectors": cleaned}
    if provider_id is not None:
        details["provider_id"] = provider_id
    audit(session, actor, "user.create", f"user:{username}", details, ip=ip)
    return user, password


@dataclass(frozen=True)
class LoginOutcome:
    """``throttled``: refused unheard, try again in ``retry_after`` seconds."""

    status: Literal["ok", "bad_credentials", "throttled", "inactive"]
    user: User | None = None
    retry_after: int = 0


def _throttle_keys(username: str, address: str, device: str | None, now: datetime) -> dict:
    """``{scope: key}`` of one attempt (see the module docstring)."""
    name, addr = username[:64], (address or "unknown")[:64]
    if device:
        return {"device": f"device:{device[:64]}"}
    return {
        "pair": f"pair:{name}|{addr}",
        "address": f"address:{addr}",
        "account": f"account:{name}",
        "global": f"global:{now:%Y%m%d%H}",
    }


def _insert(session: DbSession):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _record_failure(session: DbSession, key: str, rule: Backoff, now: datetime) -> float:
    """Count one failure under ``key`` (atomically, whatever the other workers do);
    returns the wait it earned, in seconds (0 while the failures are free)."""
    table = LoginThrottle.__table__
    stmt = _insert(session)(table).values(
        key=key, failures=1, last_failure_at=now, blocked_until=None
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": table.c.failures + 1, "last_failure_at": now},
    ).returning(table.c.failures)
    failures = session.execute(stmt).scalar_one()
    wait = rule.wait(failures)
    if wait:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(blocked_until=now + timedelta(seconds=wait))
            .execution_options(synchronize_session=False)
        )
    return wait


def authenticate(
    session: DbSession,
    username: str,
    password: str,
    *,
    address: str | None = None,
    device: str | None = None,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a sign-in from client ``address``, throttled as the module docstring says.

    ``device`` is the id of a device cookie the caller has verified for this very
    username (``None`` for any other browser).  An unknown username goes through the
    same steps as a known one: same keys, same KDF cost, same answer.
    """
    now = now or utcnow()
    username = username.strip()
    keys = _throttle_keys(username, address or "unknown", device, now)
    blocked = session.scalar(
        select(LoginThrottle.blocked_until)
        .where(LoginThrottle.key.in_(keys.values()), LoginThrottle.blocked_until > now)
        .order_by(LoginThrottle.blocked_until.desc())
        .limit(1)
    )
    if blocked is not None:
        return LoginOutcome(
            "throttled", retry_after=max(1, math.ceil((blocked - now).total_seconds()))
        )
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None else _dummy_hash(PASSWORD_METHOD)
    if not check_password_hash(stored, password) or user is None:
        session.execute(
            delete(LoginThrottle)
            .where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
            .execution_options(synchronize_session=False)
        )
        for scope, key in keys.items():
            wait = _record_failure(session, key, THROTTLES[scope], now)
            if wait and scope in ("pair", "account", "device"):
                audit(
                    session,
                    "anonymous",
                    "login.throttled",
                    f"user:{username[:64]}",
                    {"scope": scope, "seconds": int(wait)},
                    ip=address,
                    at=now,
                )
        return LoginOutcome("bad_credentials")
    if not user.active:
        return LoginOutcome("inactive")
    session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.key.in_([keys[s] for s in ("pair", "device") if s in keys]))
        .execution_options(synchronize_session=False)
    )
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginOutcome("ok", user)


def throttled_accounts(session: DbSession, now: datetime | None = None) -> dict[str, datetime]:
    """``{username: until}`` for every username now waiting, from anywhere or from one
    address (the latest wait of each)."""
    now = now or utcnow()
    rows = session.execute(
        select(LoginThrottle.key, LoginThrottle.blocked_until).where(
            LoginThrottle.blocked_until > now,
            LoginThrottle.key.like("account:%") | LoginThrottle.key.like("pair:%"),
        )
    )
    found: dict[str, datetime] = {}
    for key, until in rows:
        scope, _, rest = key.partition(":")
        name = rest.rsplit("|", 1)[0] if scope == "pair" else rest
        if until is not None and (name not in found or until > found[name]):
            found[name] = until
    return found


def change_password(
    session: DbSession, user: User, current: str, new: str, *, ip: str | None = None
) -> None:
    """Replace the password; also ends every session of ``user`` (the version is bumped:
    the caller signs the current browser in again with the new version)."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("wrong_password", "the current password is wrong")
    check_password_rules(new, user.username)
    if check_password_hash(user.password_hash, new):
        raise AccountError(
            "password_unchanged", "the new password must differ from the current one"
        )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    user.session_version = (user.session_version or 1) + 1
    audit(session, user, "user.password_change", f"user:{user.username}", ip=ip)


def end_session(session: DbSession, user: User, *, ip: str | None = None) -> None:
    """Sign out: the session version is bumped, so a copy of this session's cookie is
    refused from now on (the cookie is signed, not stored: the version is what ends it).
    Other sessions of the same account end too."""
    user.session_version = (user.session_version or 1) + 1
    audit(session, user, "user.logout", f"user:{user.username}", ip=ip)


def logout_everywhere(session: DbSession, user: User, *, ip: str | None = None) -> None:
    """End every session of ``user``, this one included."""
    user.session_version = (user.session_version or 1) + 1
    audit(session, user, "user.logout_everywhere", f"user:{user.username}", ip=ip)


def unlock_user(
    session: DbSession, user: User, actor: User | str, *, ip: str | None = None
) -> None:
    """Lift every wait on ``user``'s sign-ins (from anywhere and from each address)."""
    user.locked_until = None
    user.failed_logins = 0
    name = user.username.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    session.execute(
        delete(LoginThrottle)
        .where(
            (LoginThrottle.key == f"account:{user.username}")
            | LoginThrottle.key.like(f"pair:{name}|%", escape="\\")
        )
        .execution_options(synchronize_session=False)
    )
    audit(session, actor, "user.unlock", f"user:{user.username}", ip=ip)
