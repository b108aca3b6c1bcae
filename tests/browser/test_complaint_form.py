"""A resident files a complaint on a 360x640 phone with JavaScript off, then follows it
with the receipt code; the pages meet the survey's accessibility bar."""

from __future__ import annotations

import re
import sqlite3

import pytest
from browser_checks import (
    assert_phone_basics,
    axe_violations,
    body_font_px,
    overflow_problems,
    tap_target_problems,
)

pytestmark = pytest.mark.browser


def test_complaint_form_on_a_phone(new_phone, server, screenshots, axe):
    page = new_phone(js=False)
    page.goto("/complaints/new")
    assert body_font_px(page) >= 18
    assert_phone_basics(page)
    scan = new_phone(js=True)  # axe needs JavaScript (its promises); the page has no script
    scan.goto("/complaints/new")
    assert not axe_violations(scan, axe)
    page.screenshot(path=screenshots / "complaint-form-zh.png", full_page=True)
    with page.expect_navigation():  # empty: errors, nothing stored
        page.get_by_role("button", name="提交投诉").click()
    assert page.locator(".field-error").count() >= 3
    assert not overflow_problems(page)
    page.fill("#provider_name", "浏览器测试餐馆")
    page.select_option("#sector", "catering")
    page.select_option("#category", "价格")
    page.fill("#description", "结账时多收了二十元")
    page.fill("#complainant_name", "王五")
    page.fill("#complainant_phone", "13700001111")
    with page.expect_navigation():
        page.get_by_role("button", name="提交投诉").click()
    receipt = page.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
    assert "王五" not in page.content() and "13700001111" not in page.content()
    with sqlite3.connect(server.database) as conn:
        stored = conn.execute(
            "SELECT channel, complainant_phone FROM complaint WHERE provider_name = ?",
            ("浏览器测试餐馆",),
        ).fetchall()
    assert stored == [("web", "13700001111")]
    page.goto("/complaints/status")
    page.fill("#code", receipt.lower())
    with page.expect_navigation():  # content() read mid-navigation is empty
        page.get_by_role("button", name="查询").click()
    assert "待受理" in page.content() and "13700001111" not in page.content()
    assert not overflow_problems(page) and not tap_target_problems(page)
