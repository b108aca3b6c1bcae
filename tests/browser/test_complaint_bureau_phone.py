"""The bureau's complaint pages on a phone (360x640): the case list, a case page and the
dashboard's complaints panel, signed in as a sector bureau; and the public publicity
page with JavaScript off.  Text of 18 px or more, 44 px targets, no horizontal
scrolling, no serious axe finding (axe scans with JavaScript on: it never settles on a
script-free page), on the demo's complaints."""

from __future__ import annotations

import pytest
from browser_checks import (
    assert_phone_basics,
    axe_violations,
    body_font_px,
    overflow_problems,
    text_size_problems,
)

pytestmark = pytest.mark.browser

USERNAME = "cmp-phone"
PASSWORD = "browser-test-password-cmp"


@pytest.fixture(scope="module")
def bureau(sign_in):
    return sign_in(USERNAME, PASSWORD, "bureau", sector="catering")


def test_case_list_and_a_case_on_a_phone(bureau, screenshots, axe, results):
    page = bureau
    page.goto("/complaints/cases", timeout=60_000)
    assert body_font_px(page) >= 18
    cases = page.locator("table.cmp-table a[href*='/complaints/cases/']")
    assert cases.count() >= 1  # the demo's catering complaints
    page.screenshot(path=screenshots / "complaint-cases.png", full_page=False)
    assert_phone_basics(page)
    assert axe_violations(page, axe) == []
    page.goto(cases.first.get_attribute("href"), timeout=60_000)
    assert page.locator("h1").inner_text().strip()
    page.screenshot(path=screenshots / "complaint-case.png", full_page=False)
    assert_phone_basics(page)
    assert axe_violations(page, axe) == []
    results.record(f"/complaints/cases at 360 px: {cases.count()} case links")


def test_dashboard_complaints_panel_on_a_phone(bureau, screenshots, axe):
    page = bureau
    page.goto("/dashboard", timeout=120_000)
    panel = page.locator("section.complaints-panel")
    assert panel.count() == 1 and "餐饮服务" in panel.inner_text()
    link = panel.locator("a[href*='/complaints/cases?sector=catering']")
    assert link.count() == 1
    box = link.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    panel.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "dashboard-complaints.png", full_page=False)
    assert overflow_problems(page) == []
    inside = [p for p in text_size_problems(page) if "complaints" in p]
    assert inside == []
    assert axe_violations(page, axe) == []
    link.tap()
    page.wait_for_url("**/complaints/cases?sector=catering")
    assert_phone_basics(page)


def test_public_publicity_page_on_a_phone(new_phone, server, screenshots, axe):
    page = new_phone(js=False)
    page.goto("/complaints/publicity")
    assert body_font_px(page) >= 18
    page.screenshot(path=screenshots / "complaint-publicity.png", full_page=False)
    assert_phone_basics(page)
    scan = new_phone(js=True)
    scan.goto("/complaints/publicity")
    assert axe_violations(scan, axe) == []
