"""The supervision pages and the public inspection results on a phone (360x640): no
horizontal scrolling, no serious axe finding, on the demo's published draw."""

from __future__ import annotations

import pytest
from browser_checks import (
    axe_violations,
    overflow_problems,
    tap_target_problems,
    text_size_problems,
)

pytestmark = pytest.mark.browser

USERNAME = "sup-phone"
PASSWORD = "browser-test-password-sup"


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
    assert overflow_problems(page) == []
    assert tap_target_problems(page) == []
    assert text_size_problems(page) == []
    assert axe_violations(page, axe) == []


def test_supervision_pages_fit_a_phone(signed_in, screenshots, axe, results):
    page = signed_in
    page.goto("/dashboard/supervision", timeout=60_000)
    plans = page.locator("ul.sup-list li a")
    assert plans.count() >= 1  # the demo's published catering draw
    _fits(page, axe)
    plans.first.click()
    page.wait_for_load_state()
    assert "已录入" in page.content()
    page.screenshot(path=screenshots / "supervision-plan.png", full_page=False)
    _fits(page, axe)
    page.goto("/dashboard/supervision/proposals", timeout=120_000)
    _fits(page, axe)
    public = page.context.new_page()
    public.goto("/inspections")
    assert public.locator("ul.sup-list li").count() >= 1
    public.screenshot(path=screenshots / "inspections-public.png", full_page=False)
    _fits(public, axe)
    results.record("/dashboard/supervision, a plan, proposals and /inspections at 360 px")
