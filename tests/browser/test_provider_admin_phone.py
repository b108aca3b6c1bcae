"""The provider admin pages and the bureaus' provider board on a phone (360x640): no
horizontal scrolling, no serious axe finding, on the demo's providers."""

from __future__ import annotations

import re

import pytest
from browser_checks import axe_violations, overflow_problems

pytestmark = pytest.mark.browser

USERNAME = "padm-phone"
PASSWORD = "browser-test-password-padm"


@pytest.fixture(scope="module")
def signed_in(sign_in):
    return sign_in(USERNAME, PASSWORD, "admin")


def test_provider_admin_and_board_fit_a_phone(signed_in, screenshots, axe, results):
    page = signed_in
    page.goto("/admin/providers?sector=catering", timeout=60_000)
    assert page.locator("section.card h2 a").count() >= 50  # the demo's restaurants
    page.screenshot(path=screenshots / "admin-providers.png", full_page=True)
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []
    href = page.locator("section.card h2 a").first.get_attribute("href")
    page.goto(href)
    assert re.search(r"/admin/providers/\d+$", href)
    assert page.locator("input[name=name]").count() == 1
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []
    page.goto("/dashboard/providers/catering", timeout=60_000)
    cards = page.locator("ol.provider-board li.card")
    assert cards.count() >= 50
    page.screenshot(path=screenshots / "provider-board.png", full_page=False)
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []
    assert "评价数不足" in page.content()  # the demo's providers with 1-3 ratings
    results.record(f"/dashboard/providers/catering at 360 px: {cards.count()} providers")
