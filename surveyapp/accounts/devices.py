"""The sign-in device cookie: "this browser has signed in to account X before".

Set after a successful sign-in; it holds the username and a random device id, signed
with the application secret (so it cannot be made up), and is sent only to
``/login``.  A sign-in attempt that carries a valid cookie for the username it tries
is throttled by its own failures only (``device`` key of
:mod:`surveyapp.accounts.service`), so strangers failing against the account from other
addresses never keep its owner's usual browser out.  It grants nothing else: the
password is checked as always.
"""

from __future__ import annotations

import secrets

from flask import Flask, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "surveyapp_signin"
DEVICE_PATH = "/login"
MAX_AGE = 180 * 24 * 3600  # half a year
_SALT = "surveyapp.auth.device-cookie"


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    secret = app.secret_key
    if not secret:
        raise RuntimeError("the application has no SECRET_KEY")
    return URLSafeTimedSerializer(secret, salt=_SALT)


def device_for(app: Flask, request: Request, username: str) -> str | None:
    """The device id of ``request``'s cookie when it was issued for ``username``."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        data = _serializer(app).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username.strip():
        return None
    device = data.get("d")
    return device if isinstance(device, str) and device else None


def remember_device(app: Flask, response: Response, username: str, device: str | None) -> None:
    """Set (or renew) the cookie for ``username`` on ``response``."""
    value = _serializer(app).dumps({"u": username, "d": device or secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=MAX_AGE,
        path=DEVICE_PATH,
        secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
