"""``Authorization: Bearer <token>`` for the read endpoints, and the errors they share.

Only the header counts: a signed-in browser's session cookie never authenticates an
API call (the API is CSRF-exempt, so trusting the cookie would let any web page make a
signed-in visitor's browser read data on its behalf).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from surveyapp.api.errors import api_lang, error_response
from surveyapp.api.tokens import verify_token
from surveyapp.extensions import db
from surveyapp.i18n import t
from surveyapp.models.user import User

__all__ = [
    "BadParameter",
    "REALM",
    "api_token_id",
    "api_user",
    "bad_parameter",
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


def token_required(view: Callable) -> Callable:
    """Run ``view`` as the token's owner (:func:`api_user`), or answer 401 saying why.

    The view is marked ``api_auth = "bearer"`` so the OpenAPI test can check that every
    such route is documented with the bearer security scheme.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "").strip()
        if not header:
            return _unauthorized("token_missing", None)
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials or " " in credentials:
            return _unauthorized("token_malformed", "invalid_request")
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
