"""Writing the registry as a registry file (``surveyapp providers export``).

The columns are the import's (:data:`surveyapp.providers.registry_file.COLUMNS`, under
their English names), so an export imported again changes nothing: coordinates are
written in full (``repr`` of the stored WGS-84 float, ``crs`` ``WGS84``), sectors and
service types ``;``-separated, cells made safe for spreadsheets as every CSV we write
(the import takes the protecting quote off again).  UTF-8 with a byte-order mark, so
Excel shows the Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from surveyapp import csv_safe
from surveyapp.csvtable import BOM
from surveyapp.models import Provider
from surveyapp.providers.registry_file import COLUMNS

__all__ = ["provider_fields", "registry_csv", "registry_row"]


def provider_fields(p: Provider) -> dict[str, Any]:
    """The provider as JSON-ready fields (``providers list --format json``, the API)."""
    return {
        "id": p.key,
        "credit_code": p.credit_code,
        "registration_no": p.registration_no,
        "name": p.name,
        "sectors": p.sectors,
        "district": p.district,
        "address": p.address,
        "lat": p.lat,
        "lon": p.lon,
        "service_types": list(p.service_types or ()),
        "status": p.status,
        "opened_on": p.opened_on.isoformat() if p.opened_on else None,
        "closed_on": p.closed_on.isoformat() if p.closed_on else None,
    }


def registry_row(provider: Provider) -> list[str]:
    """The provider as one row of :data:`COLUMNS`."""
    located = provider.lat is not None and provider.lon is not None
    cells = {
        "credit_code": provider.credit_code or "",
        "registration_no": provider.registration_no or "",
        "name": provider.name,
        "sector": ";".join(provider.sectors),
        "district": provider.district,
        "address": provider.address or "",
        "lat": repr(provider.lat) if located else "",
        "lon": repr(provider.lon) if located else "",
        "service_types": ";".join(provider.service_types or ()),
        "status": provider.status,
        "crs": "WGS84" if located else "",
    }
    return [cells[c] for c in COLUMNS]


def registry_csv(providers: Iterable[Provider]) -> bytes:
    """The registry file of ``providers`` (UTF-8 with a BOM, CRLF lines)."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(registry_row(p) for p in providers)
    return BOM + out.getvalue().encode("utf-8")
