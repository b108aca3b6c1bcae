"""The 15-minute circle's pages on a phone (360x640): no horizontal scrolling, 44 px
targets, no serious axe finding, on the demo's communities and providers."""

from __future__ import annotations

import pytest
from browser_checks import (
    axe_violations,
    overflow_problems,
    tap_target_problems,
    text_size_problems,
)

pytestmark = pytest.mark.browser

USERNAME = "circ-phone"
PASSWORD = "browser-test-password-circ"


@pytest.fixture(scope="module")
def signed_in(module_phones, server):
    server.cli(
        "users", "create", "--username", USERNAME, "--role", "admin",
        "--password-stdin", "--no-must-change", stdin=PASSWORD + "\n",
    )  # fmt: skip
    page = module_phones.open()
    page.goto("/login")
    page.locator("#username").fill(USERNAME)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation(timeout=60_000):
        page.locator("form button[type=submit]").tap()
    return page


def _fits(page, axe) -> None:
    assert text_size_problems(page) == []
    assert overflow_problems(page) == []
    assert tap_target_problems(page) == []
    assert axe_violations(page, axe) == []


def test_circle_pages_fit_a_phone(signed_in, screenshots, axe, results):
    page = signed_in
    page.goto("/dashboard/circle", timeout=60_000)
    assert "直线距离" in page.content() and "思茅区" in page.content()
    page.locator("section.card").nth(1).screenshot(path=screenshots / "circle-overview.png")
    _fits(page, axe)
    page.goto("/dashboard/circle/missing?type=便利店", timeout=60_000)
    assert page.locator("table.data-table tbody tr").count() > 10
    _fits(page, axe)
    page.goto("/dashboard/circle/map", timeout=60_000)
    assert page.locator("figure.circ-map svg circle").count() > 200
    _fits(page, axe)
    page.goto("/dashboard/circle/map?district=思茅区", timeout=60_000)
    page.locator("figure.circ-map").screenshot(path=screenshots / "circle-map.png")
    _fits(page, axe)
    page.goto("/dashboard/circle/suggest?type=再生资源回收&k=5", timeout=60_000)
    assert page.locator("table.data-table tbody tr").count() == 5
    _fits(page, axe)
    page.goto("/dashboard/circle/communities", timeout=60_000)
    _fits(page, axe)
    results.record("/dashboard/circle: overview, missing list, map, suggestions, upload at 360 px")
