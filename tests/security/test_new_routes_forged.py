"""The new routes (credit, supervision, plans, circle, held ratings, complaint matching
and explanations) given forged requests: a POST without its CSRF token, from a provider
account, from a bureau of another sector, from nobody.  None is taken, none is a 500,
and nothing is written; every new page carries the app's security headers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider
from tests.auth import helpers
from tests.credit.credit_data import add_providers

app = helpers.app
make_user = helpers.make_user

KEY = "{key}"  # a stored catering provider's credit code, filled in by the fixture
POSTS = (
    "/dashboard/providers/catering/held/1",
    "/dashboard/circle/suggest",
    "/dashboard/circle/communities",
    "/plans/values/upload",
    "/plans/puer-2023-quality/catering-revenue",
    "/dashboard/supervision/plans/1/results",
    "/dashboard/supervision/plans/1/publish",
    f"/dashboard/supervision/proposals/{KEY}/warn",
    f"/dashboard/supervision/proposals/{KEY}/dismiss",
    f"/dashboard/credit/providers/{KEY}/override",
    f"/dashboard/credit/providers/{KEY}/repair",
    "/complaints/cases/1/match",
    "/complaints/cases/1/step",
    "/complaints/publicity/explanations",
    "/complaints/publicity/explanations/1/decide",
    "/complaints/publicity/publish",
    "/complaints/warnings",
)
PAGES = (
    "/dashboard/credit",
    "/dashboard/credit/catering",
    "/dashboard/supervision",
    "/dashboard/supervision/proposals",
    "/dashboard/circle",
    "/dashboard/circle/communities",
    "/dashboard/providers/catering/held",
    "/plans/",
    "/plans/values/upload",
    "/complaints/cases",
    "/complaints/unmatched",
    "/complaints/publicity",
    "/inspections",
)
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
           "Referrer-Policy", "Permissions-Policy")  # fmt: skip
#: form fields a real post would carry (the forgery is the missing token or the account)
DATA = {"probe": "1", "reason": "伪造", "decision": "approve", "credit_code": "x",
        "scope": "provider", "title": "t", "body": "b", "period": "2026Q4"}  # fmt: skip


@pytest.fixture
def people(app, make_user):
    from surveyapp.accounts.service import create_user

    with app.app_context():
        key = add_providers(db.session, 1)[0]
        provider_id = db.session.scalar(select(Provider.id).where(Provider.credit_code == key))
        user, _ = create_user(db.session, "dian", "provider", helpers.PASSWORD,
                              provider_id=provider_id, must_change_password=False)  # fmt: skip
        db.session.commit()
        provider_user = user.id
    ids = {
        "admin": make_user("root", "admin"),
        "bureau": make_user("shangwu", "bureau", sectors=["catering"]),
        "other sector": make_user("minzheng", "bureau", sectors=["elderly_care"]),
        "provider": provider_user,
    }
    return key, ids


def _client(app, user_id=None):
    client = app.test_client()
    if user_id is not None:
        helpers.sign_in_as(app, client, user_id)
    return client


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog)) or 0


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_its_csrf_token_is_refused(app, people, url):
    key, ids = people
    before = _audit_count(app)
    for who in ("admin", "bureau"):
        response = _client(app, ids[who]).post(url.format(key=key), data=DATA)
        # the circle's suggestions are a 404 before any form while no community is stored
        expected = 404 if url == "/dashboard/circle/suggest" else 400
        assert response.status_code == expected, (who, response.status_code)
    assert _audit_count(app) == before


@pytest.mark.parametrize("url", POSTS)
def test_a_post_by_a_provider_or_nobody_is_refused(app, people, url):
    key, ids = people
    app.config["WTF_CSRF_ENABLED"] = False  # the account is the forgery here, not the token
    before = _audit_count(app)
    provider = _client(app, ids["provider"]).post(url.format(key=key), data=DATA)
    assert provider.status_code == 403, provider.status_code
    nobody = _client(app).post(url.format(key=key), data=DATA)
    assert nobody.status_code == 302 and "/login" in nobody.headers["Location"]
    assert _audit_count(app) == before


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/providers/catering/held/1",
        "/plans/puer-2023-quality/catering-revenue",
        f"/dashboard/credit/providers/{KEY}/override",
        f"/dashboard/credit/providers/{KEY}/repair",
        f"/dashboard/supervision/proposals/{KEY}/warn",
        f"/dashboard/supervision/proposals/{KEY}/dismiss",
    ],
)
def test_a_bureau_of_another_sector_is_refused(app, people, url):
    key, ids = people
    app.config["WTF_CSRF_ENABLED"] = False
    before = _audit_count(app)
    response = _client(app, ids["other sector"]).post(url.format(key=key), data=DATA)
    assert response.status_code in (403, 404), response.status_code
    assert _audit_count(app) == before


def test_a_bureau_of_another_sector_does_not_see_the_held_ratings(app, people):
    _, ids = people
    response = _client(app, ids["other sector"]).get("/dashboard/providers/catering/held")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("url", PAGES)
def test_the_new_pages_carry_the_security_headers(app, people, url):
    _, ids = people
    response = _client(app, ids["admin"]).get(url)
    assert response.status_code == 200, (url, response.status_code)
    for header in HEADERS:
        assert response.headers.get(header), (url, header)
