"""The importance-performance matrix: the analysis' own quadrants, drawn and listed."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from surveyapp.catalog import questionnaire_of
from surveyapp.dashboard.charts import IpaPoint, ipa_chart
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Round

SVG = "{http://www.w3.org/2000/svg}"


def _drivers(app, code):
    with app.app_context():
        r = db.session.scalar(select(Round).where(Round.code == code))
        q = questionnaire_of(r.questionnaire_version)
        result = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector")).result
        labels = {d.id: d.title.get("zh") for d in q.dimensions}
        return result.drivers, labels


def _ipa_rows(html: str, qid: str) -> list[tuple[str, str, str]]:
    """(number, dimension, quadrant word) of each row of a sector's matrix table."""
    section = html[html.index(f'id="ipa-{qid}"') :]
    table = section[section.index("<table") : section.index("</table>")]
    return re.findall(
        r'data-label="序号">(\d+)</td>\s*<th scope="row">([^<]+)</th>.*?'
        r'data-label="象限">(?:<span class="badge badge-not_met">)?([^<]+)<',
        table,
        flags=re.S,
    )


def test_matrix_lists_the_analysis_fix_first_dimensions(app, as_role, demo):
    code = f"catering-{demo['current'].lower()}"
    drivers, labels = _drivers(app, code)
    fix = [labels[d.id] for d in drivers.by_priority() if d.fix_first]
    assert fix, "the demo data should have a dimension to fix first"
    html = as_role("evaluator").get("/dashboard?sector=catering").get_data(as_text=True)
    rows = _ipa_rows(html, "catering")
    # every dimension, in the bulletin's priority order, numbered 1..D
    assert [name for _, name, _ in rows] == [labels[d.id] for d in drivers.by_priority()]
    assert [int(n) for n, _, _ in rows] == list(range(1, len(rows) + 1))
    assert [name for _, name, word in rows if word == "优先改进"] == fix
    summary = re.search(r'<p class="ipa-summary"><strong>([^<]+)</strong>', html).group(1)
    assert summary == f"优先改进：{'、'.join(fix)}。"
    # the chart: one square per fix-first dimension, a circle for every other one
    svg = html[html.index('<svg class="chart chart-ipa"') :]
    svg = svg[: svg.index("</svg>") + 6]
    root = ET.fromstring(svg)
    squares = [e for e in root.iter(f"{SVG}rect") if "ipa-fix" in (e.get("class") or "")]
    circles = [e for e in root.iter(f"{SVG}circle") if "ipa-dot" in (e.get("class") or "")]
    assert len(squares) == len(fix) and len(circles) == len(rows) - len(fix)
    assert [s.find(f"{SVG}title").text.split(".")[0] for s in squares] == [
        n for n, _, word in rows if word == "优先改进"
    ]


def test_matrix_with_a_district_filter_says_it_is_sector_wide(as_role, demo):
    html = (
        as_role("evaluator")
        .get("/dashboard?sector=catering&district=思茅区")
        .get_data(as_text=True)
    )
    assert 'class="chart chart-ipa"' in html
    assert "影响度按本行业全部区县估计" in html


def test_english_quadrant_words(as_role, demo):
    html = as_role("evaluator").get("/dashboard?sector=catering&lang=en").get_data(as_text=True)
    assert "Importance-performance matrix" in html and "Fix first: " in html


def _chart(points, mi=0.25, ms=75.0):
    svg = ipa_chart(
        points, mi, ms, title="t", x_label="x", y_label="y", fix_label="优先改进", chart_id="i"
    )
    return ET.fromstring(str(svg))


def test_fix_first_points_sit_in_the_shaded_bottom_right_quadrant():
    points = [
        IpaPoint(1, "A", 0.40, 70.0, True),
        IpaPoint(2, "B", 0.35, 85.0, False),
        IpaPoint(3, "C", 0.10, 72.0, False),
        IpaPoint(4, "D", 0.15, 88.0, False),
    ]
    root = _chart(points)
    zone = next(e for e in root.iter(f"{SVG}rect") if e.get("class") == "zone-fix")
    zx, zy = float(zone.get("x")), float(zone.get("y"))
    square = next(e for e in root.iter(f"{SVG}rect") if "ipa-fix" in (e.get("class") or ""))
    cx, cy = float(square.get("x")) + 6, float(square.get("y")) + 6
    assert cx > zx and cy > zy  # right of the mean importance, below the mean score
    for circle in root.iter(f"{SVG}circle"):
        x, y = float(circle.get("cx")), float(circle.get("cy"))
        assert not (x > zx and y > zy), "only fix-first dimensions are in the shaded quadrant"
    numbers = sorted(int(e.text) for e in root.iter(f"{SVG}text") if e.get("class") == "ipa-number")
    assert numbers == [1, 2, 3, 4]


def test_close_points_get_labels_that_do_not_overlap():
    root = _chart([IpaPoint(i, str(i), 0.3, 80.0, False) for i in range(1, 4)])
    spots = [
        (float(e.get("x")), float(e.get("y")))
        for e in root.iter(f"{SVG}text")
        if e.get("class") == "ipa-number"
    ]
    assert len({y for _, y in spots}) == 3


def test_points_without_numbers_are_left_out():
    root = _chart([IpaPoint(1, "A", math.nan, 80.0, False), IpaPoint(2, "B", 0.5, 70.0, True)])
    assert len([e for e in root.iter(f"{SVG}text") if e.get("class") == "ipa-number"]) == 1
