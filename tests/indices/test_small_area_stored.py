"""Small-area estimates of a stored round: the analysis engine's district estimates,
their smoothed variances and the Fay–Herriot fit, equal to :mod:`analysis.small_area`
on the same inputs; thin districts (1–3 respondents) and districts without respondents
(synthetic); nothing at all without uploaded auxiliaries."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import delete, select

from analysis import prepare
from analysis.small_area import estimate_areas, fit_fay_herriot
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for, quality_rules
from surveyapp.indices.stored import StoredRound
from surveyapp.models import Response, Round
from surveyapp.questionnaire.scoring import scoring_spec

CODE = "catering-2026q4"
EMPTY, THIN = "西盟佤族自治县", "孟连傣族拉祜族佤族自治县"


def auxiliaries_for(districts: list[str]) -> dict[str, dict[str, float]]:
    """Two covariates per district, fixed numbers with variation."""
    return {
        d: {"elderly": 0.08 + 0.013 * i + 0.004 * (i % 3), "venues": 3.0 + (7 * i) % 5}
        for i, d in enumerate(districts)
    }


def _thin(keep_thin: int) -> None:
    """Leave ``keep_thin`` responses in THIN and none in EMPTY."""
    r = db.session.scalars(select(Round).where(Round.code == CODE)).one()
    db.session.execute(
        delete(Response).where(Response.round_id == r.id, Response.district == EMPTY)
    )
    ids = db.session.scalars(
        select(Response.id)
        .where(Response.round_id == r.id, Response.district == THIN)
        .order_by(Response.id)
    ).all()
    db.session.execute(delete(Response).where(Response.id.in_(ids[keep_thin:])))
    db.session.commit()


def _analyse(auxiliaries: bool) -> StoredRound:
    r = db.session.scalars(select(Round).where(Round.code == CODE)).one()
    r.auxiliaries = auxiliaries_for(list(r.districts)) if auxiliaries else None
    db.session.commit()
    return analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector"))


@pytest.mark.parametrize("keep_thin", [1, 2, 3])
def test_numbers_equal_the_estimator_on_the_same_direct_estimates(app, city, keep_thin):
    with app.app_context():
        _thin(keep_thin)
        stored = _analyse(True)
        sae, result = stored.small_area, stored.result
        assert sae is not None and result is not None
        names = list(stored.round.districts)
        assert [d.district for d in sae.districts] == names
        # s²_w recomputed here from the respondents' index, district by district
        prepared = prepare(
            stored.matrix,
            scoring_spec(stored.questionnaire),
            quality=quality_rules(stored.questionnaire, stored.matrix.columns),
            exclude_flagged=True,
            period=stored.round.period,
        )
        keep = prepared.analysed
        index = prepared.index[keep]
        where = np.asarray(prepared.matrix.values("district"), dtype=str)[keep]
        squares = sum(
            ((index[where == d] - index[where == d].mean()) ** 2).sum() for d in set(where)
        )
        n_d = np.array([(where == d).sum() for d in names], dtype=float)
        s2_w = squares / (keep.sum() - (n_d > 0).sum())
        assert sae.s2_within == pytest.approx(s2_w, rel=1e-12)
        assert n_d[names.index(THIN)] == keep_thin and n_d[names.index(EMPTY)] == 0
        # the direct estimates are the engine's district estimates
        groups = {g.by["district"]: g for g in result.groups}
        direct = np.array([groups[d].index.estimate if d in groups else np.nan for d in names])
        assert EMPTY not in groups
        psi = s2_w * result.deff / np.where(n_d > 0, n_d, 1)
        x = np.array([list(stored.round.auxiliaries[d].values()) for d in names])
        expected = estimate_areas(direct, psi, x, method="reml")
        got = np.array([d.estimate for d in sae.districts])
        np.testing.assert_allclose(got, expected.estimate, rtol=1e-10)
        np.testing.assert_allclose([d.mse for d in sae.districts], expected.mse, rtol=1e-10)
        assert sae.sigma2_u == pytest.approx(expected.fit.sigma2_u, rel=1e-10, abs=1e-14)
        # the thin district's ψ_d is the smoothed one, s²_w · deff / n_d
        thin = sae.of(THIN)
        assert thin.n == keep_thin and not thin.synthetic
        assert thin.variance == pytest.approx(s2_w * result.deff / keep_thin, rel=1e-12)
        assert thin.direct == pytest.approx(groups[THIN].index.estimate)
        # the empty district: synthetic x_dᵀβ̃, mse σ²_u + x_dᵀ(XᵀV⁻¹X)⁻¹x_d, labelled
        empty = sae.of(EMPTY)
        assert empty.synthetic and empty.direct is None and empty.variance is None
        observed = np.isfinite(direct)
        fit = fit_fay_herriot(direct[observed], psi[observed], x[observed], method="reml")
        xd = np.r_[1.0, x[names.index(EMPTY)]]
        assert empty.estimate == pytest.approx(xd @ fit.beta, rel=1e-10)
        assert empty.mse == pytest.approx(fit.sigma2_u + xd @ fit.beta_cov @ xd, rel=1e-10)
        assert empty.ci[0] < empty.estimate < empty.ci[1]
        # recorded for a bulletin's inputs
        assert stored.record["auxiliaries"] == stored.round.auxiliaries
        assert stored.record["small_area"]["districts"][EMPTY]["synthetic"] is True
        assert stored.record["small_area"]["beta"] == sae.beta


def test_without_auxiliaries_nothing_changes(app, city):
    with app.app_context():
        _thin(2)
        plain = _analyse(False)
        assert plain.small_area is None
        assert "auxiliaries" not in plain.record and "small_area" not in plain.record
        with_model = _analyse(True)
        # the direct figures are the same either way
        assert with_model.result.index == plain.result.index
        assert repr(with_model.result.groups) == repr(plain.result.groups)  # NaN-safe
