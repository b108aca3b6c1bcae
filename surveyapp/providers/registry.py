"""The provider registry: importing a registry file (all or nothing) and listing.

A provider is found again by its credit code, else its registration number: importing
a file a second time updates the providers it names (each change in the audit log with
the fields before and after) and never adds a second row for one code.  Every row is
checked before anything is written (:func:`surveyapp.providers.registry_file.
read_registry`), and the writes are one transaction.

A row naming a duplicate that was merged into another provider (``merged_into_id``) is
*referred to the provider kept* and changes nothing: the duplicate stays merged and
closed (never reopened by a registry that still lists it, say, under the registration
number an individual business had before its credit code), and the kept provider is
not overwritten from the duplicate's row (whose status is typically 注销); when the kept
provider's own row is in the file too, it keeps the sectors the still-listed duplicate
brought at the merge.  The outcome names each such row with the code
kept, and the file's ``provider.import`` audit row lists them, so staff can see the
registry still carries the duplicate; the import is not refused for it, because a
registry export loads as it comes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import MultipleResultsFound
from sqlalchemy.orm import joinedload

from surveyapp.accounts.service import audit_row
from surveyapp.models import AuditLog, Provider, ProviderSector, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.providers.registry_file import ProviderRecord, RegistryFile
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import sorted_sectors

__all__ = ["ImportOutcome", "import_registry", "list_providers", "provider_by_key"]


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int
    # rows naming a duplicate merged into another provider: (row, its code, the kept one's)
    merged: tuple[tuple[int, str, str], ...] = ()


#: The stored fields a record sets, in the provider table
_COLUMNS = ("name", "district", "address", "lat", "lon", "service_types", "status")
_CHUNK = 500  # keys per IN (...): within every backend's parameter limit
_SCAN_FROM = 2_000  # records from which the whole registry is read rather than looked up
#: Fields of optional columns (named as the columns): a file without the column keeps them
_OPTIONAL = frozenset({"address", "lat", "lon", "service_types", "status"})


def _values(record: ProviderRecord) -> dict[str, Any]:
    """What the record sets: every field whose column the file has."""
    values: dict[str, Any] = {
        "name": record.name,
        "sectors": list(record.sectors),
        "district": record.district,
        "address": record.address,
        "lat": record.lat,
        "lon": record.lon,
        "service_types": list(record.service_types),
        "status": record.status,
    }
    return {k: v for k, v in values.items() if k not in _OPTIONAL or k in record.present}


def _identity(credit_code: str | None, registration_no: str | None) -> tuple[str, str]:
    """Which column identifies a provider, and its value."""
    if credit_code:
        return "credit_code", credit_code
    return "registration_no", registration_no or ""


def _by_identity(
    session: DbSession, wanted: set[tuple[str, str]], columns: Sequence[Any]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """``(id, *columns)`` of the stored providers among ``wanted`` identities.  Many are
    read by one query over the whole registry (keyed look-ups of 50,000 codes cost
    PostgreSQL's driver seconds of parameter handling); a few are looked up in chunks."""
    head = select(Provider.id, Provider.credit_code, Provider.registration_no, *columns)
    queries = [head] if len(wanted) >= _SCAN_FROM else [
        head.where(getattr(Provider, column).in_(chunk))
        for column in ("credit_code", "registration_no")
        for chunk in _chunks(sorted(v for c, v in wanted if c == column))
    ]  # fmt: skip
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    for query in queries:
        for pid, credit_code, registration_no, *values in session.execute(query):
            identity = _identity(credit_code, registration_no)
            if identity in wanted:
                found[identity] = (pid, *values)
    return found


def _stored(
    session: DbSession, records: Sequence[ProviderRecord]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored providers the records name, by identity: their id and fields, sectors
    included."""
    wanted = {_identity(r.credit_code, r.registration_no) for r in records}
    rows = _by_identity(session, wanted, [getattr(Provider, c) for c in _COLUMNS])
    found = {
        identity: {"id": pid, **dict(zip(_COLUMNS, values, strict=True)), "sectors": []}
        for identity, (pid, *values) in rows.items()
    }
    by_id = {row["id"]: row for row in found.values()}
    pairs = select(ProviderSector.provider_id, ProviderSector.sector)
    sector_queries = [pairs] if len(wanted) >= _SCAN_FROM else [
        pairs.where(ProviderSector.provider_id.in_(chunk)) for chunk in _chunks(list(by_id))
    ]  # fmt: skip
    for query in sector_queries:
        for pid, sector in session.execute(query):
            if pid in by_id:
                by_id[pid]["sectors"].append(sector)
    for row in by_id.values():
        row["sectors"] = sorted_sectors(row["sectors"])
    return found


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _status_days(status: str, today: date) -> dict[str, date | None]:
    """The open/close days a provider gets when it is recorded ``status``."""
    return {"opened_on": today, "closed_on": None} if status == "open" else {"closed_on": today}


@dataclass
class _Plan:
    """What an import writes, worked out before anything is written."""

    file: str
    actor: User | str
    now: datetime
    new: list[tuple[ProviderRecord, dict[str, Any]]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    sectors: dict[int, list[str]] = field(default_factory=dict)  # provider id -> new sectors
    audits: list[dict[str, Any]] = field(default_factory=list)

    def audit(self, action: str, record: ProviderRecord, details: dict[str, Any]) -> None:
        details = {"file": self.file, "row": record.row, **details}
        self.audits.append(
            audit_row(self.actor, action, f"provider:{record.key}", details, at=self.now)
        )

    def create(self, record: ProviderRecord, values: dict[str, Any], today: date) -> None:
        status = values.get("status", "open")
        row = dict.fromkeys(("address", "lat", "lon", "opened_on", "closed_on"))
        row.update({k: v for k, v in values.items() if k != "sectors"})
        row.update(credit_code=record.credit_code, registration_no=record.registration_no,
                   service_types=values.get("service_types", []), status=status,
                   created_at=self.now, updated_at=self.now)  # fmt: skip
        row.update(_status_days(status, today))
        self.new.append((record, row))

    def update(
        self, record: ProviderRecord, old: dict[str, Any], values: dict[str, Any], today: date
    ) -> None:
        changes = {f: [old[f], v] for f, v in values.items() if old[f] != v}
        if not changes:
            return
        row = {"id": old["id"], "updated_at": self.now}
        row.update({f: values[f] for f in changes if f != "sectors"})
        if "status" in changes:
            row.update(_status_days(values["status"], today))
        self.updates.append(row)
        if "sectors" in changes:
            self.sectors[old["id"]] = values["sectors"]
        self.audit("provider.update", record, {"changed": changes})


def _write(session: DbSession, plan: _Plan) -> None:
    """Insert the new providers, update the changed ones, their sectors, the audit rows."""
    sector_rows = [{"provider_id": pid, "sector": s} for pid, codes in plan.sectors.items()
                   for s in codes]  # fmt: skip
    if plan.new:
        # a plain executemany (RETURNING makes one huge statement per 1,000 rows, which
        # PostgreSQL's driver parses for seconds), then the new ids in one read
        session.execute(insert(Provider), [row for _, row in plan.new])
        identities = {_identity(r.credit_code, r.registration_no) for r, _ in plan.new}
        ids = _by_identity(session, identities, [])
        for record, row in plan.new:
            (pid,) = ids[_identity(record.credit_code, record.registration_no)]
            sector_rows += [{"provider_id": pid, "sector": s} for s in record.sectors]
            shown = {k: v for k, v in row.items() if k in _COLUMNS and v not in (None, [])}
            plan.audit("provider.create", record, {"sectors": list(record.sectors), **shown})
    if plan.updates:
        session.execute(update(Provider), plan.updates)
    changed = list(plan.sectors)
    for chunk in _chunks(changed):
        session.execute(delete(ProviderSector).where(ProviderSector.provider_id.in_(chunk)))
    if sector_rows:
        session.execute(insert(ProviderSector), sector_rows)
    if plan.audits:
        session.execute(insert(AuditLog), plan.audits)


def import_registry(session: DbSession, registry: RegistryFile, actor: User | str) -> ImportOutcome:
    """Store every record of ``registry`` (checked whole by ``read_registry``) and commit.

    A record whose code is stored already updates that provider; one that changes
    nothing is left alone.  Audit: ``provider.create`` and ``provider.update`` (with the
    changed fields, before and after) per provider, and one ``provider.import`` for the
    file.  Nothing is written if anything fails.  Bulk statements throughout: 50,000
    providers are a few statements per table, not 50,000 ORM objects.
    """
    plan = _Plan(registry.name, actor, utcnow())
    today = china_today(plan.now)
    stored = _stored(session, registry.records)
    kept_of = _merged(session, {row["id"] for row in stored.values()})
    merged: list[tuple[int, str, str]] = []
    carried: dict[int, set[str]] = {}  # kept provider id -> its merged duplicates' sectors
    for record in registry.records:
        old = stored.get(_identity(record.credit_code, record.registration_no))
        if old is not None and old["id"] in kept_of:
            kept_id, kept_key = kept_of[old["id"]]
            merged.append((record.row, record.key, kept_key))
            carried.setdefault(kept_id, set()).update(record.sectors)
    for record in registry.records:
        old = stored.get(_identity(record.credit_code, record.registration_no))
        values = _values(record)
        if old is None:
            plan.create(record, values, today)
        elif old["id"] not in kept_of:
            if old["id"] in carried:  # the sectors its duplicate, still listed, brought
                values["sectors"] = sorted_sectors({*values["sectors"], *carried[old["id"]]})
            plan.update(record, old, values, today)
    total = len(registry.records)
    outcome = ImportOutcome(
        len(plan.new),
        len(plan.updates),
        total - len(plan.new) - len(plan.updates) - len(merged),
        tuple(merged),
    )
    summary = {"encoding": registry.encoding, "rows": total, "created": outcome.created,
               "updated": outcome.updated, "unchanged": outcome.unchanged}  # fmt: skip
    if merged:
        summary["merged"] = [{"row": r, "code": c, "kept": k} for r, c, k in merged]
    try:
        _write(session, plan)
        session.execute(
            insert(AuditLog),
            [audit_row(actor, "provider.import", f"file:{registry.name}", summary, at=plan.now)],
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.expire_all()  # providers loaded before see the bulk UPDATE (no expiry on commit)
    return outcome


def _merged(session: DbSession, ids: set[int]) -> dict[int, tuple[int, str]]:
    """Of the providers ``ids``, the merged duplicates → the id and key of the provider
    kept (the end of the chain, should a kept provider itself have been merged since)."""
    linked = select(Provider.id, Provider.merged_into_id).where(
        Provider.merged_into_id.is_not(None)
    )
    pairs: dict[int, int] = {
        pid: target for pid, target in session.execute(linked) if target is not None
    }
    ends: dict[int, int] = {}
    for pid, target in pairs.items():
        if pid not in ids:
            continue
        seen = {pid}
        while target in pairs and target not in seen:  # a chain of merges: follow it
            seen.add(target)
            target = pairs[target]
        ends[pid] = target
    keys: dict[int, str] = {}
    if ends:
        named = select(Provider.id, Provider.credit_code, Provider.registration_no).where(
            Provider.id.in_(set(ends.values()))
        )
        keys = {pid: code or number or "" for pid, code, number in session.execute(named)}
    return {pid: (target, keys.get(target, "")) for pid, target in ends.items()}


def list_providers(session: DbSession, sector: str | None = None) -> list[Provider]:
    """Providers (of ``sector``, when given), by district, name and id."""
    query = select(Provider).order_by(Provider.district, Provider.name, Provider.id)
    if sector is not None:
        query = query.where(
            Provider.id.in_(
                select(ProviderSector.provider_id).where(ProviderSector.sector == sector)
            )
        )
    return list(session.scalars(query))


def _key_params(key: str) -> dict[str, str] | None:
    """The bind parameters of a look-up by ``key`` (credit code in any case, or
    registration number); ``None`` for a key no provider can have (empty, too long, a
    NUL, which PostgreSQL refuses): it never reaches the database."""
    key = key.strip()
    if not key or len(key) > 64 or "\x00" in key:
        return None
    return {"code": key.upper(), "number": key}


#: the condition of every look-up by key (bound parameters ``code`` and ``number``)
_KEY_MATCH = or_(
    Provider.credit_code == bindparam("code"),
    Provider.registration_no == bindparam("number"),
)


def provider_by_key(session: DbSession, key: str) -> Provider | None:
    """The provider whose credit code (any case) or registration number is ``key``: the
    one look-up of every page, API route and command that names a provider."""
    params = _key_params(key)
    if params is None:
        return None
    return session.execute(_BY_KEY, params).unique().scalar_one_or_none()


#: :func:`provider_by_key`'s query, built once: its sectors joined.
_BY_KEY = select(Provider).options(joinedload(Provider.sector_rows)).where(_KEY_MATCH)


@dataclass(frozen=True)
class RatedProvider:
    """What a rating post reads of its provider (``key``, ``sectors`` as on
    :class:`~surveyapp.models.Provider`)."""

    id: int
    key: str
    status: str
    sectors: list[str]


def rated_provider(session: DbSession, key: str) -> RatedProvider | None:
    """:func:`provider_by_key` as plain values in one query: the rating API's hot path.

    A rating post from a kiosk needs the provider's id, public key, status and sectors
    only, and building the ORM provider with its sector rows cost more than the query
    itself (0.18 against 0.07 ms per post, SQLite, in process).
    """
    params = _key_params(key)
    if params is None:
        return None
    rows = session.connection().execute(_RATED_BY_KEY, params).all()
    if not rows:
        return None
    pid, code, number, status, _ = rows[0]
    if any(r.id != pid for r in rows):  # one's code another's number: as provider_by_key
        raise MultipleResultsFound(f"two providers have the key {key.strip()!r}")
    sectors = sorted_sectors(r.sector for r in rows if r.sector is not None)
    return RatedProvider(pid, code or number or "", status, sectors)


#: :func:`rated_provider`'s query, built once: one row per sector.
_RATED_BY_KEY = (
    select(
        Provider.id,
        Provider.credit_code,
        Provider.registration_no,
        Provider.status,
        ProviderSector.sector,
    )
    .outerjoin(ProviderSector, ProviderSector.provider_id == Provider.id)
    .where(_KEY_MATCH)
)
