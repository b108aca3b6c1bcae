"""The bureaus' provider board at 360x640 for a catering bureau, on the demo's providers:
18 px text, 44 px targets (links, the district filter, downloads, the account links),
no horizontal scroll, no serious axe finding; the held-ratings page too."""

from __future__ import annotations

import pytest
from browser_checks import (
    axe_violations,
    overflow_problems,
    tap_target_problems,
    text_size_problems,
)

pytestmark = pytest.mark.browser

USERNAME = "board-phone"
PASSWORD = "browser-test-password-board"


@pytest.fixture(scope="module")
def bureau_page(module_phones, server):
    server.cli(
        "users", "create", "--username", USERNAME, "--role", "bureau", "--sector", "catering",
        "--password-stdin", "--no-must-change", stdin=PASSWORD + "\n",
    )  # fmt: skip
    page = module_phones.open()
    page.goto("/login")
    page.locator("#username").fill(USERNAME)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation(timeout=60_000):
        page.locator("form button[type=submit]").tap()
    return page


def _fits_a_phone(page, axe) -> None:
    assert text_size_problems(page) == []
    assert tap_target_problems(page) == []
    assert overflow_problems(page) == []
    assert axe_violations(page, axe) == []


def test_the_board_fits_a_phone(bureau_page, screenshots, axe, results):
    page = bureau_page
    page.goto("/dashboard/providers/catering", timeout=60_000)
    cards = page.locator("ol.provider-board li.card")
    assert cards.count() >= 50  # the demo's restaurants
    assert page.locator("a[href$='/dashboard/providers']").count() >= 1  # the nav link
    page.screenshot(path=screenshots / "provider-board-bureau.png", full_page=False)
    _fits_a_phone(page, axe)
    district = page.locator("#b-district option").nth(1).inner_text()
    page.locator("#b-district").select_option(label=district)
    with page.expect_navigation():
        page.locator("form[method=get] button[type=submit]").tap()
    assert "district=" in page.url
    _fits_a_phone(page, axe)
    page.goto("/dashboard/providers/catering/held")
    _fits_a_phone(page, axe)
    results.record(f"/dashboard/providers/catering at 360 px (bureau): {cards.count()} providers")
