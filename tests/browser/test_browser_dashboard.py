"""The bureau side on a phone: sign in, then the dashboard's cards and charts.

A bureau account for two sectors is made with ``surveyapp users create`` on the test
database; the sign-in is typed on the phone's keyboard.  The dashboard then gets the
same measured checks as the resident's pages (test_browser_pages.py): text of 18 px and
up (chart text included, at the size it is drawn), tap targets of 44x44 px, contrast of
4.5:1, labelled fields, no horizontal scrolling at 100 % and 200 % zoom, and an
axe-core scan, on several views ("scenes") of the signed-in page.
"""

from __future__ import annotations

import re

import pytest
from browser_checks import (
    MIN_TEXT_PX,
    PHONE,
    PHONE_ZOOM_200,
    axe_violations,
    body_font_px,
    contrast,
    elderly_friendly_problems,
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
    # signing in lands on the dashboard, whose first view in a worker analyses the rounds
    with page.expect_navigation(timeout=60_000):
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
    assert charts.count() == 3 * len(SECTORS)  # trend, districts, importance-performance
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


# --- the signed-in dashboard, measured like the resident's pages --------------------------

#: Views of the dashboard, opened in the signed-in phone's context (its cookies).
DASH_SCENES: dict[str, str] = {
    "dashboard": "/dashboard",
    "dashboard-one-sector": "/dashboard?sector=catering",
    "dashboard-district": "/dashboard?sector=lodging&district=思茅区",
    "dashboard-english": "/dashboard?lang=en",
    "dashboard-large-text": "/dashboard?size=large",
}


@pytest.fixture(scope="module")
def dash_scenes(signed_in, screenshots):
    """``dash_scenes(name)``: that view in a new tab of the signed-in phone, photographed."""
    context = signed_in["dashboard"].context
    opened: dict[str, object] = {}

    def get(name: str):
        if name not in opened:
            page = context.new_page()
            # a worker's first view of a filter may analyse rounds: more than a click's wait
            page.goto(DASH_SCENES[name], timeout=60_000)
            assert "/login" not in page.url
            # a long page: its full-page screenshot takes a while on a busy machine
            page.screenshot(path=screenshots / f"{name}.png", timeout=60_000)
            page.screenshot(path=screenshots / f"{name}-full.png", full_page=True, timeout=60_000)
            opened[name] = page
        return opened[name]

    return get


@pytest.fixture(params=list(DASH_SCENES))
def dash_scene(request, dash_scenes):
    return dash_scenes(request.param)


def test_dashboard_scenes_show_what_they_should(dash_scenes):
    one = dash_scenes("dashboard-one-sector")
    assert one.locator("li.sector-card").count() == 1
    assert one.locator("svg.chart-ipa").count() == 1
    assert one.locator("table.ipa-table tbody tr").count() >= 3
    assert dash_scenes("dashboard-district").locator("table.district-table tbody tr").count() == 1
    assert dash_scenes("dashboard-english").locator("html").get_attribute("lang") == "en"
    assert dash_scenes("dashboard-large-text").locator("html.text-large").count() == 1


def test_dashboard_is_elderly_friendly(dash_scene, screenshots, request, results):
    """18 px text, 4.5:1 contrast, 44 px targets, labels, no sideways scrolling at 100 %
    and 200 % zoom: each property named with its offending elements when it fails."""
    name = request.node.callspec.id
    problems = elderly_friendly_problems(dash_scene, screenshots / f"{name}-zoom200.png")
    results.record(f"lowest text contrast {contrast(dash_scene)[1]:.2f}:1 on {name}")
    assert {k: v for k, v in problems.items() if v} == {}


def test_dashboard_chart_text_is_measured(dash_scenes):
    """The chart text counts in the 18 px check at the size it is drawn (scaled with its
    SVG): the axis labels of a chart are really 18 px or more on the phone."""
    page = dash_scenes("dashboard-one-sector")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart text')].map((el) => {
            const m = el.getScreenCTM();
            return parseFloat(getComputedStyle(el).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
        })"""
    )
    assert len(sizes) > 20 and min(sizes) >= MIN_TEXT_PX, sizes


def test_dashboard_charts_scale_with_the_screen(dash_scenes):
    """Charts are drawn from a view box at the width of their box: on the phone and at
    200 % zoom alike, none is wider than the screen and none keeps a fixed size."""
    page = dash_scenes("dashboard-one-sector")
    widths = {}
    for size in (PHONE, PHONE_ZOOM_200):
        page.set_viewport_size(size)
        try:
            boxes = [c.bounding_box() for c in page.locator("svg.chart").all()]
        finally:
            page.set_viewport_size(PHONE)
        assert boxes and all(b["x"] >= 0 and b["x"] + b["width"] <= size["width"] for b in boxes)
        widths[size["width"]] = [b["width"] for b in boxes]
    assert all(small < big for small, big in zip(widths[180], widths[360], strict=True))
    assert page.locator("svg.chart:not([viewBox])").count() == 0


def test_dashboard_axe_no_serious_or_critical_violations(dash_scene, axe):
    assert axe_violations(dash_scene, axe) == []


def test_large_text_switch_on_the_dashboard(signed_in, results):
    """The switch is in the signed-in header; tapping it enlarges the text, and it stays
    on for the next signed-in page (a cookie), until switched back."""
    page = signed_in["dashboard"].context.new_page()
    page.goto("/dashboard?size=normal&lang=zh", timeout=60_000)  # other scenes set cookies
    normal = body_font_px(page)
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("link", name="大字模式").tap()
    assert page.locator("html.text-large").count() == 1
    large = body_font_px(page)
    assert large >= normal * 1.2, (normal, large)
    page.goto("/dashboard?sector=catering", timeout=60_000)
    assert body_font_px(page) == large
    assert text_size_problems(page) == [] and overflow_problems(page) == []
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("link", name="标准字号").tap()
    assert body_font_px(page) == normal
    results.record(f"dashboard body text {normal:.0f}px, large-text mode {large:.0f}px")
    page.close()


def test_the_checks_catch_a_dashboard_that_breaks_them(signed_in):
    """The measurements above are not vacuous on this page: shrink the table text, a
    link, the contrast or widen a table (through the CSSOM, which the page's CSP allows)
    and each check names the culprit."""
    page = signed_in["dashboard"].context.new_page()
    page.goto("/dashboard?sector=catering&size=normal&lang=zh", timeout=60_000)
    assert text_size_problems(page) == [] and tap_target_problems(page) == []
    page.evaluate("document.querySelector('.data-table').style.fontSize = '15px'")
    assert any("15px" in p for p in text_size_problems(page))
    page.evaluate(
        """() => { const a = document.querySelector('.card-title a');
                   a.style.display = 'inline'; a.style.minHeight = '0'; }"""
    )
    assert any("a " in p or p.startswith("a") for p in tap_target_problems(page))
    page.evaluate("document.querySelector('.ipa-summary').style.color = '#aaaaaa'")
    assert contrast(page)[0]
    page.evaluate("document.querySelector('.district-table').style.minWidth = '900px'")
    assert overflow_problems(page)
    page.close()


def _received_views(page, server, sector: str, views: int) -> list[tuple[int, bool]]:
    """("Received" of the sector's card, whether it says it is updating) in ``views`` views
    fetched four at a time with the signed-in phone's cookies: with two sync workers busy
    at once, both answer."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies(server.url))

    def one(_):
        request = urllib.request.Request(
            f"{server.url}/dashboard?sector={sector}", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=120) as reply:
            html = reply.read().decode("utf-8")
        received = int(re.search(r"有效样本 \d+ / 收到 (\d+)", html).group(1))
        return received, "正在更新" in html

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(views)))


