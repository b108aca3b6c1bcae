"""The credit API: a sector's classes for bureau and admin tokens, a provider's record
(public part without a token, the whole record for a token of its sectors)."""

from __future__ import annotations

import pytest

from surveyapp.api.tokens import create_token
from surveyapp.extensions import db
from surveyapp.models import User


@pytest.fixture
def token(app, world):
    def _token(who: str) -> dict[str, str]:
        with app.app_context():
            owner = db.session.get(User, world.users[who])
            _, plain = create_token(db.session, owner, "t", actor="test")
            db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return _token


def test_classes_for_a_bureau_of_the_sector(app, world, token):
    client = app.test_client()
    got = client.get("/api/v1/credit/classes?sector=catering", headers=token("bureau"))
    assert got.status_code == 200
    body = got.get_json()
    assert (body["period"], body["periods"]) == ("2026Q4", ["2026Q3", "2026Q4"])
    assert body["counts"] == {"A": 2, "B": 0, "C": 0, "D": 1}
    p1 = next(p for p in body["providers"] if p["id"] == world.codes[0])
    assert p1["class"] == "D" and p1["points"] == 70
    assert {f["indicator"] for f in p1["factors"]} == {"penalties_24m", "abnormal_listings"}
    q3 = client.get("/api/v1/credit/classes?sector=catering&period=2026Q3&district=思茅区",
                    headers=token("admin")).get_json()  # fmt: skip
    assert q3["counts"] == {"A": 1, "B": 0, "C": 1, "D": 0}


def test_classes_refusals(app, world, token):
    client = app.test_client()
    assert client.get("/api/v1/credit/classes?sector=catering").status_code == 401
    got = client.get("/api/v1/credit/classes?sector=catering", headers=token("lodging"))
    assert got.status_code == 403 and got.get_json()["error"] == "sector_forbidden"
    got = client.get("/api/v1/credit/classes?sector=catering", headers=token("evaluator"))
    assert got.status_code == 403 and got.get_json()["error"] == "crw_api_forbidden"
    admin = token("admin")
    got = client.get("/api/v1/credit/classes", headers=admin)
    assert got.status_code == 400 and got.get_json()["parameter"] == "sector"
    got = client.get("/api/v1/credit/classes?sector=nope", headers=admin)
    assert got.status_code == 400 and got.get_json()["parameter"] == "sector"
    got = client.get("/api/v1/credit/classes?sector=catering&period=2020Q1", headers=admin)
    assert got.status_code == 400 and got.get_json()["parameter"] == "period"
    empty = client.get("/api/v1/credit/classes?sector=lodging", headers=admin).get_json()
    assert (empty["period"], empty["providers"]) == (None, [])


def test_provider_record_is_public_only_without_a_token(app, world, token):
    from datetime import date

    from surveyapp.models.credit import CreditEvent
    from tests.credit.credit_data import provider_id

    with app.app_context():
        db.session.add(CreditEvent(provider_id=provider_id(db.session, world.codes[0]),
                                   kind="honour", occurred_on=date(2026, 5, 1), source="test",
                                   external_id="h1", description="示范企业", public=True))  # fmt: skip
        db.session.commit()
    client = app.test_client()
    url = f"/api/v1/providers/{world.codes[0]}/credit"
    public = client.get(url).get_json()
    assert public["staff"] is False and "class" not in public
    assert [e["kind"] for e in public["events"]] == ["honour"]  # not the penalty: not public
    staff = client.get(url, headers=token("bureau")).get_json()
    assert staff["staff"] is True and staff["class"] == "D"
    assert staff["recorded"]["period"] == "2026Q4"
    assert [h["period"] for h in staff["history"]] == ["2026Q4", "2026Q3"]
    assert {e["kind"] for e in staff["events"]} == {"honour", "penalty", "abnormal", "inspection"}
    # a bureau of another sector reads the public part only
    assert client.get(url, headers=token("lodging")).get_json()["staff"] is False
    bad = client.get(url, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert client.get("/api/v1/providers/NOPE/credit").status_code == 404
