"""Complaint publicity (消费投诉公示): per provider and month, what may be published.

**The publishable rule** (documented in the README): a complaint counts for a month
when it was accepted, is closed, ended that month (its ``closed_at``, China time) with
an outcome of ``COMPLAINT_PUBLISH_OUTCOMES`` (default 和解成功 and 未达成和解: a case
ended 终止 — withdrawn by the complainant, say — is not published), and names a
provider of the registry.  Complaints that name a provider by free text only are not
published until staff match them; the publication says how many there were.

Per provider: its name and unified social credit code (else registration number), the
complaints counted, the share of each category, and the mediation success rate
(和解成功率: settled / counted).  Nothing of the complainant is read: the query selects
provider, category and outcome only, so a name or phone cannot reach a publication.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from surveyapp import csv_safe
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.models import Provider
from surveyapp.models.base import DbSession
from surveyapp.models.complaint import Complaint
from surveyapp.rounds.dates import day_start

__all__ = ["Publicity", "PublicityLine", "month_period", "publicity", "publicity_csv"]

SETTLED = "和解成功"


@dataclass(frozen=True)
class PublicityLine:
    """One provider's line of a month's publicity."""

    provider_name: str
    credit_code: str  # the unified social credit code, else the registration number
    complaints: int  # accepted and counted under the publishable rule
    category_counts: tuple[int, ...]  # in the order of Publicity.categories
    settled: int

    @property
    def category_shares(self) -> tuple[float, ...]:
        return tuple(n / self.complaints for n in self.category_counts)

    @property
    def success_rate(self) -> float:
        """和解成功率: settled cases over the cases counted."""
        return self.settled / self.complaints


@dataclass(frozen=True)
class Publicity:
    period: str  # 2026-10
    first: date
    last: date
    categories: tuple[str, ...]
    outcomes: tuple[str, ...]  # the outcomes counted
    lines: tuple[PublicityLine, ...]
    unmatched: int  # complaints that would count but name no registered provider


def month_period(text: str) -> tuple[str, date, date]:
    """``2026-10`` (also ``2026M10``) as its label, first and last day."""
    match = re.fullmatch(r"(\d{4})(?:-|M)(0[1-9]|1[0-2])", text.strip())
    if match is None:
        raise ValueError(f"--period {text!r} is not a month like 2026-10")
    year, month = int(match.group(1)), int(match.group(2))
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    return f"{year}-{month:02d}", first, after - timedelta(days=1)


def publicity(
    session: DbSession, period: str, settings: ComplaintSettings, provider_id: int | None = None
) -> Publicity:
    """The month's publicity under the publishable rule (module docstring); with
    ``provider_id``, that provider's line only (the provider's own page)."""
    label, first, last = month_period(period)
    counted = (
        Complaint.status == "closed",
        Complaint.accepted_at.is_not(None),
        Complaint.outcome.in_(settings.publish_outcomes),
        Complaint.closed_at >= day_start(first),
        Complaint.closed_at < day_start(last + timedelta(days=1)),
        *(() if provider_id is None else (Complaint.provider_id == provider_id,)),
    )
    rows = session.execute(
        select(Complaint.provider_id, Complaint.category, Complaint.outcome, func.count())
        .where(*counted)
        .group_by(Complaint.provider_id, Complaint.category, Complaint.outcome)
    ).all()
    categories = list(settings.categories)
    for _, category, _, _ in rows:  # a category dropped from the settings since
        if category not in categories:
            categories.append(category)
    position = {category: i for i, category in enumerate(categories)}
    per: dict[int, list[int]] = {}
    settled: dict[int, int] = {}
    unmatched = 0
    for provider_id, category, outcome, n in rows:
        if provider_id is None:
            unmatched += n
            continue
        counts = per.get(provider_id)
        if counts is None:
            counts = per[provider_id] = [0] * len(categories)
            settled[provider_id] = 0
        counts[position[category]] += n
        if outcome == SETTLED:
            settled[provider_id] += n
    # name and key only, as plain rows: a month of a city names tens of thousands of
    # providers, and whole objects (with their sectors) cost most of the time; chosen by
    # a subquery, not a list of their ids (tens of thousands of parameters to parse)
    named = session.execute(
        select(Provider.id, Provider.name, Provider.credit_code, Provider.registration_no).where(
            Provider.id.in_(select(Complaint.provider_id).where(*counted).distinct())
        )
    )
    providers = {pid: (name, code or number or "") for pid, name, code, number in named}
    lines = [
        PublicityLine(*providers[pid], sum(counts), tuple(counts), settled[pid])
        for pid, counts in per.items()
    ]
    lines.sort(key=lambda line: (-line.complaints, line.credit_code))
    return Publicity(
        label, first, last, tuple(categories), settings.publish_outcomes, tuple(lines), unmatched
    )


def publicity_csv(pub: Publicity) -> bytes:
    """The publicity as CSV (UTF-8 with a byte-order mark, for spreadsheets): one line
    per provider; shares and the success rate as fractions with 4 decimals."""
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(
        [
            "period",
            "provider_name",
            "credit_code",
            "complaints_accepted",
            *(f"share_{c}" for c in pub.categories),
            "mediation_success_rate",
        ]
    )
    figures: dict[tuple[tuple[int, ...], int], list[str]] = {}  # shares and rate, as text
    for line in pub.lines:
        shown = figures.get((line.category_counts, line.settled))
        if shown is None:
            shown = figures[line.category_counts, line.settled] = [
                *(f"{s:.4f}" for s in line.category_shares),
                f"{line.success_rate:.4f}",
            ]
        # every cell a text: the safe writer checks a row of texts in one scan
        writer.writerow(
            [pub.period, line.provider_name, line.credit_code, str(line.complaints), *shown]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
