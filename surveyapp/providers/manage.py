"""Changing the registry one provider at a time (the admin pages): add, edit, close, merge.

Every value is checked by the import's own rules (:func:`surveyapp.providers.
registry_file.check_record`: credit-code check character, sectors, coordinates, lengths),
so a provider added on a page could have come from a registry file and the other way
round.  Each operation writes its audit row (``provider.create``, ``provider.update``
with the changed fields before and after, ``provider.close``, ``provider.merge``) and
leaves the commit to the caller.

Merging a duplicate into the provider kept moves every reference to the duplicate
(ratings, practitioners, and whatever other table has a foreign key to ``provider.id``)
to the kept one, gives the kept one the duplicate's sectors too, and closes the
duplicate with ``merged_into_id`` set: nothing is deleted, except a duplicate's rating
that the kept provider already has from the same device in the same sector and window (one
rating per device per provider per sector per window: the later one stays, as a second rating replaces
the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import aliased

from surveyapp.accounts.service import audit
from surveyapp.models import Provider, Rating, User
from surveyapp.models.base import Base, DbSession, utcnow
from surveyapp.providers.export import provider_fields
from surveyapp.providers.published import mark_stale
from surveyapp.providers.registry import _values
from surveyapp.providers.registry_file import ProviderRecord, check_record
from surveyapp.responses.importer import ImportProblem
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import sorted_sectors

__all__ = [
    "EDITED",
    "ProviderRefused",
    "close_provider",
    "create_provider",
    "edit_provider",
    "merge_providers",
    "record_of",
]

#: The fields an edit may change (the identifier is the provider's identity: merge instead)
EDITED = ("name", "sectors", "district", "address", "lat", "lon", "service_types")


class ProviderRefused(ValueError):
    """What the service refuses: ``code`` names the reason, ``problems`` the import's
    findings per column (for an add or an edit)."""

    def __init__(self, code: str, problems: list[ImportProblem] | None = None, **params: Any):
        super().__init__(code)
        self.code = code
        self.problems = problems or []
        self.params = params


def record_of(values: dict[str, str]) -> ProviderRecord:
    """The form's values (the registry file's columns) as a checked record, or
    :class:`ProviderRefused` with the import's problems."""
    record, problems = check_record(values)
    if record is None:
        raise ProviderRefused("invalid", problems)
    return record


def _fields(record: ProviderRecord) -> dict[str, Any]:
    """What the record sets of the :data:`EDITED` fields, as an import sets them."""
    values = _values(record)
    return {name: values.get(name) for name in EDITED}


def _stored_fields(provider: Provider) -> dict[str, Any]:
    fields = provider_fields(provider)
    return {name: fields[name] for name in EDITED}


def _target(provider: Provider) -> str:
    return f"provider:{provider.key}"


def create_provider(
    session: DbSession, values: dict[str, str], actor: User | str, *, ip: str | None = None
) -> Provider:
    """A new open provider from the registry file's columns (checked as an import checks
    them); refused as ``taken`` when its credit code or registration number is stored."""
    record = record_of(values)
    column = "credit_code" if record.credit_code else "registration_no"
    if session.scalar(select(Provider.id).where(getattr(Provider, column) == record.key)):
        raise ProviderRefused("taken", column=column, value=record.key)
    now = utcnow()
    fields = _fields(record)
    provider = Provider(
        credit_code=record.credit_code,
        registration_no=record.registration_no,
        status="open",
        opened_on=china_today(now),
        created_at=now,
        updated_at=now,
        **{k: v for k, v in fields.items() if k != "sectors"},
    )
    provider.sectors = fields["sectors"]
    session.add(provider)
    session.flush()
    shown = {k: v for k, v in fields.items() if v not in (None, [])}
    audit(session, actor, "provider.create", _target(provider), shown, ip=ip)
    return provider


def edit_provider(
    session: DbSession,
    provider: Provider,
    values: dict[str, str],
    actor: User | str,
    *,
    ip: str | None = None,
) -> dict[str, list[Any]]:
    """Change the provider's :data:`EDITED` fields to ``values`` (checked as an import
    checks them; the identifier stays); returns the changes ``{field: [before, after]}``,
    audited when there are any."""
    identity = {"credit_code": provider.credit_code or "",
                "registration_no": provider.registration_no or ""}  # fmt: skip
    record = record_of({**values, **identity})
    old, new = _stored_fields(provider), _fields(record)
    changes = {f: [old[f], new[f]] for f in EDITED if old[f] != new[f]}
    if not changes:
        return changes
    for name, (_, value) in changes.items():
        setattr(provider, name, value)
    provider.updated_at = utcnow()
    audit(session, actor, "provider.update", _target(provider), {"changed": changes}, ip=ip)
    return changes


