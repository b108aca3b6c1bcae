"""What the survey pages keep in the browser: a device id, the start time, display prefs.

Everything here is signed with the application secret (``itsdangerous``), so the
server can trust what comes back without keeping any state of its own:

- the device cookie holds a random id; only its HMAC with the round salt is ever
  stored, by :func:`surveyapp.responses.submit.submit_response`;
- the start stamp travels in a hidden field from the first page to the last and
  gives the server's own clock reading of when the survey was opened;
- the thank-you page's receipt (``?r=``) is a signed stamp of the round, so a bare
  ``/s/<code>/thanks`` never tells anyone their answers were submitted;
- the text size is a plain preference cookie (``?size=large``) that adds a class on
  ``<html>``, so it works with JavaScript off.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Response, current_app, g, request
from flask.sansio.app import App
from itsdangerous import BadSignature, TimestampSigner, URLSafeSerializer

DEVICE_COOKIE = "sv_device"
SIZE_COOKIE = "size"
SIZES = ("normal", "large")
_DEVICE_SALT = "surveyapp.survey.device"
_STARTED_SALT = "surveyapp.survey.started"
_RECEIPT_SALT = "surveyapp.survey.receipt"
RECEIPT_MAX_AGE = 24 * 3600  # a thank-you link says "submitted" for a day after the answer


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def device_id() -> str:
    """The browser's device id from its signed cookie, or a new one set on this response.

    A missing or tampered cookie gives a fresh random id; :func:`save_device_cookie`
    then writes it (call it on the outgoing response).
    """
    cached = getattr(g, "survey_device_id", None)
    if cached:
        return cached
    raw = request.cookies.get(DEVICE_COOKIE)
    value = None
    if raw:
        try:
            loaded = _device_serializer().loads(raw)
        except BadSignature:
            loaded = None
        if isinstance(loaded, str) and 16 <= len(loaded) <= 64:
            value = loaded
    if value is None:
        value = secrets.token_urlsafe(24)
        g.survey_device_new = True
    g.survey_device_id = value
    return value


def save_device_cookie(response: Response) -> Response:
    """Write the device cookie when this request minted a new id."""
    if getattr(g, "survey_device_new", False):
        days = int(current_app.config.get("DEVICE_COOKIE_DAYS", 400))
        response.set_cookie(
            DEVICE_COOKIE,
            _device_serializer().dumps(g.survey_device_id),
            max_age=days * 24 * 3600,
            path="/s/",
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", False)),
        )
    return response


def _started_signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=_STARTED_SALT)


def sign_started(round_code: str) -> str:
    """A stamp of "now" bound to ``round_code``, for the hidden field of the first page."""
    return _started_signer().sign(round_code).decode("ascii")


def read_started(stamp: str | None, round_code: str) -> datetime | None:
    """The UTC time the stamp was made, or None when it is missing, forged or of another round."""
    if not stamp:
        return None
    try:
        value, when = _started_signer().unsign(stamp, return_timestamp=True)
    except (BadSignature, ValueError):
        return None
    if value.decode("utf-8", "replace") != round_code:
        return None
    return when.astimezone(UTC)


def sign_receipt(round_code: str) -> str:
    """A stamp for the thank-you page's ``?r=``: an answer to ``round_code`` was just taken."""
    signer = TimestampSigner(current_app.config["SECRET_KEY"], salt=_RECEIPT_SALT)
    return signer.sign(round_code).decode("ascii")


def read_receipt(stamp: str | None, round_code: str) -> bool:
    """True for a genuine, recent receipt of ``round_code`` (a bare thanks URL says nothing)."""
    if not stamp:
        return False
    signer = TimestampSigner(current_app.config["SECRET_KEY"], salt=_RECEIPT_SALT)
    try:
        value = signer.unsign(stamp, max_age=RECEIPT_MAX_AGE)
    except (BadSignature, ValueError):
        return False
    return value.decode("utf-8", "replace") == round_code


def text_size() -> str:
    """``large`` or ``normal``: from ``?size=`` on this request, else the cookie."""
    chosen = request.args.get("size")
    if chosen in SIZES:
        return chosen
    stored = request.cookies.get(SIZE_COOKIE)
    return stored if stored in SIZES else "normal"


def install_display_prefs(app: App) -> None:
    """Remember ``?size=`` in a cookie and offer ``text_size`` / ``self_url`` to templates."""

    @app.after_request
    def _remember_size(response: Response) -> Response:
        chosen = request.args.get("size")
        if chosen in SIZES:
            response.set_cookie(
                SIZE_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=bool(app.config.get("SESSION_COOKIE_SECURE", False)),
            )
        return response

    @app.context_processor
    def _display_globals():
        return {"text_size": text_size(), "self_url": self_url}


def self_url(**changes: str | None) -> str:
    """This page's path and query with ``changes`` applied (None removes a key)."""
    args = request.args.to_dict(flat=True)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    query = urlencode(args)
    return request.path + ("?" + query if query else "")
