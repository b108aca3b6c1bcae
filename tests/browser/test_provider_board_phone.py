"""The bureaus' provider board at 360x640 for a catering bureau, on the demo's providers:
18 px text, 44 px targets (links, the district filter, downloads, the account links),
no horizontal scroll, no serious axe finding; the held-ratings page too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

USERNAME = "board-phone"
PASSWORD = "browser-test-password-board"


@pytest.fixture(scope="module")
def bureau_page(sign_in):
    return sign_in(USERNAME, PASSWORD, "bureau", sector="catering")


def test_the_board_fits_a_phone(bureau_page, screenshots, fits_a_phone, results):
    page = bureau_page
    page.goto("/dashboard/providers/catering", timeout=60_000)
    cards = page.locator("ol.provider-board li.card")
    assert cards.count() >= 50  # the demo's restaurants
    assert page.locator("a[href$='/dashboard/providers']").count() >= 1  # the nav link
    page.screenshot(path=screenshots / "provider-board-bureau.png", full_page=False)
    fits_a_phone(page)
    district = page.locator("#b-district option").nth(1).inner_text()
    page.locator("#b-district").select_option(label=district)
    with page.expect_navigation():
        page.locator("form[method=get] button[type=submit]").tap()
    assert "district=" in page.url
    fits_a_phone(page)
    page.goto("/dashboard/providers/catering/held")
    fits_a_phone(page)
    results.record(f"/dashboard/providers/catering at 360 px (bureau): {cards.count()} providers")
