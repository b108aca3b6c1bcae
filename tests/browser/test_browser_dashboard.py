"""The bureau side on a phone: sign in, then the dashboard's cards and charts.

A bureau account for two sectors is made with ``surveyapp users create`` on the test
database; the sign-in is typed on the phone's keyboard.
"""

from __future__ import annotations

import re

import pytest
from browser_checks import (
    PHONE,
    PHONE_ZOOM_200,
    axe_violations,
    contrast,
    label_problems,
    overflow_problems,
    tap_target_problems,
    text_size_problems,
)

pytestmark = pytest.mark.browser

USERNAME = "bureau-phone"
PASSWORD = "browser-test-password-1"
SECTORS = ("catering", "lodging")


@pytest.fixture(scope="module")
def bureau(server) -> str:
    sectors = [arg for sector in SECTORS for arg in ("--sector", sector)]
    server.cli(
        "users", "create", "--username", USERNAME, "--role", "bureau", *sectors,
        "--password-stdin", "--no-must-change", stdin=PASSWORD + "\n",
    )  # fmt: skip
    return USERNAME


@pytest.fixture(scope="module")
def signed_in(module_phones, server, bureau, screenshots):
    """The login page as first shown, then the dashboard after signing in on it."""
    page = module_phones.open()
    page.goto("/dashboard")
    assert "/login" in page.url, "the dashboard is open without signing in"
    login = module_phones.open()
    login.goto(page.url)
    login.screenshot(path=screenshots / "login.png")
    page.locator("#username").tap()
    page.keyboard.type(bureau)
    page.locator("#password").tap()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").tap()
    page.screenshot(path=screenshots / "dashboard.png")
    page.screenshot(path=screenshots / "dashboard-full.png", full_page=True)
    return {"login": login, "dashboard": page}


def test_dashboard_cards_and_charts_render(signed_in, results):
    page = signed_in["dashboard"]
    assert page.url.endswith("/dashboard")
    cards = page.locator("li.sector-card")
    assert cards.count() == len(SECTORS)
    for card in cards.all():
        assert card.locator(".card-title").inner_text().strip()
        assert re.fullmatch(r"\d+(\.\d+)?", card.locator(".index-value").inner_text().split()[0])
    charts = page.locator("figure.chart-box svg")
    assert charts.count() == 2 * len(SECTORS)
    for chart in charts.all():
        box = chart.bounding_box()
        assert box["width"] > 100 and box["height"] > 50, f"chart drawn at {box}"
        assert chart.locator("path, rect, circle, line, polyline").count() > 1
    results.record(
        f"dashboard for a bureau of {len(SECTORS)} sectors: {cards.count()} cards,"
        f" {charts.count()} charts drawn"
    )


@pytest.mark.parametrize("name", ["login", "dashboard"])
def test_axe_no_serious_or_critical_violations(signed_in, axe, name):
    assert axe_violations(signed_in[name], axe) == []


@pytest.mark.parametrize("name", ["login", "dashboard"])
def test_contrast_and_labels(signed_in, name):
    assert contrast(signed_in[name])[0] == []
    assert label_problems(signed_in[name]) == []


def test_login_page_for_older_eyes(signed_in):
    page = signed_in["login"]
    assert text_size_problems(page) == []
    assert tap_target_problems(page) == []
    assert overflow_problems(page) == []
    page.set_viewport_size(PHONE_ZOOM_200)
    try:
        assert overflow_problems(page) == []
    finally:
        page.set_viewport_size(PHONE)
