"""The plan pages on a phone (360x640): a plan's table with statuses and sparklines and
an indicator's page with its values and entry form — no horizontal scrolling of the
page (the table scrolls in its own box), 44 px targets in the form, no serious axe
finding, on the demo's data (two years of a few indicators, one corrected)."""

from __future__ import annotations

import pytest
from browser_checks import axe_violations, overflow_problems, tap_target_problems

pytestmark = pytest.mark.browser

USERNAME = "plan-phone"
PASSWORD = "browser-test-password-plan"


@pytest.fixture(scope="module")
def signed_in(sign_in):
    return sign_in(USERNAME, PASSWORD, "bureau", sector="elderly_care")


def test_plan_pages_fit_a_phone(signed_in, screenshots, axe, results):
    page = signed_in
    page.goto("/plans/shanghai-2025-life-services", timeout=60_000)
    assert page.locator("table.plan-table tbody tr").count() > 20
    assert page.locator("svg.plan-spark").count() > 20
    assert page.locator("svg.plan-spark circle").count() >= 4  # the demo's two years, twice
    page.screenshot(path=screenshots / "plans-shanghai.png", full_page=False)
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []
    page.goto("/plans/shanghai-2025-life-services/elderly-care-beds", timeout=60_000)
    assert page.locator("form.plan-form input#value").count() == 1  # its own sector
    page.screenshot(path=screenshots / "plans-indicator.png", full_page=False)
    assert overflow_problems(page) == []
    assert tap_target_problems(page) == []
    assert axe_violations(page, axe) == []
    results.record("/plans/shanghai-2025-life-services at 360 px: table and sparklines fit")