def test_a_new_response_reaches_every_gunicorn_worker(signed_in, server, results):
    """The server runs two gunicorn workers, each with its own analysis cache.  After a
    response is posted to the API, every view either shows it or shows the previous
    figures saying an update is being computed (stale-while-revalidate), and soon every
    view shows it, whichever worker answers: invalidation asks the database, not a hook
    in the worker that stored it."""
    import json
    import time
    import urllib.request

    from bench.submit.common import submission_bodies
    from surveyapp.questionnaire import builtin_dir, load_questionnaire

    page = signed_in["dashboard"]
    views = 8
    before = set(_received_views(page, server, "catering", views))
    assert len(before) == 1, f"the workers disagree before the new response: {before}"
    ((count, updating),) = before
    assert not updating
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    body = submission_bodies(q.definition, 1, seed=41)[0]
    created = server.cli("keys", "create", "--name", "dashboard test", "--channel", "kiosk")
    key = created.strip().splitlines()[-1]
    request = urllib.request.Request(
        f"{server.url}/api/v1/rounds/{server.round_code('catering')}/responses",
        data=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "dashboard-worker-test",
            "Authorization": f"Bearer {key}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert reply.status == 201, json.loads(reply.read())
    deadline = time.monotonic() + 120
    while True:
        after = _received_views(page, server, "catering", views)
        # never the old count as if it were current
        assert set(after) <= {(count, True), (count + 1, False)}, after
        if after == [(count + 1, False)] * views or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert after == [(count + 1, False)] * views
    results.record(f"a new response shown by all {views} dashboard views after it (2 workers)")
