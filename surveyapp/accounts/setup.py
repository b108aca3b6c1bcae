"""Bind Flask-Login to the app: user loader, login redirect, forced password change.

Call :func:`init_auth` from :func:`surveyapp.create_app` (before registering the
``auth`` and ``dashboard`` blueprints).
"""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_login import LoginManager, current_user

from surveyapp.accounts.service import warm_up
from surveyapp.extensions import db
from surveyapp.models.user import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page says why itself (``next`` is set)
login_manager.session_protection = "basic"

# Pages a user who must change the password may still open.
_ALWAYS_ALLOWED = {
    "auth.change_password",
    "auth.logout",
    "auth.login",
    "static",
    "public.healthz",
    "public.readyz",
}
# Blueprints that never trust the session cookie (token or anonymous JSON).
_COOKIELESS_BLUEPRINTS = {"api"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """``"<id>.<session_version>"`` → the user, or ``None`` for a stale or odd id."""
    ident, _, version = user_id.partition(".")
    if not (ident.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def init_auth(app: Flask) -> None:
    """Bind the login manager and the forced password change.

    Sign-in throttling needs nothing here: it lives in the database (see
    :mod:`surveyapp.accounts.service`), shared by every worker.
    """
    login_manager.init_app(app)
    warm_up()

    @app.before_request
    def _force_password_change():
        if request.endpoint is None or request.endpoint in _ALWAYS_ALLOWED:
            return None
        if request.blueprint in _COOKIELESS_BLUEPRINTS:
            return None
        if current_user.is_authenticated and current_user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return None

    @app.context_processor
    def _auth_globals():
        return {"has_endpoint": lambda name: name in app.view_functions}
