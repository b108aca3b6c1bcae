"""The provider registry: importing a registry file (all or nothing) and listing.

A provider is found again by its credit code, else its registration number: importing
a file a second time updates the providers it names (each change in the audit log with
the fields before and after) and never adds a second row for one code.  Every row is
checked before anything is written (:func:`surveyapp.providers.registry_file.
read_registry`), and the writes are one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from surveyapp.accounts.service import audit
from surveyapp.models import Provider, ProviderSector, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.providers.registry_file import ProviderRecord, RegistryFile
from surveyapp.rounds.dates import china_today

__all__ = ["ImportOutcome", "import_registry", "list_providers"]

#: The file's column that carries each optional field
_COLUMN = {"address": "address", "lat": "lat", "lon": "lon", "service_types": "service_types",
           "status": "status"}  # fmt: skip


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int


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
    return {k: v for k, v in values.items() if k not in _COLUMN or _COLUMN[k] in record.present}


def _set_status(provider: Provider, status: str, today: date) -> None:
    if status == provider.status and provider.id is not None:
        return
    provider.status = status
    if status == "open":
        provider.opened_on, provider.closed_on = today, None
    else:
        provider.closed_on = today


def _find(session: DbSession, records: Iterable[ProviderRecord]) -> dict[str, Provider]:
    """The stored providers the records name, by key (in chunks: SQL parameter limits)."""
    by_column: dict[str, list[str]] = {"credit_code": [], "registration_no": []}
    for r in records:
        if r.credit_code:
            by_column["credit_code"].append(r.credit_code)
        else:
            by_column["registration_no"].append(r.registration_no or "")
    found: dict[str, Provider] = {}
    for column, keys in by_column.items():
        attribute = getattr(Provider, column)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for provider in session.scalars(select(Provider).where(attribute.in_(chunk))):
                found[provider.key] = provider
    return found


def import_registry(session: DbSession, registry: RegistryFile, actor: User | str) -> ImportOutcome:
    """Store every record of ``registry`` (checked whole by ``read_registry``) and commit.

    A record whose code is stored already updates that provider; one that changes
    nothing is left alone.  Audit: ``provider.create`` and ``provider.update`` (with the
    changed fields, before and after) per provider, and one ``provider.import`` for the
    file.  Nothing is written if anything fails.
    """
    now = utcnow()
    today = china_today(now)
    stored = _find(session, registry.records)
    created = updated = 0
    try:
        for record in registry.records:
            values = _values(record)
            provider = stored.get(record.key)
            if provider is None:
                provider = Provider(
                    credit_code=record.credit_code,
                    registration_no=record.registration_no,
                    created_at=now,
                    updated_at=now,
                    service_types=[],
                )
                status = values.pop("status", "open")
                for field, value in values.items():
                    setattr(provider, field, value)
                _set_status(provider, status, today)
                session.add(provider)
                audit(session, actor, "provider.create", f"provider:{record.key}",
                      {"file": registry.name, "row": record.row, **_shown(values)})  # fmt: skip
                created += 1
                continue
            changes = {
                field: [_plain(getattr(provider, field)), _plain(value)]
                for field, value in values.items()
                if _plain(getattr(provider, field)) != _plain(value)
            }
            if not changes:
                continue
            for field, value in values.items():
                if field == "status":
                    _set_status(provider, value, today)
                elif field in changes:
                    setattr(provider, field, value)
            provider.updated_at = now
            audit(session, actor, "provider.update", f"provider:{record.key}",
                  {"file": registry.name, "row": record.row, "changed": changes})  # fmt: skip
            updated += 1
        outcome = ImportOutcome(created, updated, len(registry.records) - created - updated)
        audit(session, actor, "provider.import", f"file:{registry.name}",
              {"encoding": registry.encoding, "rows": len(registry.records),
               "created": created, "updated": updated, "unchanged": outcome.unchanged})  # fmt: skip
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return outcome


def _plain(value: Any) -> Any:
    """A field's value as JSON compares it (lists, not tuples)."""
    return list(value) if isinstance(value, list | tuple) else value


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in values.items() if v not in (None, [], ())}


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
