"""What the rating page keeps in the browser: a signed random device id (cookie
``sv_rate`` on ``/r/``) and the thank-you page's signed receipt (``?r=``).

Only an HMAC of the device id, bound to the provider, is ever stored
(:func:`surveyapp.ratings.submit.rater_hash`).
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, TimestampSigner, URLSafeSerializer

COOKIE = "sv_rate"
RECEIPT_MAX_AGE = 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="surveyapp.rate.device")


def rating_device() -> str:
    """This browser's device id: from its cookie, else a new one (written by
    :func:`keep_device` on the response)."""
    if "rate_device" not in g:
        try:
            value = _serializer().loads(request.cookies.get(COOKIE, ""))
        except BadSignature:
            value = None
        if not (isinstance(value, str) and 16 <= len(value) <= 64):
            value = secrets.token_urlsafe(24)
            g.rate_device_new = True
        g.rate_device = value
    return g.rate_device


def keep_device(response: Response) -> Response:
    if g.get("rate_device_new"):
        response.set_cookie(
            COOKIE,
            _serializer().dumps(g.rate_device),
            max_age=int(current_app.config.get("DEVICE_COOKIE_DAYS", 400)) * 24 * 3600,
            path="/r/",
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", False)),
        )
    return response


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="surveyapp.rate.receipt")


def sign_receipt(provider_key: str, replaced: bool) -> str:
    return _signer().sign(f"{provider_key}:{int(replaced)}").decode("ascii")


def read_receipt(stamp: str | None, provider_key: str) -> bool | None:
    """None: no genuine recent receipt of this provider; else whether it replaced one."""
    try:
        value = _signer().unsign(stamp or "", max_age=RECEIPT_MAX_AGE).decode("utf-8", "replace")
    except (BadSignature, ValueError):
        return None
    key, _, replaced = value.rpartition(":")
    return replaced == "1" if key == provider_key else None
