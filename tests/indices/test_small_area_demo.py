"""The demo rounds carry district auxiliaries (``surveyapp demo``): their thin districts
get model-based estimates on the dashboard."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp import demo
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Round


def test_demo_rounds_have_auxiliaries_and_model_based_estimates(app, as_role, accounts):
    with app.app_context():
        demo.seed_demo(db.session, per_round=200, seed=5, auxiliaries=True)
        rounds = db.session.scalars(select(Round)).all()
        assert all(r.auxiliaries == demo.demo_auxiliaries() for r in rounds)
        r = next(r for r in rounds if r.code.startswith("catering-") and r.status != "closed")
        stored = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector"))
        thin = [g for g in stored.result.groups if g.small_sample]
        assert thin and stored.small_area is not None
        for g in thin:
            assert stored.small_area.of(g.by["district"]) is not None
        period = r.period
    page = as_role("evaluator").get(f"/dashboard?period={period}&sector=catering")
    assert "模型估计" in page.get_data(as_text=True)
