"""The dashboard's district table and chart with a round's auxiliaries: the direct and
the model-based estimate side by side with their intervals, labelled 模型估计, the
synthetic ones labelled too, no verdict for the model; nothing without auxiliaries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Response, Round

EMPTY = "西盟佤族自治县"


@pytest.fixture
def demo_size() -> tuple[int, int]:
    return 120, 7


def _with_auxiliaries(app, demo) -> Round:
    code = f"catering-{demo['current'].lower()}"
    with app.app_context():
        r = db.session.scalars(select(Round).where(Round.code == code)).one()
        db.session.execute(
            delete(Response).where(Response.round_id == r.id, Response.district == EMPTY)
        )
        r.auxiliaries = {
            d: {"elderly": 0.08 + 0.013 * i + 0.004 * (i % 3), "venues": 3.0 + (7 * i) % 5}
            for i, d in enumerate(r.districts)
        }
        db.session.commit()
        stored = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector"))
        assert stored.small_area is not None
        return stored.small_area


def _table(html: str) -> str:
    return re.search(r'<table class="data-table district-table stack">.*?</table>', html, re.S)[0]


def test_direct_and_model_side_by_side_labelled(app, as_role, demo):
    sae = _with_auxiliaries(app, demo)
    page = as_role("evaluator").get(f"/dashboard?period={demo['current']}&sector=catering")
    html = page.get_data(as_text=True)
    table = _table(html)
    assert '<th scope="col" class="num">模型估计</th>' in table
    assert "模型估计 95% 区间" in table
    for d in sae.districts:
        row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">{d.district}</th>.*?</tr>", table, re.S)[0]
        assert f"{d.estimate:.1f}" in row and f"{d.ci[0]:.1f}–{d.ci[1]:.1f}" in row
        label = "模型估计（合成：无受访者）" if d.synthetic else "模型估计</span>"
        assert label in row
    assert sae.of(EMPTY).synthetic
    # the model checks: σ²_u, β with standard errors, residuals; the note on verdicts
    assert "模型检验" in html and "σ²_u = " in html and "(Intercept)" in html
    assert "它本身不判定是否达标" in html
    # the chart: an outlined model bar for every district, the legend says which is which
    chart = re.search(r'<svg class="chart chart-bars".*?</svg>', html, re.S)[0]
    assert chart.count('class="bar bar-model"') == len(sae.districts)
    assert "虚线条：模型估计" in html
    english = (
        as_role("evaluator")
        .get(f"/dashboard?period={demo['current']}&sector=catering&lang=en")
        .get_data(as_text=True)
    )
    assert "model-based (synthetic: no respondents)" in english and "Model checks" in english


def test_no_auxiliaries_no_model_columns(app, as_role, demo):
    html = (
        as_role("evaluator")
        .get(f"/dashboard?period={demo['current']}&sector=catering")
        .get_data(as_text=True)
    )
    assert "模型估计" not in html and "bar-model" not in html and "模型检验" not in html


def test_a_zero_sigma2_is_warned(app, as_role, demo, monkeypatch):
    from analysis import small_area

    real = small_area._estimate_sigma2

    def at_zero(method, direct, variance, x):
        return (0.0, *real(method, direct, variance, x)[1:])

    monkeypatch.setattr(small_area, "_estimate_sigma2", at_zero)
    sae = _with_auxiliaries(app, demo)
    assert sae.at_zero
    html = (
        as_role("evaluator")
        .get(f"/dashboard?period={demo['current']}&sector=catering")
        .get_data(as_text=True)
    )
    assert "σ²_u 估计为 0" in html


def test_a_model_that_cannot_be_fitted_is_said(app, as_role, demo):
    code = f"catering-{demo['current'].lower()}"
    with app.app_context():
        r = db.session.scalars(select(Round).where(Round.code == code)).one()
        kept = list(r.districts)[:2]  # two districts with respondents: three parameters
        db.session.execute(
            delete(Response).where(Response.round_id == r.id, Response.district.not_in(kept))
        )
        r.auxiliaries = {
            d: {"elderly": 0.08 + 0.013 * i, "venues": 3.0 + (7 * i) % 5}
            for i, d in enumerate(r.districts)
        }
        db.session.commit()
        stored = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector"))
        assert stored.small_area is None and stored.record["small_area_error"]
    html = (
        as_role("evaluator")
        .get(f"/dashboard?period={demo['current']}&sector=catering")
        .get_data(as_text=True)
    )
    assert "模型无法拟合" in html and "bar-model" not in html
