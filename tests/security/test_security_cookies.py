"""Cookie flags: HttpOnly and SameSite always, Secure when SESSION_COOKIE_SECURE is on."""

from __future__ import annotations

import pytest

from surveyapp.survey.device import DEVICE_COOKIE


def _cookies(reply) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in reply.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("secure", [True, False])
def test_survey_cookies_flags(make_app, make_round, secure):
    code = make_round("catering")
    client = make_app(SESSION_COOKIE_SECURE=secure).test_client()
    reply = client.get(f"/s/{code}?lang=en&size=large")
    cookies = _cookies(reply)
    # the device id, the session (CSRF), the language and text-size choices
    assert {DEVICE_COOKIE, "session", "lang", "size"} <= set(cookies)
    for name in (DEVICE_COOKIE, "session", "lang", "size"):
        header = cookies[name]
        assert "HttpOnly" in header, name
        assert "SameSite=Lax" in header, name
        assert ("Secure" in header.split("; ")) is secure, name


def test_security_headers_on_survey_and_api(make_app, make_round):
    code = make_round("catering")
    client = make_app().test_client()
    for reply in (client.get(f"/s/{code}"), client.get(f"/api/v1/rounds/{code}")):
        csp = reply.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in reply.headers  # plain HTTP
    https = client.get(f"/s/{code}", base_url="https://survey.example")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
