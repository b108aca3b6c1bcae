"""GET /api/v1/providers and /api/v1/providers/<id>/scores, with and without a token."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.api.tokens import create_token
from surveyapp.extensions import db
from surveyapp.models import Provider, User
from tests.provider_admin.conftest import code


def _token(app, make_user, role: str = "bureau") -> str:
    uid = make_user(f"api-{role}", role, sectors=["catering"] if role == "bureau" else None)
    with app.app_context():
        _, plain = create_token(db.session, db.session.get(User, uid), "t", actor="test")
        db.session.commit()
    return plain


def test_the_list_filters_pages_and_hides_closed_ones_from_the_public(app, add_provider, make_user):
    for i in range(5):
        add_provider(30 + i, district="思茅区" if i % 2 == 0 else "墨江哈尼族自治县")
    add_provider(40, sector="lodging")
    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.credit_code == code(30)))
        provider.status = "closed"
        db.session.commit()
    client = app.test_client()
    body = client.get("/api/v1/providers?sector=catering").get_json()
    assert body["total"] == 4 and code(30) not in {p["id"] for p in body["providers"]}
    assert "closed_on" not in body["providers"][0]  # staff fields need a token
    first = client.get("/api/v1/providers?sector=catering&per_page=3").get_json()
    assert len(first["providers"]) == 3 and first["next"]
    second = client.get(first["next"]).get_json()
    assert len(second["providers"]) == 1 and second["next"] is None
    ids = {p["id"] for p in first["providers"]} | {p["id"] for p in second["providers"]}
    assert len(ids) == 4
    district = client.get("/api/v1/providers?district=墨江哈尼族自治县").get_json()
    assert {p["district"] for p in district["providers"]} == {"墨江哈尼族自治县"}
    assert client.get("/api/v1/providers?sector=nope").status_code == 400
    assert client.get("/api/v1/providers?per_page=0").status_code == 400
    token = _token(app, make_user)
    staff = client.get("/api/v1/providers?sector=catering",
                       headers={"Authorization": f"Bearer {token}"}).get_json()  # fmt: skip
    assert staff["total"] == 5 and "closed_on" in staff["providers"][0]
    bad = client.get("/api/v1/providers", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401  # a token sent must be valid


def test_scores_public_without_a_token_staff_fields_with_one(app, add_provider, rate, make_user):
    rated = add_provider(50)
    few = add_provider(51)
    rate(rated, [5] * 8 + [2] * 4)
    rate(few, [5, 1])
    client = app.test_client()
    public = client.get(f"/api/v1/providers/{code(50)}/scores").get_json()
    (sector,) = public["sectors"]
    assert sector["sector"] == "catering" and sector["n"] == 12 and sector["published"]
    low, high = sector["ci"]
    assert low < sector["posterior_share"] < high and not sector["staff"]
    assert "raw_share" not in sector and "satisfied" not in sector
    hidden = client.get(f"/api/v1/providers/{code(51)}/scores").get_json()["sectors"][0]
    assert hidden["n"] == 2 and not hidden["published"] and hidden["posterior_share"] is None
    token = _token(app, make_user)
    staff = client.get(f"/api/v1/providers/{code(51)}/scores",
                       headers={"Authorization": f"Bearer {token}"}).get_json()["sectors"][0]  # fmt: skip
    assert staff["staff"] and staff["satisfied"] == 1 and staff["raw_share"] == 0.5
    assert staff["posterior_share"] is not None and staff["prior"]["method"]
    assert client.get("/api/v1/providers/91350100M000100Y43/scores").status_code == 404


def test_a_bureau_token_gets_staff_fields_only_in_its_sectors(app, add_provider, rate, make_user):
    lodging = add_provider(60, sector="lodging")
    rate(lodging, [4, 5, 5, 3, 5, 5], sector="lodging")
    token = _token(app, make_user)
    got = app.test_client().get(f"/api/v1/providers/{code(60)}/scores",
                                headers={"Authorization": f"Bearer {token}"}).get_json()  # fmt: skip
    assert got["sectors"][0]["staff"] is False and "raw_share" not in got["sectors"][0]


def test_replies_match_the_openapi_document(app, add_provider, rate, make_user):
    from jsonschema import Draft202012Validator

    pid = add_provider(70)
    rate(pid, [5, 4, 4, 2, 5, 5])
    client = app.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/providers", "/api/v1/providers/{code}/scores"} <= set(doc["paths"])
    for path in ("/api/v1/providers", "/api/v1/providers/{code}/scores"):
        assert "security" not in doc["paths"][path]["get"]  # public; a token is optional

    def check(name, body):
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        errors = list(Draft202012Validator(schema).iter_errors(body))
        assert not errors, errors[0].message

    token = _token(app, make_user, "admin")
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        check("ProviderList", client.get("/api/v1/providers", headers=headers).get_json())
        scores = client.get(f"/api/v1/providers/{code(70)}/scores", headers=headers).get_json()
        check("ProviderScores", scores)
    check("Error", client.get("/api/v1/providers/nope/scores").get_json())


def test_public_scores_are_the_stored_ones_once_computed(app, add_provider, rate, make_user):
    from surveyapp.models.base import utcnow
    from surveyapp.providers.published import ScoreSettings, refresh_published_scores
    from surveyapp.rounds.dates import china_today

    pid = add_provider(80)
    rate(pid, [5] * 6 + [1] * 2)
    with app.app_context():
        refresh_published_scores(db.session, china_today(utcnow()), ScoreSettings(12, 5))
        db.session.commit()
    rate(pid, [1] * 4)  # after the stored computation
    client = app.test_client()
    public = client.get(f"/api/v1/providers/{code(80)}/scores").get_json()["sectors"][0]
    assert public["n"] == 8 and public["published"] and not public["staff"]
    low, high = public["ci"]
    assert low < public["posterior_share"] < high
    token = _token(app, make_user, "admin")
    fresh = client.get(f"/api/v1/providers/{code(80)}/scores",
                       headers={"Authorization": f"Bearer {token}"}).get_json()["sectors"][0]  # fmt: skip
    assert fresh["n"] == 12 and fresh["staff"] and fresh["satisfied"] == 6
