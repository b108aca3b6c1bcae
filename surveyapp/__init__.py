"""surveyapp: satisfaction surveys and service-quality monitoring for life services."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from surveyapp.config import ConfigError, load_config
from surveyapp.database import configure_engine
from surveyapp.extensions import csrf, db, migrate
from surveyapp.ops import check_environ, check_settings, init_ops
from surveyapp.security import init_security

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` (a mapping, used by tests) overrides the environment; without it the
    ``SURVEYAPP_*`` variables are read now, never at import time.
    """
    app = Flask(__name__, instance_relative_config=True)
    check_environ(os.environ)
    settings = load_config()
    if config:
        settings.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    settings["SECRET_KEY"] = _secret_key(settings, app.instance_path)
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "surveyapp.db")
    check_settings(settings)
    if settings.get("SESSION_COOKIE_SECURE") is None:  # unset: Secure cookies in production
        settings["SESSION_COOKIE_SECURE"] = settings.get("ENV") == "production"
    app.config.update(settings)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # a resident may take a long break mid-survey

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    with app.app_context():
        configure_engine(db.engine, busy_timeout_ms=settings["SQLITE_BUSY_TIMEOUT_MS"])

    if settings.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(settings["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]

    from surveyapp import api, auth, circle_web, complaints_web, dashboard, exports, public, survey
    from surveyapp.accounts.setup import init_auth
    from surveyapp.admin import bp as admin_bp
    from surveyapp.bulletins import manage as bulletins_manage
    from surveyapp.bulletins import moderation as bulletins_moderation
    from surveyapp.bulletins import routes as bulletins_routes
    from surveyapp.credit_web import bp as credit_web_bp
    from surveyapp.directory import bp as directory_bp
    from surveyapp.plans_web import bp as plans_web_bp
    from surveyapp.qeditor import bp as qeditor_bp
    from surveyapp.rate import bp as rate_bp
    from surveyapp.supervision_web import bp as supervision_bp
    from surveyapp.supervision_web import public_bp as inspections_public_bp
    from surveyapp.web import install_web_helpers

    install_web_helpers(app)
    init_auth(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(directory_bp)  # /providers: public provider pages
    app.register_blueprint(survey.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.tokens_bp)  # /account/tokens: a logged-in page, CSRF applies
    app.register_blueprint(bulletins_routes.bp)
    app.register_blueprint(bulletins_manage.bp)
    app.register_blueprint(bulletins_moderation.bp)  # /bulletins/moderation
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(circle_web.bp)  # /dashboard/circle: the 15-minute service circle
    app.register_blueprint(exports.bp)  # /dashboard/rounds/<code>/responses.<fmt>
    app.register_blueprint(qeditor_bp)  # /admin/questionnaires
    app.register_blueprint(admin_bp)  # /admin/rounds
    app.register_blueprint(plans_web_bp)  # /plans: plan indicators and their values
    app.register_blueprint(rate_bp)  # /r/<provider>: rating a provider
    app.register_blueprint(supervision_bp)  # /dashboard/supervision: draws, results, proposals
    app.register_blueprint(inspections_public_bp)  # /inspections: published results (一公开)
    app.register_blueprint(complaints_web.bp)  # /complaints
    app.register_blueprint(credit_web_bp)  # /dashboard/credit: bureaus' risk classes
    csrf.exempt(api.bp)  # JSON API: no cookies are trusted there, CSRF does not apply
    init_ops(app)
    init_security(app)  # after the blueprints: it attaches the limits to their views
    return app


def _secret_key(settings: Mapping[str, Any], instance_path: str) -> str:
    """The configured secret; in development a random one kept in the instance folder."""
    key = settings.get("SECRET_KEY")
    if key:
        if settings.get("ENV") == "production" and len(key) < 32:
            raise ConfigError("SURVEYAPP_SECRET_KEY must be at least 32 characters in production")
        return key
    if settings.get("ENV") == "production":
        raise ConfigError("refusing to start in production without SURVEYAPP_SECRET_KEY")
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    with open(path, encoding="ascii") as fh:
        return fh.read().strip()
