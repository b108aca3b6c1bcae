"""Storing one response: checked, then committed whole or not at all."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from surveyapp.catalog import questionnaire_of
from surveyapp.models import Invitation, Response, Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.responses.codec import pack_answers, pack_profile
from surveyapp.responses.validate import CleanSubmission, FieldError, InvalidSubmission
from surveyapp.review.holds import Origin, hold_state
from surveyapp.review.signals import address_prefix, stamp_flags
from surveyapp.rounds.service import RoundSnapshot, hash_token


class SubmissionRefused(Exception):
    """The submission is well-formed but cannot be taken; ``code`` names why."""

    status = 409

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class RoundNotOpen(SubmissionRefused):
    status = 410


class DuplicateResponse(SubmissionRefused):
    status = 409

    def __init__(self) -> None:
        super().__init__("duplicate")


class TokenUsed(DuplicateResponse):
    """The invitation token has been used already."""

    def __init__(self) -> None:
        SubmissionRefused.__init__(self, "token_used")


@dataclass(frozen=True)
class Client:
    """Who submits, reduced to what the one-response rule and the signals need.

    ``device_id`` is the random id of the browser's signed cookie (or the id a
    mini-program or kiosk sends): with the invitation, the resident's identity.
    ``fingerprint`` is the raw "IP + browser" string: a fraud signal only (residents
    behind one venue's Wi-Fi share it), never a reason to refuse.  Neither is stored:
    only their HMACs with the round's salt, so the hashes of two rounds cannot be
    linked and no raw IP address is ever written.  ``stamp_trusted``: the submission's
    ``started_at`` comes from a stamp the speeder rule may use (the survey pages'
    server-signed stamp, or a channel key with trusted stamps).
    """

    device_id: str | None = None
    fingerprint: str | None = None
    stamp_trusted: bool = False


#: A round as the submission path reads it: the loaded entity, or the API's snapshot.
RoundLike = Round | RoundSnapshot


def client_hash(round_: RoundLike, kind: str, value: str | None) -> str | None:
    if not value:
        return None
    return hmac.new(round_.salt.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def round_state_error(round_: RoundLike, now: datetime) -> RoundNotOpen | None:
    state = round_.state(now)
    if state == "closed":
        return RoundNotOpen("round_closed")
    if state == "not_open":
        return RoundNotOpen("round_not_open")
    return None


def has_responded(session: DbSession, round_: Round, client: Client) -> bool:
    """Whether this device answered the round already.  The address + browser
    fingerprint is not asked: a second resident behind the same address is welcome."""
    device = client_hash(round_, "dev", client.device_id)
    if not device:
        return False
    stmt = (
        select(Response.id)
        .where(Response.round_id == round_.id, Response.device_hash == device)
        .limit(1)
    )
    return session.scalar(stmt) is not None


def submit_response(
    session: DbSession,
    round_: Round | RoundSnapshot,
    submission: CleanSubmission,
    client: Client,
    now: datetime | None = None,
    *,
    flags: Iterable[str] = (),
    channel_key_id: int | None = None,
    origin: Origin | None = None,
) -> str:
    """Store ``submission`` for ``round_``, commit, and return the new response's uid.

    Raises without storing anything otherwise.  A single Core INSERT (no ORM unit of
    work) keeps the hot path short.

    The invitation is consumed by a conditional UPDATE in the same transaction as
    the INSERT, and the unique index on the device hash decides races, so two
    simultaneous submissions from one device store exactly one row.

    ``origin`` names the source: beyond its per-source threshold the response is
    stored *held* in the source's review wave (:mod:`surveyapp.review.holds`), not
    counted until a bureau releases the wave.  ``flags`` are extra signal codes stored
    with the row (the stamp signals are added here); ``channel_key_id`` names the
    channel key an API submission came with.
    """
    now = now or utcnow()
    refused = round_state_error(round_, now)
    if refused:
        raise refused
    q = questionnaire_of(round_.questionnaire_version)
    district = submission.respondent.get("district")
    if district and round_.districts and district not in round_.districts:
        raise InvalidSubmission({"respondent.district": FieldError("unknown_option")})
    if round_.require_token and not submission.token:
        raise InvalidSubmission({"token": FieldError("token_required")})

    duration = None
    if submission.started_at is not None:
        seconds = (now - submission.started_at).total_seconds()
        duration = seconds if 0 <= seconds <= 7 * 24 * 3600 else None
    signals = set(flags) | set(stamp_flags(submission.started_at, now))
    source = origin.source if origin is not None else None
    address = origin.address if origin is not None else None
    row: dict[str, Any] = {
        "uid": secrets.token_hex(16),
        "round_id": round_.id,
        "questionnaire_version_id": round_.questionnaire_version_id,
        "submitted_at": now,
        "started_at": submission.started_at,
        "duration_seconds": duration,
        "channel": submission.channel,
        "district": district,
        "answers": pack_answers(q, submission.answers, submission.dont_know),
        "profile": pack_profile(q, submission.respondent),
        "open_answers": submission.open or None,
        "device_hash": client_hash(round_, "dev", client.device_id),
        "fingerprint_hash": client_hash(round_, "fp", client.fingerprint),
        "invitation_id": None,
        "flags": ",".join(sorted(signals))[:255] or None,
        "channel_key_id": channel_key_id,
        "source_hash": client_hash(round_, "src", source),
        "prefix_hash": client_hash(round_, "pfx", address_prefix(address)),
        "stamp_trusted": bool(client.stamp_trusted and duration is not None),
    }
    try:
        row["review"], row["wave_id"] = hold_state(
            session, round_.id, row["source_hash"], origin, now
        )
        if submission.token:
            row["invitation_id"] = _consume_token(session, round_, submission.token, now)
        session.connection().execute(insert(cast(Table, Response.__table__)), row)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateResponse() from None
    except BaseException:
        session.rollback()
        raise
    return row["uid"]


def _consume_token(session: DbSession, round_: RoundLike, token: str, now: datetime) -> int:
    digest = hash_token(token)
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.token_hash == digest,
            Invitation.round_id == round_.id,
            Invitation.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(Invitation.id)
    )
    row = result.first()
    if row is not None:
        return row[0]
    session.rollback()
    exists = session.scalar(
        select(Invitation.id).where(
            Invitation.token_hash == digest, Invitation.round_id == round_.id
        )
    )
    if exists is not None:
        raise TokenUsed()
    raise InvalidSubmission({"token": FieldError("token_unknown")})
