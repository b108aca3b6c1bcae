"""Charts and the cache on their own."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from surveyapp.dashboard.charts import ROOM, WIDTH, Bar, Point, bar_chart, text_width, trend_chart
from surveyapp.indices.cache import AnalysisCache

SVG = "{http://www.w3.org/2000/svg}"


def test_trend_chart_is_valid_svg_with_goal_line_and_gaps():
    svg = trend_chart(
        [
            Point("2026Q1", 78.0, 75.0, 81.0),
            Point("2026Q2", None),
            Point("2026Q3", 82.5, 80.0, 85.0, True),
        ],
        80,
        title="趋势 <b>",
        goal_label="目标 80",
        chart_id="t",
    )
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == "趋势 <b>"
    assert len(root.findall(f"{SVG}circle")) == 2
    assert root.findall(f"{SVG}polyline") == []  # the gap splits the line into single points
    goal = [e for e in root.iter(f"{SVG}line") if e.get("class") == "goal"]
    assert len(goal) == 1 and goal[0].get("y1") == goal[0].get("y2")
    assert any(c.get("class") == "dot dot-small" for c in root.iter(f"{SVG}circle"))


def test_bar_chart_escapes_labels_and_places_goal():
    svg = bar_chart(
        [
            Bar("<script>x</script>", 70.0, 65.0, 75.0, "not_met", "n=40"),
            Bar("空", None),
            Bar("B", 90.0, math.nan, 95.0, "met"),
        ],
        80,
        title="t",
        goal_label="80",
        chart_id="b",
    )
    assert "<script>" not in str(svg)
    root = ET.fromstring(str(svg))
    rects = root.findall(f"{SVG}rect")
    assert [r.get("class") for r in rects] == ["bar bar-not_met", "bar bar-met"]
    assert float(rects[1].get("width")) > float(rects[0].get("width"))
    assert len(root.findall(f"{SVG}path")) == 1  # no CI bar where a bound is not a number


def test_cache_lru_and_counts():
    cache = AnalysisCache(max_entries=2)
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return value

        return run

    k = [cache.key(i, (1, i), {"by": "district"}, ("s",)) for i in range(3)]
    assert cache.get_or_compute(k[0], compute("a")) == "a"
    assert cache.get_or_compute(k[0], compute("x")) == "a"
    cache.get_or_compute(k[1], compute("b"))
    cache.get_or_compute(k[2], compute("c"))  # evicts k[0], the least recently used
    assert len(cache) == 2
    cache.get_or_compute(k[0], compute("a2"))
    assert calls == ["a", "b", "c", "a2"] and (cache.hits, cache.misses) == (1, 4)
    assert cache.key(1, (2, 5), {"by": "district"}, ("s",)) != cache.key(
        1, (3, 5), {"by": "district"}, ("s",)
    )


def test_bar_chart_puts_small_samples_after_the_ranked_districts():
    svg = bar_chart(
        [
            Bar("小样本县", 97.0, 85.0, 100.0, "small", "n=12"),
            Bar("思茅区", 84.0, 82.0, 86.0, "met", "n=300"),
            Bar("另一个小县", 95.0, 80.0, 100.0, "small", "n=9"),
            Bar("宁洱县", 76.0, 72.0, 79.0, "not_met", "n=120"),
        ],
        80,
        title="t",
        goal_label="80",
        chart_id="b",
    )
    root = ET.fromstring(str(svg))
    labels = [  # the full label is the <title> of its (wrapped) text
        e.find(f"{SVG}title").text for e in root.iter(f"{SVG}text") if e.get("class") == "bar-label"
    ]
    assert [label.split(" ·")[0] for label in labels] == [
        "思茅区",
        "宁洱县",
        "小样本县",
        "另一个小县",
    ]
    rects = [r.get("class") for r in root.findall(f"{SVG}rect")]
    assert rects == ["bar bar-met", "bar bar-not_met", "bar bar-small", "bar bar-small"]


def _label_lines(svg) -> list[tuple[str, list[tuple[float, float, str]]]]:
    """Each bar label: its full text and its lines as (x, y, text)."""
    root = ET.fromstring(str(svg))
    out = []
    for e in root.iter(f"{SVG}text"):
        if e.get("class") == "bar-label":
            lines = [(float(t.get("x")), float(t.get("y")), t.text) for t in e.iter(f"{SVG}tspan")]
            out.append((e.find(f"{SVG}title").text, lines))
    return out


def test_long_district_names_wrap_inside_the_chart_and_never_overlap():
    """Issue 14: a long name wraps (or ends in "…" with the full name in its title), every
    line fits the 300-unit chart at the large-text size, and no two lines share a place."""
    long_en = "Menglian Dai, Lahu and Va Autonomous County of Pu'er City"
    names = ["孟连傣族拉祜族佤族自治县", "景谷傣族彝族自治县", "思茅区", long_en]
    svg = bar_chart(
        [Bar(n, 70.0 + i, 65.0, 80.0, "met", f"n={100 + i}") for i, n in enumerate(names)],
        80,
        title="t",
        goal_label="80",
        chart_id="b",
    )
    labels = _label_lines(svg)
    assert [full.split(" ·")[0] for full, _ in labels] == names
    ys = []
    for full, lines in labels:
        for x, y, text in lines:
            assert x + text_width(text, ROOM) <= WIDTH, (full, text)
            ys.append(y)
        shown = "".join(text for _, _, text in lines)
        assert shown.replace(" ", "").startswith(full.split(" ·")[0][:6].replace(" ", ""))
    assert len(ys) == len(set(ys)) and ys == sorted(ys)  # one line per height, top down
    assert labels[0][1][0][2] == "孟连傣族拉祜族佤族自治县"  # whole, not cut
    assert labels[3][1][1][2].endswith("…") and labels[3][0].startswith(long_en)
    # bars sit below their labels: no bar top above its label's last baseline
    root = ET.fromstring(str(svg))
    tops = [float(r.get("y")) for r in root.findall(f"{SVG}rect")]
    lasts = [lines[-1][1] for _, lines in labels]
    assert all(top > last for top, last in zip(tops, lasts, strict=True))
