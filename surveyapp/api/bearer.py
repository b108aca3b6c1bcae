"""``Authorization: Bearer ...``: account tokens for the read endpoints, channel keys for
the submission endpoint, and the errors they share.

Only the header counts: a signed-in browser's session cookie never authenticates an
API call (the API is CSRF-exempt, so trusting the cookie would let any web page make a
signed-in visitor's browser read data on its behalf).

A channel key is checked by :func:`check_channel_key`, a ``before_request`` of the
blueprint, so that the rate limits wrapped around the view already know the key and
count its posts per key, never per address.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from surveyapp.api.tokens import verify_token
from surveyapp.channels import KeySource, verify_key
from surveyapp.extensions import db
from surveyapp.i18n import t
from surveyapp.json_errors import api_lang, error_response
from surveyapp.models.user import User
from surveyapp.security.limits import refused_credential_wait, set_source

__all__ = [
    "BadParameter",
    "REALM",
    "api_token_id",
    "api_user",
    "bad_parameter",
    "channel_key_required",
    "channel_source",
    "check_channel_key",
    "forbidden_sector",
    "token_required",
]

REALM = "surveyapp"


def _unauthorized(code: str, rfc_error: str | None):
    """401 with the RFC 6750 challenge: ``error="invalid_token"`` when a token was sent."""
    challenge = f'Bearer realm="{REALM}"'
    if rfc_error:
        challenge += f', error="{rfc_error}"'
    return error_response(401, code, {"WWW-Authenticate": challenge})


def _credentials() -> tuple[str, None] | tuple[None, str]:
    """``(credentials, None)`` from ``Authorization: Bearer <credentials>``, or
    ``(None, "missing")`` / ``(None, "malformed")``."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None, "missing"
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials or " " in credentials:
        return None, "malformed"
    return credentials, None


#: The RFC 6750 ``error`` of each reason a credential is refused (none when none was sent).
_RFC_ERRORS = {"missing": None, "malformed": "invalid_request"}


def token_required(view: Callable) -> Callable:
    """Run ``view`` as the token's owner (:func:`api_user`), or answer 401 saying why.

    The view is marked ``api_auth = "bearer"`` so the OpenAPI test can check that every
    such route is documented with the bearer security scheme.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        got = _credentials()
        if got[0] is None:
            problem = got[1]
            return _unauthorized(f"token_{problem}", _RFC_ERRORS[problem])
        credentials = got[0]
        check = verify_token(db.session, credentials)
        if check.token is None:
            db.session.rollback()
            return _unauthorized(f"token_{check.status}", "invalid_token")
        user, token_id = check.token.user, check.token.id
        if db.session.dirty:
            db.session.commit()  # last_used_at; objects reload on next access
        g.api_user = user
        g.api_token_id = token_id
        return view(*args, **kwargs)

    wrapped.api_auth = "bearer"  # type: ignore[attr-defined]
    return wrapped


def channel_key_required(view: Callable) -> Callable:
    """Mark ``view`` as taking posts only with a channel key (:func:`check_channel_key`
    verifies it); ``api_auth = "channel_key"`` also tells the OpenAPI test its scheme."""
    view.api_auth = "channel_key"  # type: ignore[attr-defined]
    return view


def check_channel_key():
    """``before_request``: the channel key of a :func:`channel_key_required` view.

    A valid key becomes :func:`channel_source` and the rate-limit source of the request.
    Otherwise 401 saying why (``key_missing``, ``key_malformed``, ``key_invalid``,
    ``key_revoked``) with ``WWW-Authenticate: Bearer``, or 429 once this address has sent
    too many posts without a valid key.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "api_auth", None) != "channel_key":
        return None
    credentials, problem = _credentials()
    if credentials is not None:
        check = verify_key(db.session, credentials)
        if check.source is not None:
            if check.touched:
                db.session.commit()  # last_used_at
            g.channel_source = check.source
            set_source(f"key:{check.source.id}")
            return None
        problem = check.status
    wait = refused_credential_wait()
    if wait is not None:
        return error_response(429, "rate_limited", {"Retry-After": str(wait)}, retry_after=wait)
    return _unauthorized(f"key_{problem}", _RFC_ERRORS.get(problem, "invalid_token"))


def channel_source() -> KeySource:
    """The verified channel key of this request (inside a :func:`channel_key_required` view)."""
    return g.channel_source


def api_user() -> User:
    """The owner of this request's token (inside a :func:`token_required` view)."""
    return g.api_user


def api_token_id() -> int:
    """The id of this request's token (for the audit log)."""
    return g.api_token_id


def forbidden_sector(sector: str):
    return error_response(403, "sector_forbidden", sector=sector)


class BadParameter(ValueError):
    """A query parameter is wrong; the API answers 400 naming it (see :func:`bad_parameter`)."""

    def __init__(self, parameter: str, reason: str, **params: Any) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason  # a message key: param_required, param_int_range, ...
        self.params = params


def bad_parameter(exc: BadParameter):
    """400 ``bad_parameter`` whose body names the parameter and says what is wrong with it."""
    reason = t(exc.reason, api_lang(), **exc.params)
    return error_response(
        400,
        "bad_parameter",
        message_params={"parameter": exc.parameter, "reason": reason},
        parameter=exc.parameter,
        reason=reason,
    )
