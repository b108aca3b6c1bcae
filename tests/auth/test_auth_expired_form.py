"""Issue 14: an expired form (a stale CSRF token) on the sign-in and API token pages is
a page in Chinese and English with a way back to the form, never werkzeug's English
"Bad Request"; the API keeps its JSON error."""

from __future__ import annotations

import pytest

from tests.auth.helpers import PASSWORD, sign_in_as


def _expired_page(reply, path: str) -> str:
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert "Bad Request" not in page and "CSRF" not in page
    assert "页面已过期" in page and "The page has expired" in page
    assert f'href="{path}"' in page  # reopens the form
    return page


def test_sign_in_with_a_stale_form(app):
    client = app.test_client()
    reply = client.post("/login", data={"username": "x", "password": PASSWORD, "csrf_token": "old"})
    _expired_page(reply, "/login")


@pytest.mark.parametrize("token", [None, "stale"])
def test_api_token_form_with_a_stale_form(app, make_user, token):
    client = app.test_client()
    sign_in_as(app, client, make_user("ana", "evaluator"))
    data = {"name": "kiosk"} | ({"csrf_token": token} if token else {})
    _expired_page(client.post("/account/tokens", data=data), "/account/tokens")


def test_a_post_only_address_gets_no_dead_link(app, make_user):
    client = app.test_client()
    sign_in_as(app, client, make_user("bo", "viewer"))
    page = client.post("/logout", data={"csrf_token": "old"}).get_data(as_text=True)
    assert "页面已过期" in page and 'href="/logout"' not in page
