"""The public provider pages on a 360x640 phone with JavaScript off: the directory and a
provider's page meet the survey's bar (no overflow, 44 px targets, labels, 18 px text,
axe 0 serious), and a comment's phone number never reaches the page."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from browser_checks import assert_phone_basics, axe_violations

pytestmark = pytest.mark.browser

KEY = "BROWSER-PROVIDER-1"
PHONE = "13912345678"


def _seed(database) -> None:
    """One provider with six catering ratings (one with a comment) made an hour ago."""
    at = datetime.now(UTC) - timedelta(hours=1)
    stamp = at.isoformat(sep=" ")
    with sqlite3.connect(database) as conn:
        if conn.execute("SELECT 1 FROM provider WHERE registration_no = ?", (KEY,)).fetchone():
            return
        cur = conn.execute(
            "INSERT INTO provider (registration_no, name, district, service_types, status,"
            " created_at, updated_at) VALUES (?, '浏览器测试小吃店', '思茅区', '[]', 'open', ?, ?)",
            (KEY, stamp, stamp),
        )
        pid = cur.lastrowid
        conn.execute("INSERT INTO provider_sector (provider_id, sector) VALUES (?, 'catering')",
                     (pid,))  # fmt: skip
        for i, stars in enumerate([5, 4, 5, 2, 5, 4]):
            comment = f"米线很好吃，老板电话 {PHONE}" if i == 0 else None
            conn.execute(
                "INSERT INTO rating (provider_id, sector, form_id, form_version, answers, overall,"
                " comment, window_start, created_at) VALUES (?, 'catering', 'catering-rating', 1,"
                " ?, ?, ?, ?, ?)",
                (pid, bytes([stars]), stars, comment, at.date().isoformat(), stamp),
            )


def _check(page, scan, axe) -> None:
    """The phone checks on the script-free page; axe on ``scan``, the same address with
    JavaScript on (axe's promises never settle without it)."""
    assert_phone_basics(page)
    scan.goto(page.url)
    assert not axe_violations(scan, axe)


def test_provider_pages_on_a_phone(new_phone, server, screenshots, axe):
    _seed(server.database)
    page = new_phone(js=False)
    scan = new_phone(js=True)
    deadline = time.monotonic() + 60
    while True:  # the stored scores are refreshed in the background after new ratings
        page.goto(f"/providers/{KEY}")
        if "评价数：6" in page.content() or time.monotonic() > deadline:
            break
        time.sleep(1)
    content = page.content()
    assert "评价数：6" in content and "米线很好吃" in content and PHONE not in content
    _check(page, scan, axe)
    page.screenshot(path=screenshots / "provider-page-zh.png", full_page=True)
    page.goto("/providers?q=浏览器测试")
    assert "浏览器测试小吃店" in page.content()
    _check(page, scan, axe)
    page.screenshot(path=screenshots / "provider-directory-zh.png", full_page=True)
