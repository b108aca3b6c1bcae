"""The dashboard's complaints per sector: the bulletin's counts, and the cases overdue today."""

from __future__ import annotations

from datetime import date

import pytest

from surveyapp.complaints import ComplaintSettings, intake, open_cases
from surveyapp.complaints.panel import sector_complaints
from tests.complaints.conftest import NOW, china


def _at(day: date):
    return china(day.year, day.month, day.day, 10, 0)


def test_per_sector_counts_and_overdue_today(session, draft):
    d = date
    drafts = [
        # catering, 2026Q4: 3 received, 2 accepted, 1 settled of 2 mediated
        draft(external_id="D-1", received_at=_at(d(2026, 10, 9)), status="closed",
              accepted_at=_at(d(2026, 10, 10)), closed_at=_at(d(2026, 10, 30)),
              outcome="和解成功"),
        draft(external_id="D-2", received_at=_at(d(2026, 10, 12)), status="closed",
              accepted_at=_at(d(2026, 10, 13)), closed_at=_at(d(2026, 11, 30)),
              outcome="未达成和解"),
        # received 20 October, never decided: overdue on 6 December (7 working days)
        draft(external_id="D-3", received_at=_at(d(2026, 10, 20))),
        # catering of 2026Q3, accepted 1 August and open since: overdue (45 working days)
        draft(external_id="D-4", received_at=_at(d(2026, 7, 30)), status="mediation",
              accepted_at=_at(d(2026, 8, 1))),
        # lodging: received 4 December, not overdue yet
        draft(external_id="D-5", received_at=_at(d(2026, 12, 4)), sector="lodging"),
    ]  # fmt: skip
    settings = ComplaintSettings()
    intake(session, drafts, "cli", settings, now=NOW)
    panels = sector_complaints(session, ["catering", "lodging", "culture"], "2026Q4", NOW, settings)
    catering, lodging, culture = panels
    assert (catering.received, catering.accepted, catering.mediated, catering.settled) == (
        3, 2, 2, 1
    )  # fmt: skip
    assert catering.overdue == 2 and catering.rate == pytest.approx(50.0)
    assert (lodging.received, lodging.overdue, lodging.rate) == (1, 0, None)
    assert culture.received == 0 and culture.overdue == 0
    assert sector_complaints(session, [], "2026Q4", NOW, settings) == []
    # the overdue count is the list of overdue cases, sector by sector
    late = open_cases(session, NOW, settings.calendar(), settings, "overdue")
    assert sorted(c.external_id for c in late) == ["D-3", "D-4"]
    only_lodging = open_cases(session, NOW, settings.calendar(), settings, "overdue",
                              sectors=["lodging"])  # fmt: skip
    assert only_lodging == []
    with pytest.raises(ValueError, match="period"):
        sector_complaints(session, ["catering"], "October", NOW, settings)
