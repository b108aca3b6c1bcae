"""Storing the communities of the 15-minute circle: import a communities file, export
what is stored.

The file is the one ``surveyapp circle coverage`` reads (:func:`surveyapp.circle.files.
read_communities`: ``community``, ``district``, ``population``, ``lat``, ``lon`` [,
``crs``], UTF-8 or GBK, GCJ-02 rows converted).  An import is all or nothing: every
problem of the file is reported with its row and column and nothing is stored; a good
file **replaces** the stored communities in one transaction (a city's communities are
one list, kept by the bureau that owns it, so the stored set is always one file), and
the import is audited.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select

from surveyapp import csv_safe
from surveyapp.circle.files import read_communities
from surveyapp.circle.stored import clear_cache
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.circle import CircleCommunity
from surveyapp.models.user import User

__all__ = ["ImportSummary", "communities_csv", "import_communities", "stored_count"]

_SOURCE_MAX = 200


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: rows stored, the ones they replaced, districts, residents."""

    stored: int
    replaced: int
    districts: int
    population: int
    notes: tuple[str, ...]


def import_communities(
    session: DbSession,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    actor: User | str = "cli",
    ip: str | None = None,
) -> ImportSummary:
    """Replace the stored communities by those of the file at ``path`` (shown as
    ``name``), or raise :class:`~surveyapp.responses.importer.ImportFailed` with every
    problem and store nothing.  Commits."""
    from surveyapp.accounts.service import audit

    file = name or os.fspath(path)
    communities = read_communities(path, name=file)
    now = utcnow()
    source = os.path.basename(file)[:_SOURCE_MAX]
    rows = [
        {
            "name": str(communities.name[i]),
            "district": str(communities.district[i]),
            "population": int(communities.population[i]),
            "lat": float(communities.lat[i]),
            "lon": float(communities.lon[i]),
            "source_row": int(communities.rows[i]),
            "source": source,
            "imported_at": now,
        }
        for i in range(communities.n)
    ]
    try:
        replaced = session.scalar(select(func.count()).select_from(CircleCommunity)) or 0
        session.execute(delete(CircleCommunity))
        session.execute(insert(CircleCommunity), rows)
        summary = ImportSummary(
            len(rows),
            int(replaced),
            len(set(communities.district.tolist())),
            int(communities.population.sum()),
            (f"{file}: columns ignored: {', '.join(communities.ignored)}",)
            if communities.ignored
            else (),
        )
        audit(
            session,
            actor,
            "circle.communities_import",
            f"file:{source}",
            {
                "stored": summary.stored,
                "replaced": summary.replaced,
                "districts": summary.districts,
                "population": summary.population,
            },
            ip=ip,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    clear_cache()  # this process sees the new communities at once (others within seconds)
    return summary


def stored_count(session: DbSession) -> tuple[int, Any]:
    """How many communities are stored and when they were imported (``None``: never)."""
    count, at = session.execute(select(func.count(), func.max(CircleCommunity.imported_at))).one()
    return int(count), at


def communities_csv(session: DbSession) -> str:
    """The stored communities as a communities file (WGS-84), importable again."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(["community", "district", "population", "lat", "lon", "crs"])
    for c in session.scalars(
        select(CircleCommunity).order_by(CircleCommunity.source_row, CircleCommunity.id)
    ):
        writer.writerow([c.name, c.district, c.population, f"{c.lat:.7f}", f"{c.lon:.7f}", "WGS84"])
    return out.getvalue()
