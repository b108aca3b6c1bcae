"""The bureaus' credit pages on a phone (360x640): the sector page (distribution, movers,
hit rates) and a provider's record with its forms, no horizontal scrolling, no serious
axe finding, on the demo's data."""

from __future__ import annotations

import pytest
from browser_checks import axe_violations, overflow_problems

pytestmark = pytest.mark.browser

USERNAME = "crw-phone"
PASSWORD = "browser-test-password-crw"


@pytest.fixture(scope="module")
def signed_in(sign_in):
    return sign_in(USERNAME, PASSWORD, "bureau", sector="catering")


def test_credit_pages_fit_a_phone(signed_in, screenshots, axe, results):
    page = signed_in
    page.goto("/dashboard/credit/catering", timeout=60_000)
    assert page.locator("svg.crw-bars rect").count() == 4
    assert page.locator("table.data-table").count() == 2  # distribution, hit rates
    page.screenshot(path=screenshots / "credit-sector.png", full_page=False)
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []
    movers = page.locator("ol.crw-timeline a")
    assert movers.count() >= 1  # the demo's events of this quarter move providers
    page.goto(movers.first.get_attribute("href"), timeout=60_000)
    assert page.locator("ol.crw-timeline li").count() >= 1
    assert page.locator("form.crw-form").count() >= 1
    page.screenshot(path=screenshots / "credit-record.png", full_page=False)
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []
    results.record(f"/dashboard/credit/catering at 360 px: {movers.count()} movers listed")
