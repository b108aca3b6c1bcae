"""One provider's complaint publicity figures, as last published (for its public page).

The figures are read from the latest published edition of complaint publicity (the
newest period with an edition; within it the newest edition, a correction replacing
what it corrects), from the CSV stored exactly as issued — never recomputed, so the
provider page shows what the bureau published, and nothing unpublished: accepted
complaints counted under the publishable rule, the share of each category, and the
mediation success rate (和解成功率).  A provider without a line in that edition had
no counted complaint that month.  Read-only; nothing of a complainant is in the CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from surveyapp.csv_safe import restore_cell
from surveyapp.models.base import DbSession
from surveyapp.models.complaint import PublicityEdition

__all__ = ["ProviderFigures", "provider_figures"]

_SHARE = "share_"


@dataclass(frozen=True)
class ProviderFigures:
    """A provider's line of the latest published period (``complaints = 0``: no line)."""

    period: str
    edition: int
    complaints: int
    shares: tuple[tuple[str, float], ...]  # (category, share) with a share above 0
    success_rate: float | None


def provider_figures(session: DbSession, key: str) -> ProviderFigures | None:
    """The figures of the provider whose credit code (else registration number) is
    ``key`` in the latest published period, or None when nothing was ever published."""
    edition = session.scalar(
        select(PublicityEdition)
        .order_by(PublicityEdition.period.desc(), PublicityEdition.edition.desc())
        .limit(1)
    )
    if edition is None:
        return None
    text = bytes(edition.csv).decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        if restore_cell(row.get("credit_code") or "") != key:
            continue
        shares = tuple(
            (restore_cell(name[len(_SHARE) :]), float(value))
            for name, value in row.items()
            if name and name.startswith(_SHARE) and value and float(value) > 0
        )
        rate = row.get("mediation_success_rate")
        return ProviderFigures(
            edition.period,
            edition.edition,
            int(row.get("complaints_accepted") or 0),
            shares,
            float(rate) if rate else None,
        )
    return ProviderFigures(edition.period, edition.edition, 0, (), None)
