"""Wire accounts and the dashboard into a test app until ``create_app`` does it.

Idempotent: once ``create_app`` calls ``init_auth`` and registers the blueprints,
this does nothing.
"""

from __future__ import annotations

from flask import Flask

import surveyapp.models.user  # noqa: F401  (tables known to the metadata)


def wire_auth(app: Flask) -> Flask:
    from surveyapp import auth
    from surveyapp.auth.setup import init_auth

    if "auth" not in app.blueprints:
        init_auth(app)
        app.register_blueprint(auth.bp)
    try:
        from surveyapp import dashboard
    except ImportError:  # pragma: no cover - before the dashboard exists
        return app
    if "dashboard" not in app.blueprints:
        app.register_blueprint(dashboard.bp)
    return app
