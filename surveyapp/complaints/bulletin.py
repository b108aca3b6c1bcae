"""The complaints of a bulletin's period, per sector, for its complaints section.

What is counted, per sector and period (China days from the period's first to its last):

- *received*: complaints received that period, by any channel, whatever became of them;
- *accepted*: complaints accepted that period (the day of acceptance);
- *categories*: the complaints received, per category, most first;
- *mediated*: cases closed that period after mediation (和解成功 or 未达成和解), of
  which *settled* 和解成功: the mediation success rate is settled / mediated.

Only complaints stored by the moment the counts are taken (``as_of``) count, and every
figure depends on a day that is set once (received, accepted, closed), so the same
query later gives the same numbers.  A published bulletin does not rely on that: the
counts themselves are its stored inputs (:func:`complaints_record`, no complainant data
in them), and rendering it again (:func:`surveyapp.bulletins.rederive_bulletin`) prints
them, never a fresh count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from reports.bulletin_complaints import ComplaintsSection, PeriodCounts, SectorComplaints
from surveyapp.indices import PeriodError, previous_period
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import Complaint
from surveyapp.rounds.dates import day_start, period_days
from surveyapp.sectors import sector_name, sorted_sectors
from surveyapp.workdays import china_date

__all__ = ["RULE", "bulletin_complaints", "complaints_record", "period_counts", "section_of"]

#: The outcomes of a concluded mediation, and the one that counts as success
MEDIATED = ("和解成功", "未达成和解")
SETTLED = "和解成功"
#: The counting rule, stored with the counts
RULE = (
    "received, accepted: by the China day received / accepted; categories: of the "
    "received; mediated: closed after mediation (和解成功 or 未达成和解) by the day "
    "closed; rate: 和解成功 / mediated; only complaints stored by as_of"
)


def period_counts(
    session: DbSession, sectors: list[str], period: str, as_of: datetime
) -> dict[str, dict[str, Any]]:
    """Sector → its counts of ``period`` (the record's form: plain JSON)."""
    days = period_days(period)
    if days is None:
        raise ValueError(f"period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026")
    start, end = day_start(days[0]), day_start(days[1] + timedelta(days=1))
    stored = (Complaint.created_at <= as_of, Complaint.sector.in_(sectors))
    out: dict[str, dict[str, Any]] = {
        s: {"received": 0, "accepted": 0, "mediated": 0, "settled": 0, "categories": []}
        for s in sectors
    }
    received = session.execute(
        select(Complaint.sector, Complaint.category, func.count())
        .where(*stored, Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(Complaint.sector, Complaint.category)
    ).all()
    for sector, category, n in sorted(received, key=lambda r: (-r[2], r[1])):
        out[sector]["received"] += n
        out[sector]["categories"].append([category, n])
    accepted = session.execute(
        select(Complaint.sector, func.count())
        .where(*stored, Complaint.accepted_at >= start, Complaint.accepted_at < end)
        .group_by(Complaint.sector)
    ).all()
    for sector, n in accepted:
        out[sector]["accepted"] = n
    mediated = session.execute(
        select(Complaint.sector, Complaint.outcome, func.count())
        .where(
            *stored,
            Complaint.status == "closed",
            Complaint.outcome.in_(MEDIATED),
            Complaint.closed_at >= start,
            Complaint.closed_at < end,
        )
        .group_by(Complaint.sector, Complaint.outcome)
    ).all()
    for sector, outcome, n in mediated:
        out[sector]["mediated"] += n
        out[sector]["settled"] += n if outcome == SETTLED else 0
    return out


def complaints_record(
    session: DbSession, period: str, sectors: Iterable[str], now: datetime | None = None
) -> dict[str, Any]:
    """The counts of ``period`` and of the period before for ``sectors``, as stored in
    a bulletin's inputs (``inputs["complaints"]``)."""
    as_of = now or utcnow()
    codes = sorted_sectors(sectors)
    try:
        before: str | None = previous_period(period)
    except PeriodError:
        before = None
    counts = {period: period_counts(session, codes, period, as_of)}
    if before is not None and period_days(before) is not None:
        counts[before] = period_counts(session, codes, before, as_of)
    else:
        before = None
    return {
        "rule": RULE,
        "as_of": as_of.isoformat(),
        "period": period,
        "previous_period": before,
        "sectors": codes,
        "counts": counts,
    }


def _printed_counts(record: Mapping[str, Any]) -> PeriodCounts:
    return PeriodCounts(
        received=int(record["received"]),
        accepted=int(record["accepted"]),
        mediated=int(record["mediated"]),
        settled=int(record["settled"]),
        categories=tuple((str(c), int(n)) for c, n in record["categories"]),
    )


def section_of(record: Mapping[str, Any], lang: str) -> ComplaintsSection:
    """The printed section of a record (fresh, or pinned by a published bulletin)."""
    period, before = record["period"], record["previous_period"]
    days = period_days(period)
    if days is None:
        raise ValueError(f"complaints record of an unknown period {period!r}")
    lines = []
    for code in record["sectors"]:
        previous = record["counts"][before].get(code) if before else None
        lines.append(
            SectorComplaints(
                sector=code,
                title=sector_name(code, lang),
                current=_printed_counts(record["counts"][period][code]),
                previous=_printed_counts(previous) if previous is not None else None,
            )
        )
    return ComplaintsSection(
        first=days[0],
        last=days[1],
        previous_period=before,
        as_of=china_date(datetime.fromisoformat(record["as_of"])),
        sectors=tuple(lines),
    )


def bulletin_complaints(
    session: DbSession,
    period: str,
    sectors: Iterable[str],
    lang: str,
    *,
    pinned: Mapping[str, Any] | None = None,
) -> tuple[ComplaintsSection | None, dict[str, Any]]:
    """The bulletin's complaints section and its record: counted now, or the ``pinned``
    record of a published edition printed again as it was (an empty record: an edition
    published before bulletins had the section, printed again without it)."""
    if pinned is not None and not pinned:
        return None, {}
    record = dict(pinned) if pinned is not None else complaints_record(session, period, sectors)
    return section_of(record, lang), record
