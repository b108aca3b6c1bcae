"""The rating page of a provider on a 360x640 phone with JavaScript off: 18 px text,
44 px tap targets, labels, no horizontal scrolling, axe 0 serious or critical, under
100 KB on a cold load; rated by tapping stars, sent, thanked, and a second rating from
the same phone replaces the first (issue 16)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from browser_checks import assert_phone_basics, axe_violations
from survey_driver import press, tap_choice
from test_browser_speed import MAX_BYTES, _cold_load

pytestmark = pytest.mark.browser

KEY = "BROWSER-RATE-1"
SUBMIT = "button.button-primary[value=submit]"


def _seed(database) -> None:
    """One open catering provider, without ratings."""
    stamp = datetime.now(UTC).isoformat(sep=" ")
    with sqlite3.connect(database) as conn:
        if conn.execute("SELECT 1 FROM provider WHERE registration_no = ?", (KEY,)).fetchone():
            return
        cur = conn.execute(
            "INSERT INTO provider (registration_no, name, district, service_types, status,"
            " created_at, updated_at) VALUES (?, '浏览器评价测试米线店', '思茅区', '[]', 'open',"
            " ?, ?)",
            (KEY, stamp, stamp),
        )
        conn.execute("INSERT INTO provider_sector (provider_id, sector) VALUES (?, 'catering')",
                     (cur.lastrowid,))  # fmt: skip


def _ratings(database) -> list[int]:
    with sqlite3.connect(database) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT overall FROM rating JOIN provider ON provider.id = rating.provider_id"
                " WHERE provider.registration_no = ? ORDER BY rating.id",
                (KEY,),
            )
        ]


def _check(page, axe: str | None = None) -> None:
    """The phone checks; the axe scan needs a page with JavaScript on (its promises)."""
    assert_phone_basics(page)
    if axe is not None:
        violations = axe_violations(page, axe)
        assert not violations, violations


@pytest.mark.parametrize("scene", ["zh", "en", "large-text", "errors"])
def test_the_rating_page_on_a_phone(new_phone, server, screenshots, axe, scene):
    """The page has no script; JavaScript is on here only for the axe scan."""
    _seed(server.database)
    page = new_phone()
    query = {"zh": "", "en": "?lang=en", "large-text": "?size=large", "errors": ""}[scene]
    page.goto(f"/r/{KEY}{query}")
    assert "<script" not in page.content()
    assert page.locator("input[type=radio][name=s_overall]").count() == 5
    if scene == "errors":
        press(page, SUBMIT)  # nothing ticked: the overall item's error
        assert page.locator("#q-overall .field-error").count() == 1
    _check(page, axe)
    page.screenshot(path=screenshots / f"rate-phone-{scene}.png", full_page=True)


def test_errors_then_a_rating_then_a_replacement(new_phone, server):
    _seed(server.database)
    before = len(_ratings(server.database))
    page = new_phone(js=False)
    page.goto(f"/r/{KEY}")
    press(page, SUBMIT)  # nothing ticked: the overall item's error
    assert page.locator("#error-summary").count() == 1
    assert page.locator("#q-overall .field-error").count() == 1
    _check(page)
    tap_choice(page, "s_overall", 1)  # 2 stars
    press(page, SUBMIT)
    assert "/thanks" in page.url and page.locator("h1").inner_text() == "感谢您的评价"
    _check(page)
    page.goto(f"/r/{KEY}")
    tap_choice(page, "s_overall", 4)  # 5 stars: replaces the 2
    tap_choice(page, "s_hygiene", 4)
    press(page, SUBMIT)
    assert "替换" in page.content()
    assert _ratings(server.database)[before:] == [5]


def test_the_rating_page_weighs_under_100_kb(new_phone, server, results):
    _seed(server.database)
    load = _cold_load(new_phone, f"/r/{KEY}", 1)
    total = sum(r.get("bytes", 0) for r in load["requests"])
    results.record(f"rating page weight: {total / 1000:.1f} KB in {len(load['requests'])} requests")
    assert all(r["url"].startswith(server.url) for r in load["requests"])
    assert total < MAX_BYTES, f"{total} bytes transferred"
