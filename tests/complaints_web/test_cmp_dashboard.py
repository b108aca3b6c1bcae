"""Complaints beside satisfaction on /dashboard, and the case list of one sector."""

from __future__ import annotations

import re

import pytest

from surveyapp.complaints import ComplaintSettings
from surveyapp.complaints.panel import sector_complaints
from surveyapp.extensions import db
from surveyapp.models.base import utcnow


def _panel(html: str) -> str:
    match = re.search(r'<section class="complaints-panel".*?</section>', html, re.S)
    assert match, "no complaints panel"
    return match.group(0)


def _cells(panel: str, name: str) -> list[str]:
    row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', panel, re.S)
    assert row, name
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_the_bureau_sees_its_sectors_complaints_with_a_link_to_the_cases(app, as_role, demo):
    html = as_role("bureau").get("/dashboard").get_data(as_text=True)
    panel = _panel(html)
    with app.app_context():
        period = re.search(r'<option value="([^"]+)" selected', html).group(1)
        (expected,) = sector_complaints(
            db.session, ["catering"], period, utcnow(), ComplaintSettings()
        )
    assert expected.received > 0  # the demo's complaints reach the current quarter
    received, accepted, late, rate, link = _cells(panel, "餐饮服务")
    assert (received, accepted, late) == (
        f"{expected.received:,}", f"{expected.accepted:,}", f"{expected.overdue:,}"
    )  # fmt: skip
    assert rate == ("—" if expected.rate is None else f"{expected.rate:.1f}%")
    assert 'href="/complaints/cases?sector=catering"' in panel and "餐饮服务的投诉案件" in link
    assert "住宿服务" not in panel  # another bureau's sector


def test_a_viewer_sees_the_counts_without_the_case_links(as_role, demo):
    panel = _panel(as_role("viewer").get("/dashboard").get_data(as_text=True))
    assert "餐饮服务" in panel and "住宿服务" in panel
    assert "/complaints/cases" not in panel


def test_the_sector_filter_narrows_the_panel(as_role, demo):
    panel = _panel(as_role("admin").get("/dashboard?sector=lodging").get_data(as_text=True))
    assert "住宿服务" in panel and "餐饮服务" not in panel


@pytest.mark.parametrize(("role", "sector", "status"), [
    ("bureau", "catering", 200), ("bureau", "lodging", 403), ("admin", "lodging", 200),
])  # fmt: skip
def test_the_case_list_of_one_sector(app, as_role, demo, role, sector, status):
    page = as_role(role).get(f"/complaints/cases?sector={sector}")
    assert page.status_code == status
    if status == 200:
        html = page.get_data(as_text=True)
        assert "只列出" in html
        cell = r'<td data-label="[^"]*">'
        sectors = set(re.findall(rf"{cell}\d{{4}}-\d\d-\d\d</td>{cell}(\w+)</td>", html))
        assert sectors <= {sector} and (sectors or sector != "catering")
