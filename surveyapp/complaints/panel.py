"""Complaints beside satisfaction on a bureau's dashboard, per sector.

For the dashboard's period and each sector the user sees: complaints received and
accepted that period, cases open past their deadline today, and the mediation success
rate of the period, counted as in the bulletin (:mod:`surveyapp.complaints.bulletin`),
so the dashboard and the bulletin show the same numbers.  Counts only: nothing of a
complainant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from surveyapp.complaints.bulletin import period_counts
from surveyapp.complaints.deadlines import open_case_counts
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.models.base import DbSession

__all__ = ["SectorComplaintsPanel", "sector_complaints"]


@dataclass(frozen=True)
class SectorComplaintsPanel:
    sector: str
    received: int  # this period
    accepted: int  # this period
    overdue: int  # open now, past the deadline of their pending step
    mediated: int  # mediations concluded this period
    settled: int  # of which 和解成功

    @property
    def rate(self) -> float | None:
        """和解成功率 in percent; ``None`` without a concluded mediation."""
        return 100 * self.settled / self.mediated if self.mediated else None


def sector_complaints(
    session: DbSession,
    sectors: Sequence[str],
    period: str,
    now: datetime,
    settings: ComplaintSettings,
) -> list[SectorComplaintsPanel]:
    """One panel per sector of ``sectors`` (in that order) for ``period`` (2026Q4,
    2026M10 …).  ``ValueError`` for text that is not a period."""
    codes = list(dict.fromkeys(sectors))
    if not codes:
        return []
    counts = period_counts(session, codes, period, now)
    late = open_case_counts(
        session, now, settings.calendar(), settings, "overdue", "sector", sectors=codes
    )
    return [
        SectorComplaintsPanel(
            sector=code,
            received=counts[code]["received"],
            accepted=counts[code]["accepted"],
            overdue=late.get(code, 0),
            mediated=counts[code]["mediated"],
            settled=counts[code]["settled"],
        )
        for code in codes
    ]
