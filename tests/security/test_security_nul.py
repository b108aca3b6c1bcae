"""A NUL character in a URL is refused the same way on SQLite and PostgreSQL.

PostgreSQL answers a text parameter holding NUL with an error, so without the guard
``/s/a%00b`` was a 500 there (and a plain 404 on SQLite)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/s/a%00b", "/s/a%00b/thanks", "/bulletins/1%00.pdf"])
def test_nul_in_a_path_value_is_404(client, path):
    assert client.get(path).status_code == 404


def test_nul_in_a_survey_post_path_is_404(client):
    assert client.post("/s/a%00b", data={}).status_code == 404


def test_nul_in_a_query_value_is_400(client):
    assert client.get("/?x=%00").status_code == 400
    assert client.get("/bulletins?lang=%00").status_code == 400


def test_nul_in_an_api_path_keeps_the_api_error_code(client):
    reply = client.get("/api/v1/rounds/a%00b")
    assert reply.status_code == 404 and reply.get_json()["error"] == "not_found"