def close_provider(
    session: DbSession, provider: Provider, day: date, actor: User | str, *, ip: str | None = None
) -> None:
    """Record the provider closed on the China day ``day`` (not before it opened, not in
    the future)."""
    if provider.status == "closed":
        raise ProviderRefused("already_closed")
    now = utcnow()
    if day > china_today(now):
        raise ProviderRefused("close_future")
    if provider.opened_on is not None and day < provider.opened_on:
        raise ProviderRefused("close_before_open", opened=provider.opened_on.isoformat())
    provider.status = "closed"
    provider.closed_on = day
    provider.updated_at = now
    audit(session, actor, "provider.close", _target(provider), {"closed_on": day.isoformat()},
          ip=ip)  # fmt: skip


@dataclass(frozen=True)
class MergeOutcome:
    ratings_moved: int
    ratings_replaced: int
    references: dict[str, int]


#: Tables of figures recomputed from the ratings (the published scores): a duplicate's
#: rows there are dropped, not moved (the next refresh counts its moved ratings)
DERIVED = ("provider_score", "provider_item_score", "provider_score_past")


def _references() -> list[tuple[Any, Any]]:
    """(table, column) of every foreign key to ``provider.id`` but the registry's own
    (the sectors are merged by hand, ``merged_into_id`` is the merge itself)."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name == "provider_sector":
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "provider" and fk.column.name == "id":
                if not (table.name == "provider" and fk.parent.name == "merged_into_id"):
                    found.append((table, fk.parent))
    return found


def merge_providers(
    session: DbSession,
    kept: Provider,
    duplicate: Provider,
    actor: User | str,
    *,
    ip: str | None = None,
) -> MergeOutcome:
    """Merge ``duplicate`` into ``kept`` (see the module's docstring); audited with what
    moved."""
    if kept.id == duplicate.id:
        raise ProviderRefused("merge_same")
    if duplicate.merged_into_id is not None or kept.merged_into_id is not None:
        raise ProviderRefused("merge_merged")
    # a device's rating of both in one window: the earlier of the two goes
    other = aliased(Rating)
    clash = and_(
        other.device_hash == Rating.device_hash,
        other.sector == Rating.sector,
        other.window_start == Rating.window_start,
        other.practitioner_id.is_(None),
    )
    older_dup = select(Rating.id).where(
        Rating.provider_id == duplicate.id,
        Rating.practitioner_id.is_(None),
        exists().where(clash, other.provider_id == kept.id, other.created_at >= Rating.created_at),
    )
    older_kept = select(Rating.id).where(
        Rating.provider_id == kept.id,
        Rating.practitioner_id.is_(None),
        exists().where(
            clash, other.provider_id == duplicate.id, other.created_at > Rating.created_at
        ),
    )
    gone = [*session.scalars(older_dup), *session.scalars(older_kept)]
    if gone:
        session.execute(delete(Rating).where(Rating.id.in_(gone)))
    references: dict[str, int] = {}
    for table, column in _references():
        if table.name in DERIVED:
            session.execute(delete(table).where(column == duplicate.id))
            continue
        result = session.execute(
            update(table).where(column == duplicate.id).values({column.name: kept.id})
        )
        moved = int(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult
        if moved:
            references[f"{table.name}.{column.name}"] = moved
    before = kept.sectors
    kept.sectors = sorted_sectors({*kept.sectors, *duplicate.sectors})
    now = utcnow()
    duplicate.merged_into_id = kept.id
    if duplicate.status != "closed":
        duplicate.status = "closed"
        duplicate.closed_on = china_today(now)
    duplicate.updated_at = kept.updated_at = now
    outcome = MergeOutcome(references.get("rating.provider_id", 0), len(gone), references)
    details = {"kept": kept.key, "merged": duplicate.key, "moved": references,
               "ratings_replaced": len(gone)}  # fmt: skip
    if kept.sectors != before:
        details["sectors"] = [before, kept.sectors]
    audit(session, actor, "provider.merge", _target(duplicate), details, ip=ip)
    mark_stale(session)  # the kept provider's counts changed: recount at the next read
    return outcome
