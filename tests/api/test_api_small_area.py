"""/api/v1/indices with a round's auxiliaries: the direct district rows keep their
verdicts and gain ``model`` (labelled, no verdict); ``small_area`` gives the fit and
every district, the synthetic ones included; nothing of it without auxiliaries."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import delete, select

from surveyapp.api.tokens import create_token
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, indices_state, options_for
from surveyapp.models import Response, Round, User
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
EMPTY = "西盟佤族自治县"


@pytest.fixture
def demo_size() -> tuple[int, int]:
    return 80, 5


@pytest.fixture
def get(app, make_user, client):
    user_id = make_user("eva", "evaluator")
    with app.app_context():
        _, token = create_token(db.session, db.session.get(User, user_id), "t", actor="cli")
        db.session.commit()

    def _get(url: str) -> dict:
        reply = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return reply.get_json()

    return _get


def test_both_estimates_and_the_fit(app, demo, get):
    code = f"catering-{demo['current'].lower()}"
    plain = get(f"/api/v1/indices?round={code}&by=district")
    assert "small_area" not in plain and all("model" not in r for r in plain["districts"])
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
        expected = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector"))
    sae = expected.small_area
    stale = get(f"/api/v1/indices?round={code}&by=district")  # the upload is a new version
    assert stale["updating"] and "small_area" not in stale
    assert indices_state(app).cache.wait_idle(timeout=120)
    body = get(f"/api/v1/indices?round={code}&by=district")
    fit = body["small_area"]
    assert fit["method"] == "reml" and fit["sigma2_u"] == pytest.approx(sae.sigma2_u, abs=1e-9)
    assert fit["beta"] == pytest.approx(sae.beta) and list(fit["beta"])[0] == "(Intercept)"
    assert fit["at_zero"] is sae.at_zero
    assert [d["district"] for d in fit["districts"]] == list(r.districts)
    empty = next(d for d in fit["districts"] if d["district"] == EMPTY)
    assert empty["n"] == 0 and empty["direct"] is None
    assert empty["model"]["kind"] == "synthetic"
    assert empty["model"]["label"] == {
        "zh": "模型估计（合成：无受访者）",
        "en": "model-based (synthetic: no respondents)",
    }
    assert EMPTY not in [row["district"] for row in body["districts"]]
    for row in body["districts"]:
        model = row["model"]
        d = sae.of(row["district"])
        assert model["kind"] == "eblup" and model["label"]["zh"] == "模型估计"
        assert model["estimate"] == pytest.approx(d.estimate) and "verdict" not in model
        assert model["ci"] == pytest.approx(list(d.ci))
        assert model["variance"] == pytest.approx(d.variance)
        assert row["index"]["estimate"] == pytest.approx(d.direct)  # the direct one is kept
        assert row["verdict"]  # the direct verdict as before
    # the reply is what the OpenAPI document says
    doc = get("/api/v1/openapi.json")
    schema = {"$ref": "#/components/schemas/Indices", "components": doc["components"]}
    assert not list(Draft202012Validator(schema).iter_errors(body))
    assert "small_area" in doc["components"]["schemas"]["Indices"]["properties"]
    body["small_area"]["districts"][0]["model"]["kind"] = "direct"  # and the check bites
    assert list(Draft202012Validator(schema).iter_errors(body))
