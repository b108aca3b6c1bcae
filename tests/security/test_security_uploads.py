"""Request bodies over MAX_CONTENT_LENGTH, and URLs no route matches, get clear replies.

The API answers with its JSON error body (as its OpenAPI document promises for every
status); the pages answer a too-large body with a short notice in Chinese and English.
Nothing is stored either way.
"""

from __future__ import annotations

import pytest

from tests.api.test_submit import _count, _payload

LIMIT = 4096


@pytest.fixture
def small(make_app):
    """A wired app that accepts bodies of at most LIMIT bytes."""
    return make_app(MAX_CONTENT_LENGTH=LIMIT, RATELIMIT_ENABLED=False, ACCESS_LOG=False)


def test_api_body_over_the_limit_is_a_json_413(app, small, make_round, keyed):
    code = make_round("catering")
    body = _payload(app, code, open={"suggestions": "长" * LIMIT})
    reply = small.test_client().post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    assert reply.status_code == 413
    assert reply.mimetype == "application/json"
    assert reply.get_json()["error"] == "too_large"
    assert _count(app) == 0


def test_api_body_under_the_limit_is_taken(app, small, make_round, keyed):
    code = make_round("catering")
    reply = small.test_client().post(
        f"/api/v1/rounds/{code}/responses", json=_payload(app, code), headers=keyed
    )
    assert reply.status_code == 201
    assert _count(app) == 1


def test_page_body_over_the_limit_is_a_bilingual_413_page(small):
    reply = small.test_client().post("/login", data={"username": "x", "password": "y" * LIMIT})
    assert reply.status_code == 413
    assert reply.mimetype == "text/html"
    html = reply.get_data(as_text=True)
    assert "提交内容过大" in html and "Submission too large" in html
    assert "Request Entity Too Large" not in html  # not werkzeug's bare page


def test_survey_body_over_the_limit_keeps_its_own_notice(small, make_round):
    code = make_round("catering")
    reply = small.test_client().post(f"/s/{code}", data={"x": "y" * LIMIT})
    assert reply.status_code == 413
    assert "提交的内容超出了允许的大小" in reply.get_data(as_text=True)


def test_unrouted_api_urls_answer_json(small):
    client = small.test_client()
    for url in ("/api/v1/nope", "/api/v1/questionnaires/catering/-1"):
        reply = client.get(url)
        assert reply.status_code == 404, url
        assert reply.mimetype == "application/json", url
        assert reply.get_json()["error"] == "no_endpoint"
        assert "openapi.json" in reply.get_json()["message"]
    wrong = client.delete("/api/v1/questionnaires")
    assert wrong.status_code == 405 and wrong.mimetype == "application/json"
    assert wrong.get_json()["error"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_unrouted_page_urls_stay_html(small):
    reply = small.test_client().get("/no-such-page")
    assert reply.status_code == 404 and reply.mimetype == "text/html"


def test_huge_questionnaire_version_is_a_404_not_a_crash(small, publish):
    publish("catering")
    reply = small.test_client().get(f"/api/v1/questionnaires/catering/{2**63}")
    assert reply.status_code == 404 and reply.get_json()["error"] == "no_questionnaire"
