"""Abuse resistance: rate limits, the source of a submission (for holds), the honeypot.

Call :func:`init_security` at the end of the application factory (after the
blueprints are registered: it attaches the limits to their marked views).
"""

from __future__ import annotations

from flask import Flask

from surveyapp.security.honeypot import HONEYPOT_FIELD, honeypot_filled
from surveyapp.security.http_errors import init_http_errors
from surveyapp.security.limits import (
    init_limiter,
    rate_limited,
    retry_after,
    submission_origin,
)
from surveyapp.security.sessions import init_sessions


def init_security(app: Flask) -> None:
    """Rate limits on the views marked :func:`rate_limited`, and the 429 replies;
    the JSON (API) or bilingual (pages) replies to oversized bodies and unrouted URLs;
    the signed session cookie without a new signer per request."""
    init_limiter(app)
    init_sessions(app)
    init_http_errors(app)


__all__ = [
    "HONEYPOT_FIELD",
    "honeypot_filled",
    "init_security",
    "rate_limited",
    "retry_after",
    "submission_origin",
]
