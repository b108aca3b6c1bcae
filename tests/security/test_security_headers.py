"""Security headers on every kind of reply, and cookie flags in the production setup.

Each assertion names one header, so removing that header from ``surveyapp.web`` fails
exactly the matching check: CSP (no inline script, no framing, no plugins, no <base>),
no-sniff, the referrer policy, the frame ban for old browsers, HSTS on HTTPS only.
"""

from __future__ import annotations

import pytest

from surveyapp.survey.device import DEVICE_COOKIE
from tests.conftest import TEST_SECRET


def _replies(client, code):
    return {
        "survey page": client.get(f"/s/{code}"),
        "home": client.get("/"),
        "login page": client.get("/login"),
        "API JSON": client.get(f"/api/v1/rounds/{code}"),
        "API error": client.get("/api/v1/rounds/nope"),
        "page 404": client.get("/no-such-page"),
    }


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


def test_every_reply_carries_the_security_headers(make_app, make_round):
    code = make_round("catering")
    client = make_app().test_client()
    for name, reply in _replies(client, code).items():
        csp = _directives(reply.headers.get("Content-Security-Policy", ""))
        assert csp.get("script-src") == "script-src 'self'", name
        assert csp.get("frame-ancestors") == "frame-ancestors 'none'", name
        assert csp.get("object-src") == "object-src 'none'", name
        assert csp.get("base-uri") == "base-uri 'none'", name
        assert "unsafe-inline" not in str(csp) and "unsafe-eval" not in str(csp), name
        assert reply.headers.get("X-Content-Type-Options") == "nosniff", name
        assert reply.headers.get("Referrer-Policy") == "same-origin", name
        assert reply.headers.get("X-Frame-Options") == "DENY", name
        assert "Strict-Transport-Security" not in reply.headers, name  # plain HTTP


def test_hsts_only_on_https(make_app, make_round):
    code = make_round("catering")
    client = make_app().test_client()
    secure = client.get(f"/s/{code}", base_url="https://survey.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # a client claiming HTTPS without a trusted proxy is still on plain HTTP
    spoofed = client.get(f"/s/{code}", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_hsts_behind_a_trusted_proxy_that_terminated_tls(make_app, make_round):
    code = make_round("catering")
    client = make_app(TRUST_PROXY=1).test_client()
    reply = client.get(
        f"/s/{code}", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get(f"/s/{code}", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers


def _flags(reply) -> dict[str, list[str]]:
    return {
        header.split("=", 1)[0]: [part.strip() for part in header.split(";")[1:]]
        for header in reply.headers.getlist("Set-Cookie")
    }


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({"ENV": "production", "SECRET_KEY": TEST_SECRET}, True),  # the production default
        ({"ENV": "production", "SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, False),
        ({}, False),  # development on http://127.0.0.1
        ({"SESSION_COOKIE_SECURE": True}, True),
    ],
)
def test_cookie_flags_follow_the_environment(make_app, make_round, settings, secure):
    code = make_round("catering")
    app = make_app(**settings)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    client = app.test_client()
    cookies = _flags(client.get(f"/s/{code}?lang=en"))
    cookies.update(_flags(client.get("/login")))
    assert {DEVICE_COOKIE, "session", "lang"} <= cookies.keys()
    for name, flags in cookies.items():
        assert "HttpOnly" in flags, name
        assert "SameSite=Lax" in flags, name
        assert ("Secure" in flags) is secure, name
