"""Issue 14 on a phone (360x640): ``/admin/rounds`` as one card per round, and the
dashboard's district charts with every label inside its chart and none on another, in
the normal and the large-text mode.

An admin account is made with ``surveyapp users create`` on the test database and signs
in on the phone.  Before the fix the rounds table was squeezed to one character a line
(42,798 px tall) and long district names ran out of the chart.
"""

from __future__ import annotations

import pytest
from browser_checks import overflow_problems

pytestmark = pytest.mark.browser

USERNAME = "admin-phone"
PASSWORD = "browser-test-password-2"

# Boxes of the district charts' label lines, of their SVG, and of the bars.
_CHART_BOXES = r"""
() => [...document.querySelectorAll('svg.chart-bars')].map((svg) => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {
    svg: box(svg),
    lines: [...svg.querySelectorAll('text.bar-label tspan')].map((t) =>
      ({...box(t), text: t.textContent})),
    others: [...svg.querySelectorAll('rect.bar, text.value, text.axis, text.goal-label')]
      .map((el) => ({...box(el), what: el.getAttribute('class') + ' ' + el.textContent})),
  };
})
"""


def _overlap(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["left"] < b["right"] - slack
        and b["left"] < a["right"] - slack
        and a["top"] < b["bottom"] - slack
        and b["top"] < a["bottom"] - slack
    )


def label_problems(page) -> list[str]:
    """Every chart label line outside its chart or overlapping another line or mark."""
    problems = []
    for chart in page.evaluate(_CHART_BOXES):
        svg, lines = chart["svg"], chart["lines"]
        for i, line in enumerate(lines):
            if line["left"] < svg["left"] - 0.5 or line["right"] > svg["right"] + 0.5:
                problems.append(f"{line['text']!r} runs out of its chart")
            for other in lines[i + 1 :]:
                if _overlap(line, other):
                    problems.append(f"{line['text']!r} overlaps {other['text']!r}")
            for mark in chart["others"]:
                if _overlap(line, mark):
                    problems.append(f"{line['text']!r} {line} overlaps {mark}")
    return problems


@pytest.fixture(scope="module")
def admin_page(sign_in):
    return sign_in(USERNAME, PASSWORD, "admin")


def test_admin_rounds_is_one_card_per_round_on_a_phone(admin_page, screenshots, results):
    page = admin_page
    page.goto("/admin/rounds")
    page.screenshot(path=screenshots / "admin-rounds.png", full_page=True)
    assert overflow_problems(page) == []
    rows = page.locator("table.rounds-table tbody tr")
    count = rows.count()
    assert count >= 6
    height = page.evaluate("() => document.documentElement.scrollHeight")
    results.record(f"/admin/rounds at 360 px: {count} rounds, {height} px tall")
    assert height < 1200 * count, f"{height} px for {count} rounds"
    # each fact gets the card's width, not a character's: a card, not a squeezed column
    widths = page.evaluate(
        "() => [...document.querySelectorAll('table.rounds-table td')]"
        ".map((td) => td.getBoundingClientRect().width)"
    )
    assert min(widths) > 250, widths[:6]
    # the column name stands before each fact (the header row is hidden on a phone)
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('table.rounds-table td'), '::before')"
        ".content"
    )
    assert label not in ("none", "normal", '""'), label


@pytest.mark.parametrize("size", ["normal", "large"])
def test_dashboard_chart_labels_fit_and_never_overlap(admin_page, screenshots, size):
    page = admin_page
    page.goto(f"/dashboard?size={size}", timeout=60_000)
    page.locator("svg.chart-bars").first.screenshot(path=screenshots / f"chart-bars-{size}.png")
    assert page.locator("svg.chart-bars").count() >= 1
    lines = page.locator("svg.chart-bars text.bar-label tspan")
    assert lines.count() >= 10
    assert label_problems(page) == []
    assert overflow_problems(page) == []
    chart_px = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('svg.chart-bars text')).fontSize)"
    )
    assert chart_px == (24 if size == "large" else 20)  # view-box units, scaled with the page
    page.goto("/dashboard?size=normal")
