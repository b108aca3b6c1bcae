"""Accounts and roles: sign-in pages, ``roles_required``, the audit log service.

Bind with :func:`surveyapp.auth.setup.init_auth`, then register :data:`bp`.
"""

from surveyapp.auth.decorators import roles_required
from surveyapp.auth.routes import bp
from surveyapp.auth.service import audit

__all__ = ["audit", "bp", "roles_required"]
