"""Storing a rating: checked, then stored whole or not at all, once per device per window.

A device rates a provider (or one of its practitioners) once per sector per window of
``RATING_WINDOW_DAYS`` China days (default 30): ratings belong to the sector of the
form used and a provider in two sectors has a score in each (spec, section Providers),
so one device's rating of each sector counts.  Windows are fixed: window *k* starts
``k × days`` days after :data:`EPOCH`, and ``rating.window_start`` is its first day.  A
second rating from the same device in the same window **replaces** the first: the row
is updated in place (stars, comment, form version, time), never doubled; the partial
unique indexes of ``rating`` decide a race between two simultaneous first ratings (the
loser updates the winner's row).  A rating without a device (a kiosk's API post without
``device_id``) is never matched to another.

The device is stored as an HMAC keyed by the application secret and bound to the
provider, so the device hashes of two providers cannot be linked; the source (address
or channel key) as an HMAC with the secret, so bursts are counted across providers.
Beyond the per-source threshold ``RATELIMIT_BURST`` the rating is stored with the
``burst`` signal in ``rating.flags`` and **held**: ``review = "held"`` in the source's
open :class:`~surveyapp.models.provider_rating.RatingWave` of the sector, counted in no
score until a bureau of the sector or an admin releases the wave
(:mod:`surveyapp.ratings.review`), as the survey holds a source's wave of responses.
A rating that replaces another is judged by itself: held when it is part of a burst,
counted otherwise, whatever became of the one it replaces.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, false, func, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from surveyapp.models import Practitioner, Rating
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.provider_rating import RatingWave
from surveyapp.models.review import COUNTED, HELD
from surveyapp.ratings.forms import STARS, FormVersion
from surveyapp.responses.validate import MAX_DEVICE_ID, FieldError, InvalidSubmission, _score
from surveyapp.review.holds import Threshold
from surveyapp.rounds.dates import china_today

__all__ = [
    "BURST",
    "EPOCH",
    "NOT_ANSWERED",
    "CleanRating",
    "RatingRefused",
    "Rater",
    "StoredRating",
    "rater_hash",
    "submit_rating",
    "validate_rating",
    "window_start",
]

#: The first day of window 0 (a Monday); windows are counted from it.
EPOCH = date(2024, 1, 1)
#: An item left unanswered, in the answer bytes.
NOT_ANSWERED = 255
BURST = "burst"
_LO, _HI = STARS[0], STARS[-1]


class RatingRefused(Exception):
    """A well-formed rating that cannot be taken; ``code`` names why (``closed``:
    the provider is closed, ``practitioner``: no such active practitioner)."""

    def __init__(self, code: str, status: int = 409) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class CleanRating:
    """A checked rating: stars per item (None: not answered) and the comment."""

    stars: dict[str, int | None]
    comment: str | None
    device_id: str | None = None

    @property
    def overall(self) -> int:
        value = self.stars["overall"]
        assert value is not None  # validate_rating requires it
        return value


@dataclass(frozen=True)
class Rater:
    """Who rates, reduced to what the one-per-window rule and the signals need: the
    device id (cookie or the API's ``device_id``), the rate-limit source, the channel,
    and the per-source burst threshold (None: never flagged)."""

    device_id: str | None = None
    source: str | None = None
    channel: str = "web"
    channel_key_id: int | None = None
    threshold: Threshold | None = None
    label: str = ""


@dataclass(frozen=True)
class StoredRating:
    id: int
    replaced: bool
    held: bool = False


def validate_rating(
    version: FormVersion, payload: Any, *, allow_device: bool = False
) -> CleanRating:
    """Check ``payload`` (``{"stars": {item: 1..5}, "comment": "..."}``) against the form;
    raise :class:`InvalidSubmission` naming every wrong field (``stars.<item>``, ``comment``)."""
    form = version.form
    if not isinstance(payload, Mapping):
        raise InvalidSubmission({"body": FieldError("not_object")})
    errors: dict[str, FieldError] = {}
    allowed = {"stars", "comment"} | ({"device_id"} if allow_device else set())
    for key in payload:
        if key not in allowed:
            errors[str(key)] = FieldError("unknown_field")
    given = payload.get("stars")
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        errors["stars"] = FieldError("not_object")
        given = {}
    stars: dict[str, int | None] = {}
    for item in form.items:
        value = _score(given.get(item.id), _LO, _HI)
        if isinstance(value, FieldError):
            errors[f"stars.{item.id}"] = value
        elif value is None and item.required:
            errors[f"stars.{item.id}"] = FieldError("required")
        else:
            stars[item.id] = value
    for key in given:
        if key not in form.item_ids:
            errors[f"stars.{key}"] = FieldError("unknown_field")
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = FieldError("not_text")
    elif isinstance(comment, str):
        comment = comment.strip() or None
        if comment and form.comment_max is None:
            errors["comment"] = FieldError("unknown_field")
        elif comment and len(comment) > (form.comment_max or 0):
            errors["comment"] = FieldError("too_long", {"max": form.comment_max})
    device = payload.get("device_id") if allow_device else None
    if device is not None and (not isinstance(device, str) or len(device) > MAX_DEVICE_ID):
        errors["device_id"] = FieldError("too_long", {"max": MAX_DEVICE_ID})
    if errors:
        raise InvalidSubmission(errors)
    return CleanRating(stars, comment, device or None)


def window_start(day: date, days: int) -> date:
    """The first day of the fixed ``days``-day window holding the China day ``day``."""
    if days < 1:
        raise ValueError("the rating window must be at least one day")
    return EPOCH + timedelta(days=(day - EPOCH).days // days * days)


def rater_hash(secret: str, provider_id: int, kind: str, value: str | None) -> str | None:
    """HMAC of a device or source, keyed by the secret and bound to the provider."""
    if not value:
        return None
    message = f"rate:{provider_id}:{kind}:{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _pack(version: FormVersion, stars: Mapping[str, int | None]) -> bytes:
    return bytes(
        NOT_ANSWERED if stars.get(i) is None else int(stars[i] or 0) for i in version.form.item_ids
    )


class RatedTarget(Protocol):
    """What storing a rating reads of its provider: the ORM provider of a page, or the
    API's plain values (:func:`surveyapp.providers.registry.rated_provider`)."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...


def submit_rating(
    session: DbSession,
    provider: RatedTarget,
    version: FormVersion,
    rating: CleanRating,
    rater: Rater,
    *,
    secret: str,
    window_days: int,
    practitioner: Practitioner | None = None,
    now: datetime | None = None,
) -> StoredRating:
    """Store ``rating`` of ``provider`` (or its ``practitioner``) and commit.

    Inserts a row, or updates the device's row of the current window in place; raises
    :class:`RatingRefused` for a closed provider or a practitioner who is not the
    provider's, and stores nothing on any error (one transaction).
    """
    now = now or utcnow()
    if provider.status != "open":
        raise RatingRefused("rate_closed", 410)
    if practitioner is not None and (
        practitioner.provider_id != provider.id or practitioner.status != "active"
    ):
        raise RatingRefused("rate_no_practitioner", 404)
    start = window_start(china_today(now), window_days)
    device = rater_hash(secret, provider.id, "dev", rater.device_id)
    source = rater_hash(secret, 0, "src", rater.source)  # bursts count across providers
    values: dict[str, Any] = {
        "sector": version.form.sector,
        "form_id": version.form.id,
        "form_version": version.version,
        "answers": _pack(version, rating.stars),
        "overall": rating.overall,
        "comment": rating.comment,
        "created_at": now,
        "channel": rater.channel,
        "channel_key_id": rater.channel_key_id,
        "source_hash": source,
    }
    try:
        values["flags"] = _flags(session, source, rater.threshold, now)
        held = values["flags"] == BURST and source is not None
        values["review"] = HELD if held else COUNTED
        values["wave_id"] = (
            _open_wave(session, version.form.sector, source, rater, now)
            if held and source is not None
            else None
        )
        row = {
            "provider_id": provider.id,
            "practitioner_id": practitioner.id if practitioner is not None else None,
            "device_hash": device,
            "window_start": start,
            **values,
        }
        row_id, replaced = _write(session, row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return StoredRating(row_id, replaced, held)


def _write(session: DbSession, row: dict[str, Any]) -> tuple[int, bool]:
    """Store ``row``, or replace the device's row of the window in place with its values
    (its ``revision`` counted up): (the row's id, whether it replaced one).  One statement
    either way, an upsert on the partial unique index.  On PostgreSQL the ``UPDATE`` of
    the device's row first, the ``INSERT`` only when it found none (a replacement draws
    no id from the sequence).  SQLite's ``INSERT … ON CONFLICT DO UPDATE`` returns the
    row as written, id and all, with no trace of the conflict: its ``revision`` (0 only
    in a row just inserted) tells.  The unique index decides a race between two first
    ratings either way (the loser replaces the winner's row).  A rating without a device
    is a plain ``INSERT``: it is never matched to another."""
    conn = session.connection()
    if row["device_hash"] is None:
        return int(conn.execute(_INSERT, row).scalar_one()), False
    target = "practitioner" if row["practitioner_id"] is not None else "provider"
    if conn.dialect.name == "postgresql":
        found = conn.execute(_UPSERT[target], _params(row)).one()
        return int(found[0]), not found[1]
    found = conn.execute(_UPSERT_SQLITE[target], row).one()
    return int(found[0]), found[1] > 0


def _params(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` for :data:`_UPSERT`: a kept column's value under
    ``k_<column>`` (an UPDATE would SET a column named by a parameter)."""
    return {(name if name in _SET else f"k_{name}"): value for name, value in row.items()}


#: The statements, built once (bound parameters).  The columns a replacement sets: all
#: but the key and the row's identity (what the old ``UPDATE`` of the row set).
_TABLE = cast(Table, Rating.__table__)
_KEEP = ("id", "provider_id", "practitioner_id", "device_hash", "window_start", "revision")
_SET = tuple(c.name for c in _TABLE.columns if c.name not in _KEEP)
#: what a replacement does to the row's revision
_COUNT_UP = {"revision": _TABLE.c.revision + 1}
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
#: Per unique index (the provider's own ratings, a practitioner's): its columns and
#: predicate, which an ``ON CONFLICT`` target must repeat to match a partial index.
_TARGETS = {
    "provider": (("provider_id", "sector", "device_hash", "window_start"),
                 _TABLE.c.practitioner_id.is_(None)),
    "practitioner": (("practitioner_id", "sector", "device_hash", "window_start"),
                     _TABLE.c.practitioner_id.is_not(None)),
}  # fmt: skip


def _upsert(columns: tuple[str, ...], where: Any) -> Any:
    """PostgreSQL's one statement: the ``UPDATE`` of the device's row and, when it found
    none, the ``INSERT`` (``ON CONFLICT DO UPDATE``: a first rating committed meanwhile is
    replaced); rows (id, new).  The ``INSERT`` of a replacement selects no row, so it
    draws no id from the sequence: the ids are those of a look-up and a write."""
    found = _replace(columns, where).cte("replaced")
    fields = [c.name for c in _TABLE.columns if c.name not in ("id", "revision")]
    values = select(
        *(bindparam(n if n in _SET else f"k_{n}", type_=_TABLE.c[n].type) for n in fields)
    ).where(~select(found.c.id).exists())
    stmt = pg_insert(_TABLE).from_select(fields, values)
    added = (
        stmt.on_conflict_do_update(
            index_elements=list(columns),
            index_where=where,
            set_={name: stmt.excluded[name] for name in _SET} | _COUNT_UP,
        )
        .returning(_TABLE.c.id, literal_column("xmax = 0").label("new"))
        .cte("added")
    )
    return select(found.c.id, false().label("new")).union_all(select(added.c.id, added.c.new))


def _upsert_sqlite(columns: tuple[str, ...], where: Any) -> Any:
    """SQLite's one statement: the row, or on conflict the device's row updated (its
    revision counted up); rows (id, revision)."""
    stmt = sqlite_insert(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=list(columns),
        index_where=where,
        set_={name: stmt.excluded[name] for name in _SET} | _COUNT_UP,
    ).returning(_TABLE.c.id, _TABLE.c.revision)


def _replace(columns: tuple[str, ...], where: Any) -> Any:
    who, sector, device, start = (_TABLE.c[name] for name in columns)
    return (
        update(_TABLE)
        .where(
            where,
            who == bindparam(f"k_{who.name}"),
            sector == bindparam("sector", type_=sector.type),  # the SET's own value
            device == bindparam("k_device_hash"),
            start == bindparam("k_window_start"),
        )
        .values({name: bindparam(name, type_=_TABLE.c[name].type) for name in _SET} | _COUNT_UP)
        .returning(_TABLE.c.id)
    )


_UPSERT = {name: _upsert(*t) for name, t in _TARGETS.items()}
_UPSERT_SQLITE = {name: _upsert_sqlite(*t) for name, t in _TARGETS.items()}


def _open_wave(session: DbSession, sector: str, source: str, rater: Rater, now: datetime) -> int:
    """The source's open wave of held ratings in ``sector`` (made, flushed, when there is
    none): a refused rating rolls it back with itself."""
    found = session.scalar(
        select(RatingWave.id)
        .where(
            RatingWave.sector == sector,
            RatingWave.source_hash == source,
            RatingWave.state == HELD,
        )
        .order_by(RatingWave.id.desc())
        .limit(1)
    )
    if found is not None:
        return int(found)
    wave = RatingWave(
        sector=sector,
        source_hash=source,
        source_label=(rater.label or rater.channel)[:120],
        channel_key_id=rater.channel_key_id,
        state=HELD,
        opened_at=now,
    )
    session.add(wave)
    session.flush()
    return wave.id


def _flags(
    session: DbSession,
    source: str | None,
    threshold: Threshold | None,
    now: datetime,
) -> str | None:
    """``burst`` when the source already made ``threshold.count`` ratings (of any provider)
    within the threshold's window (counted in the database: every worker sees the same)."""
    if threshold is None or source is None:
        return None
    recent = session.scalar(
        select(func.count(Rating.id)).where(
            Rating.source_hash == source,
            Rating.created_at >= now - timedelta(seconds=threshold.seconds),
        )
    )
    return BURST if (recent or 0) >= threshold.count else None
