"""A round's own uploaded margins (``Round.margins``) are what it is weighted to, in the
bulletin, the dashboard's analyser and ``analyze --round`` alike (one stored-round path)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from surveyapp.bulletins import prepare_bulletin, publish_bulletin, rederive_bulletin
from surveyapp.cli import main
from surveyapp.demo import population_margins
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Round


def _uploaded() -> dict[str, dict[str, float]]:
    """District totals only, with the first district ten times as large: a weighting
    that moves the index away from the demo's own upload (district and age)."""
    districts = population_margins()["district"]
    first = next(iter(districts))
    return {"district": {d: p * (10 if d == first else 1) for d, p in districts.items()}}


@pytest.fixture
def catering(app, demo) -> dict[str, int | str]:
    """The previous period's catering round, given uploaded margins."""
    with app.app_context():
        round_ = db.session.scalars(
            select(Round).where(Round.period == demo["previous"], Round.code.like("catering%"))
        ).one()
        round_.margins = _uploaded()
        db.session.commit()
        return {"id": round_.id, "code": round_.code, "period": round_.period}


def test_bulletin_weights_to_the_rounds_own_margins(app, catering):
    with app.app_context():
        draft = prepare_bulletin(
            db.session, str(catering["period"]), sectors=["catering", "lodging"]
        )
        result = draft.results["catering"]
        assert result.weighting.variables == ("district",)
        assert result.weighting.population == pytest.approx(sum(_uploaded()["district"].values()))
        assert result.weights.sum() == pytest.approx(result.weighting.population)
        # the other sector keeps the demo's upload (district and age)
        lodging = draft.results["lodging"].weighting
        assert set(lodging.variables) == {"district", "age_group"}
        sources = draft.inputs["margins_by_round"]
        assert sources[catering["code"]] == f"round {catering['code']}"
        assert all(
            s.startswith("round lodging-") for c, s in sources.items() if c != catering["code"]
        )
        (record,) = [r for r in draft.inputs["rounds"] if r["round_id"] == catering["id"]]
        assert record["margins_source"] == f"round {catering['code']}"
        assert record["round_margins"] == _uploaded()

        # without the upload the same round gives another index: the margins were used
        round_ = db.session.get(Round, catering["id"])
        plain = options_for(AnalysisSettings(margins=population_margins()), round_, "sector")
        configured = analyse_round(
            db.session, round_, dataclasses.replace(plain, margins_override=True)
        ).result
        assert configured.index.estimate != pytest.approx(result.index.estimate)


def test_cli_and_bulletin_give_the_same_numbers_for_a_round_with_margins(
    app, catering, database_url
):
    with app.app_context():
        draft = prepare_bulletin(db.session, str(catering["period"]), sectors=["catering"])
        bulletin_result = draft.results["catering"]
    out = CliRunner().invoke(
        main,
        [
            "--database-url",
            database_url,
            "analyze",
            "--round",
            str(catering["code"]),
            "--strata",
            "district",
            "--by",
            "district",
            "--format",
            "json",
        ],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["weights"]["variables"] == ["district"]
    assert doc["index"]["estimate"] == pytest.approx(bulletin_result.index.estimate, abs=1e-9)
    assert doc["n"] == bulletin_result.n


def test_a_published_bulletin_keeps_the_margins_it_was_made_with(app, catering):
    with app.app_context():
        bulletin = publish_bulletin(db.session, str(catering["period"]), sectors=["catering"])
        db.session.commit()
        pdf = bulletin.pdf
        db.session.get(Round, catering["id"]).margins = None  # the upload is withdrawn
        db.session.commit()
        assert rederive_bulletin(db.session, bulletin) == pdf
