"""Dashboard numbers: the bulletin's analysis, filters, tables, charts, the cache."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.indices.state import indices_state
from surveyapp.models import Round


def _round(app, code):
    with app.app_context():
        r = db.session.scalar(select(Round).where(Round.code == code))
        return r.id


def test_index_is_the_bulletin_number(app, as_role, demo):
    with app.app_context():
        r = db.session.scalar(
            select(Round).where(Round.code == f"catering-{demo['current'].lower()}")
        )
        result = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector")).result
    html = as_role("evaluator").get("/dashboard?sector=catering").get_data(as_text=True)
    shown = re.search(r'class="index-value">([\d.]+)', html).group(1)
    assert shown == f"{result.index.estimate:.1f}"
    assert f"{result.index.ci[0]:.1f}–{result.index.ci[1]:.1f}" in html


def test_district_table_flags_small_samples_and_shows_targets(as_role, demo):
    html = as_role("evaluator").get("/dashboard?sector=catering").get_data(as_text=True)
    table = html[html.index('class="data-table district-table') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr( class=\"small-sample\")?>\s*<th scope=\"row\">([^<]+)</th>", table)
    assert len(rows) == 10 and all(small for small, _ in rows)  # 60 responses over 10 districts
    assert "样本少于 30" in html
    targets = html[html.index('class="data-table target-table') :]
    assert re.search(r'<td class="num"[^>]*>\d+</td>\s*<td class="num"[^>]*>60</td>', targets)
    assert "<meter" in targets


def test_dimensions_and_quality_counts(as_role, demo):
    html = as_role("evaluator").get("/dashboard?sector=catering").get_data(as_text=True)
    assert "各维度得分" in html and "数据质量" in html
    quality = html[html.index('class="data-table quality-table"') :]
    assert re.search(r"收到问卷</th><td class=\"num\">60<", quality)
    for label in ("答题过快", "同一答案到底", "疑似重复", "已剔除"):
        assert label in quality


def test_filters_period_and_district(as_role, demo):
    client = as_role("evaluator")
    previous = client.get(f"/dashboard?period={demo['previous']}&sector=catering")
    assert previous.status_code == 200
    assert f"catering-{demo['previous'].lower()}" in previous.get_data(as_text=True)
    assert client.get("/dashboard?period=1999Q1").status_code == 404
    one = client.get("/dashboard?sector=catering&district=思茅区").get_data(as_text=True)
    table = one[one.index('class="data-table district-table') :]
    table = table[: table.index("</table>")]
    assert re.findall(r'<th scope="row">([^<]+)</th>', table) == ["思茅区"]
    assert "区县：思茅区" in one
    assert client.get("/dashboard?district=nowhere").status_code == 404


def test_charts_are_inline_svg_without_script_or_style(as_role, demo):
    response = as_role("evaluator").get("/dashboard?sector=catering")
    html = response.get_data(as_text=True)
    assert html.count('<svg class="chart chart-trend"') == 1
    assert html.count('<svg class="chart chart-bars"') == 1
    assert 'class="goal"' in html and '<title id="trend-catering-title">' in html
    assert "<script" not in html and " style=" not in html and "<style" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "css/dashboard.css" in html


def test_cache_serves_repeat_views_and_new_responses_invalidate(app, as_role, demo, add_response):
    client = as_role("evaluator")
    client.get("/dashboard?sector=catering")
    cache = indices_state(app).cache
    misses = cache.misses
    html = client.get("/dashboard?sector=catering").get_data(as_text=True)
    assert cache.misses == misses and cache.hits > 0
    assert "收到 60" in html
    # a new response to the current round: its analysis is made again (in the background)
    add_response(f"catering-{demo['current'].lower()}")
    html = client.get("/dashboard?sector=catering").get_data(as_text=True)
    assert "收到 60" in html and "正在更新" in html  # the last analysis, said to be updating
    assert cache.wait_idle(timeout=120)  # the refresh in the background
    html = client.get("/dashboard?sector=catering").get_data(as_text=True)
    assert cache.misses == misses + 1  # the change since last period, of the new analysis
    assert cache.refreshes == 1 and "收到 61" in html and "正在更新" not in html


@pytest.mark.parametrize("role", ["evaluator", "bureau"])
def test_no_rounds_yet(as_role, role):
    response = as_role(role).get("/dashboard")
    assert response.status_code == 200
    assert "暂无可查看的调查轮次" in response.get_data(as_text=True)
