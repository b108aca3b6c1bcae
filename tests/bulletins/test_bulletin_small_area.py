"""The bulletin with a round's district auxiliaries: the district chart gives thin
districts their model-based estimate (labelled), the appendix explains the model, and
the auxiliaries and the fit are stored inputs that re-derive the same edition even
after the upload changed; without auxiliaries nothing of it."""

from __future__ import annotations

from sqlalchemy import delete, select

from surveyapp.bulletins import publish_bulletin, rederive_bulletin
from surveyapp.extensions import db
from surveyapp.models import Response, Round

EMPTY = "西盟佤族自治县"


def _catering(demo) -> Round:
    code = f"catering-{demo['previous'].lower()}"
    return db.session.scalars(select(Round).where(Round.code == code)).one()


def _auxiliaries(districts, shift: float = 0.0) -> dict[str, dict[str, float]]:
    return {
        d: {"elderly": 0.08 + 0.013 * i + 0.004 * (i % 3) + shift, "venues": 3.0 + (7 * i) % 5}
        for i, d in enumerate(districts)
    }


def test_thin_districts_use_the_model_and_the_inputs_keep_it(app, demo, pdf_text):
    period = demo["previous"]
    with app.app_context():
        r = _catering(demo)
        db.session.execute(
            delete(Response).where(Response.round_id == r.id, Response.district == EMPTY)
        )
        r.auxiliaries = _auxiliaries(r.districts)
        db.session.commit()
        edition = publish_bulletin(db.session, period)
        db.session.commit()
        pdf, inputs = edition.pdf, edition.inputs
        record = next(x for x in inputs["rounds"] if x["round_id"] == r.id and "by" in x)
        assert record["auxiliaries"] == r.auxiliaries
        fit = record["small_area"]
        assert fit["method"] == "reml" and set(fit["districts"]) == set(r.districts)
        assert fit["districts"][EMPTY]["synthetic"] is True
        text = " ".join(pdf_text(pdf))
        assert "模型估计" in text and "(n=0, 模型估计·合成)" in text
        assert "小区域估计（样本少的区县）" in text and "不单独判定是否达标" in text
        # the upload changes after publication: the edition is re-derived as published
        r.auxiliaries = _auxiliaries(r.districts, shift=0.05)
        db.session.commit()
        assert rederive_bulletin(db.session, edition) == pdf
        other = publish_bulletin(db.session, period, replaces=edition.edition)
        db.session.commit()
        again = next(x for x in other.inputs["rounds"] if x["round_id"] == r.id and "by" in x)
        assert again["auxiliaries"] == r.auxiliaries != record["auxiliaries"]
        # the new auxiliaries do change the model-based numbers
        assert again["small_area"]["districts"][EMPTY] != fit["districts"][EMPTY]


def test_no_auxiliaries_no_model_and_no_note(app, demo, pdf_text):
    with app.app_context():
        edition = publish_bulletin(db.session, demo["previous"])
        db.session.commit()
        text = " ".join(pdf_text(edition.pdf))
        assert "模型估计" not in text and "小区域估计" not in text
        assert all("auxiliaries" not in x for x in edition.inputs["rounds"])
        assert all("small_area" not in x for x in edition.inputs["rounds"])
