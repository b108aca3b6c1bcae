"""Channel keys: create, verify, list, revoke.

A key is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when it is made;
only its SHA-256 is stored.  A plain hash (no salt, no slow KDF) is enough for a random
secret of that size, and it lets :func:`verify_key` find the key with one lookup on the
unique index of ``key_hash``: the submission hot path pays one indexed SELECT.

A key posts as its channel (the response's channel is the key's, never the body's), to
the rounds of its scope (none given: every round), and is rate limited and counted for
bursts on its own, never by the address it posts from (:mod:`surveyapp.security.limits`).
``trusted_stamps`` says its client records when a resident started, so the speeder rule
may use the client's ``started_at``.  A revoked key stops at once and is never re-enabled.

Like the other services, functions take the session and what they need as arguments,
write the audit row, and leave committing to the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import bindparam, select, update

from surveyapp.accounts.service import audit
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.channel_key import ChannelKey
from surveyapp.models.round import Round
from surveyapp.models.user import User

#: The channels a key may post as (the survey pages are ``web``, with no key).
CHANNELS = ("kiosk", "miniprogram", "phone", "paper")
MAX_NAME = 100  # the column's length
#: ``last_used_at`` is written at most this often per key, not on every submission.
TOUCH_EVERY = timedelta(minutes=1)


class ChannelKeyError(ValueError):
    """A key operation was refused; ``code`` is a message key, the text says why.

    ``params`` fill the message (e.g. the unknown round codes).
    """

    def __init__(self, code: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def hash_key(plain: str) -> str:
    """The stored form of a key: SHA-256, hex."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def parse_rounds(text: str | None) -> list[str]:
    """``"cat-q3, lod-q3"`` as a list of codes, in order, without blanks or repeats."""
    out: list[str] = []
    for part in (text or "").split(","):
        code = part.strip()
        if code and code not in out:
            out.append(code)
    return out


def create_key(
    session: DbSession,
    name: str,
    channel: str,
    *,
    rounds: Iterable[str] | None = None,
    trusted_stamps: bool = False,
    actor: User | str,
    ip: str | None = None,
) -> tuple[ChannelKey, str]:
    """Make a key for ``channel``; returns the row and the plain key.

    ``rounds`` are round codes (each must exist); none: every round, also future ones.
    The plain key exists only in the return value: show it once, never store it.
    """
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ChannelKeyError("key_bad_name", f"the key name must be 1-{MAX_NAME} characters")
    if channel not in CHANNELS:
        raise ChannelKeyError(
            "key_bad_channel", f"the channel must be one of {', '.join(CHANNELS)}, not {channel!r}"
        )
    codes = parse_rounds(",".join(rounds or ()))
    if codes:
        known = set(session.scalars(select(Round.code).where(Round.code.in_(codes))))
        unknown = [code for code in codes if code not in known]
        if unknown:
            listed = ", ".join(unknown)
            raise ChannelKeyError("key_unknown_rounds", f"no round {listed}", rounds=listed)
    plain = secrets.token_urlsafe(32)
    key = ChannelKey(
        name=name,
        channel=channel,
        key_hash=hash_key(plain),
        rounds=codes or None,
        trusted_stamps=bool(trusted_stamps),
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    audit(
        session,
        actor,
        "channel_key.create",
        f"channel_key:{key.id}",
        {
            "name": name,
            "channel": channel,
            "rounds": codes or None,
            "trusted_stamps": key.trusted_stamps,
        },
        ip=ip,
    )
    return key, plain


@dataclass(frozen=True)
class KeySource:
    """A verified key as plain values: what a submission needs to know about its source."""

    id: int
    channel: str
    rounds: tuple[str, ...] | None
    trusted_stamps: bool

    def may_post_to(self, round_code: str) -> bool:
        return self.rounds is None or round_code in self.rounds


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of :func:`verify_key`: ``source`` is set only when ``status`` is ok."""

    status: Literal["ok", "invalid", "revoked"]
    source: KeySource | None = None
    touched: bool = False  # last_used_at was updated: the caller commits


#: :func:`verify_key`'s look-up, built once: every API submission runs it (Core, not the
#: ORM's execution path: a third of a submission's CPU went to building and running it)
_BY_HASH = select(
    ChannelKey.id,
    ChannelKey.channel,
    ChannelKey.rounds,
    ChannelKey.trusted_stamps,
    ChannelKey.revoked_at,
    ChannelKey.last_used_at,
).where(ChannelKey.key_hash == bindparam("key_hash"))


def verify_key(session: DbSession, plain: str, *, now: datetime | None = None) -> KeyCheck:
    """Look the key up by its hash (one indexed SELECT); refuse an unknown or revoked key.

    Records when the key was last used, at most once per :data:`TOUCH_EVERY` (an UPDATE
    the caller commits).
    """
    if not plain:
        return KeyCheck("invalid")
    row = session.connection().execute(_BY_HASH, {"key_hash": hash_key(plain)}).first()
    if row is None:
        return KeyCheck("invalid")
    if row.revoked_at is not None:
        return KeyCheck("revoked")
    now = now or utcnow()
    touched = row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY
    if touched:
        session.execute(update(ChannelKey).where(ChannelKey.id == row.id).values(last_used_at=now))
    rounds = tuple(row.rounds) if row.rounds is not None else None
    source = KeySource(row.id, row.channel, rounds, bool(row.trusted_stamps))
    return KeyCheck("ok", source, touched)


def keys_list(session: DbSession) -> list[ChannelKey]:
    """Every key, newest first."""
    return list(session.scalars(select(ChannelKey).order_by(ChannelKey.id.desc())))


def revoke_key(
    session: DbSession,
    key: ChannelKey,
    *,
    actor: User | str,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Stop ``key`` for good (a revoked key is never re-enabled: make a new one)."""
    if key.revoked_at is not None:
        raise ChannelKeyError("key_already_revoked", f"key {key.id} is already revoked")
    key.revoked_at = now or utcnow()
    audit(
        session,
        actor,
        "channel_key.revoke",
        f"channel_key:{key.id}",
        {"name": key.name, "channel": key.channel},
        ip=ip,
    )
