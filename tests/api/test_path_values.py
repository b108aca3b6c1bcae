"""Path values no row can have are a 404, on PostgreSQL too (which refuses a NUL with an error)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "url", "code"),
    [
        ("GET", "/api/v1/rounds/%00x", "not_found"),
        ("POST", "/api/v1/rounds/%00x/responses", "not_found"),
        ("GET", "/api/v1/questionnaires/%00x", "no_questionnaire"),
        ("GET", "/api/v1/questionnaires/%00x/1", "no_questionnaire"),
    ],
)
def test_a_nul_in_a_path_value_is_a_json_404(client, make_round, method, url, code):
    make_round("catering", code="real-round")
    reply = client.open(url, method=method, json={} if method == "POST" else None)
    assert reply.status_code == 404
    assert reply.get_json()["error"] == code
