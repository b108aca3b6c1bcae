"""Fraud signals: noticed, shown on the anomaly panel, never excluding anything.

- ``stamp_missing``: the submission came without a start stamp the server could read
  (a survey page post whose signed stamp was missing or forged, an API post without
  ``started_at``); stored in ``response.flags`` when the response is stored;
- ``stamp_implausible``: a start stamp in the future or more than seven days old
  (stored in ``response.flags``);
- ``shared_device``: the same (hashed) address + browser fingerprint on more than one
  response of the round: residents behind one venue's Wi-Fi with the same phone, or one
  device clearing its cookie;
- ``shared_prefix``: more than one source (address) within one network prefix (/24,
  /48): addresses rotating inside one network.

The last two are computed from the stored hashes when asked, so a response that was
alone when stored is flagged once a second one shares its device or network.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from surveyapp.models import Response
from surveyapp.models.base import DbSession
from surveyapp.models.review import COUNTED, HELD, REJECTED

STAMP_MISSING = "stamp_missing"
STAMP_IMPLAUSIBLE = "stamp_implausible"
SIGNALS = ("shared_device", "shared_prefix", STAMP_MISSING, STAMP_IMPLAUSIBLE)
MAX_SPAN_SECONDS = 7 * 24 * 3600


def stamp_flags(started_at: datetime | None, now: datetime) -> tuple[str, ...]:
    """The stamp signals of a submission started at ``started_at`` and stored ``now``."""
    if started_at is None:
        return (STAMP_MISSING,)
    seconds = (now - started_at).total_seconds()
    if seconds < 0 or seconds > MAX_SPAN_SECONDS:
        return (STAMP_IMPLAUSIBLE,)
    return ()


def address_prefix(address: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of ``address``; None when it is no address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def _shared_device(round_id: int) -> ColumnElement[bool]:
    shared = (
        select(Response.fingerprint_hash)
        .where(Response.round_id == round_id, Response.fingerprint_hash.is_not(None))
        .group_by(Response.fingerprint_hash)
        .having(func.count(Response.id) > 1)
    )
    return Response.fingerprint_hash.in_(shared)


def _shared_prefix(round_id: int) -> ColumnElement[bool]:
    shared = (
        select(Response.prefix_hash)
        .where(Response.round_id == round_id, Response.prefix_hash.is_not(None))
        .group_by(Response.prefix_hash)
        .having(func.count(func.distinct(Response.source_hash)) > 1)
    )
    return Response.prefix_hash.in_(shared)


def _stamp(code: str) -> ColumnElement[bool]:
    return Response.flags.like(f"%{code}%")


def signal_conditions(round_id: int) -> dict[str, ColumnElement[bool]]:
    """One SQL condition per signal for the responses of ``round_id``."""
    return {
        "shared_device": _shared_device(round_id),
        "shared_prefix": _shared_prefix(round_id),
        STAMP_MISSING: _stamp(STAMP_MISSING),
        STAMP_IMPLAUSIBLE: _stamp(STAMP_IMPLAUSIBLE),
    }


def any_signal(round_id: int) -> ColumnElement[bool]:
    """Whether a response of ``round_id`` has any signal."""
    return or_(*signal_conditions(round_id).values())


def review_counts(session: DbSession, round_id: int) -> dict[str, int]:
    """Held and rejected responses of a round, and each signal among its counted ones
    (``signals``: with any signal), in one query."""
    conditions = signal_conditions(round_id)
    counted = Response.review == COUNTED
    columns: list[Any] = [
        func.count(case((Response.review == HELD, 1))),
        func.count(case((Response.review == REJECTED, 1))),
        func.count(case((and_(counted, any_signal(round_id)), 1))),
    ]
    columns += [func.count(case((and_(counted, c), 1))) for c in conditions.values()]
    row = session.execute(select(*columns).where(Response.round_id == round_id)).one()
    out = {"held": int(row[0] or 0), "rejected": int(row[1] or 0), "signals": int(row[2] or 0)}
    for name, value in zip(conditions, row[3:], strict=True):
        out[f"signal_{name}"] = int(value or 0)
    return out


def signalled_ids(session: DbSession, round_id: int) -> list[str]:
    """The respondent ids (as the analysis names them) of the counted responses of
    ``round_id`` with any signal."""
    rid = func.coalesce(Response.external_id, Response.uid)
    rows = session.scalars(
        select(rid).where(
            Response.round_id == round_id, Response.review == COUNTED, any_signal(round_id)
        )
    )
    return list(rows)
