"""The supervision pages and the public inspection results on a phone (360x640): no
horizontal scrolling, no serious axe finding, on the demo's published draw."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

USERNAME = "sup-phone"
PASSWORD = "browser-test-password-sup"


@pytest.fixture(scope="module")
def signed_in(sign_in):
    return sign_in(USERNAME, PASSWORD, "admin")


def test_supervision_pages_fit_a_phone(signed_in, screenshots, fits_a_phone, results):
    page = signed_in
    page.goto("/dashboard/supervision", timeout=60_000)
    plans = page.locator("ul.sup-list li a")
    assert plans.count() >= 1  # the demo's published catering draw
    fits_a_phone(page)
    with page.expect_navigation():
        plans.first.click()
    assert "已录入" in page.content()
    page.screenshot(path=screenshots / "supervision-plan.png", full_page=False)
    fits_a_phone(page)
    page.goto("/dashboard/supervision/proposals", timeout=120_000)
    fits_a_phone(page)
    public = page.context.new_page()
    public.goto("/inspections")
    assert public.locator("ul.sup-list li").count() >= 1
    public.screenshot(path=screenshots / "inspections-public.png", full_page=False)
    fits_a_phone(public)
    results.record("/dashboard/supervision, a plan, proposals and /inspections at 360 px")
