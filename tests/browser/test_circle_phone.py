"""The 15-minute circle's pages on a phone (360x640): no horizontal scrolling, 44 px
targets, no serious axe finding, on the demo's communities and providers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

USERNAME = "circ-phone"
PASSWORD = "browser-test-password-circ"


@pytest.fixture(scope="module")
def signed_in(sign_in):
    return sign_in(USERNAME, PASSWORD, "admin")


def test_circle_pages_fit_a_phone(signed_in, screenshots, fits_a_phone, results):
    page = signed_in
    page.goto("/dashboard/circle", timeout=60_000)
    assert "直线距离" in page.content() and "思茅区" in page.content()
    page.locator("section.card").nth(1).screenshot(path=screenshots / "circle-overview.png")
    fits_a_phone(page)
    page.goto("/dashboard/circle/missing?type=便利店", timeout=60_000)
    assert page.locator("table.data-table tbody tr").count() > 10
    fits_a_phone(page)
    page.goto("/dashboard/circle/map", timeout=60_000)
    assert page.locator("figure.circ-map svg circle").count() > 200
    fits_a_phone(page)
    page.goto("/dashboard/circle/map?district=思茅区", timeout=60_000)
    page.locator("figure.circ-map").screenshot(path=screenshots / "circle-map.png")
    fits_a_phone(page)
    page.goto("/dashboard/circle/suggest?type=再生资源回收&k=5", timeout=60_000)
    assert page.locator("table.data-table tbody tr").count() == 5
    fits_a_phone(page)
    page.goto("/dashboard/circle/communities", timeout=60_000)
    fits_a_phone(page)
    results.record("/dashboard/circle: overview, missing list, map, suggestions, upload at 360 px")
