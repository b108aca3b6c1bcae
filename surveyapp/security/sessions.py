"""The signed session cookie, without rebuilding its signer on every request.

Flask's :class:`~flask.sessions.SecureCookieSessionInterface` builds a new
``URLSafeTimedSerializer`` (key list, salt, signer options) each time it opens or saves
a session, which is every request, even ``/healthz`` or an API post that carries no
cookie.  This interface keeps the serializer while the secret key and its fallbacks
stay the same, and opens an empty session at once when the request has no session
cookie.  The cookie, its signature, its lifetime and what happens to a forged or
expired one are Flask's own, unchanged.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from itsdangerous import URLSafeTimedSerializer


class CachedSignerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; the serializer is built once per secret key."""

    def __init__(self) -> None:
        self._signer: tuple[Any, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or ()
        keys = (app.secret_key, tuple(fallbacks))
        cached = self._signer  # one read: a worker thread may replace it meanwhile
        if cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            self._signer = cached
        return cached[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask opens for a request without the cookie
        return super().open_session(app, request)


def init_sessions(app: Flask) -> None:
    """Use :class:`CachedSignerSessionInterface` unless the app chose another interface."""
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = CachedSignerSessionInterface()
