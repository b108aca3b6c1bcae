"""Sign-in pages: login, logout, password change, the users page (blueprint).

The accounts themselves — passwords, roles, the sign-in throttle, ``roles_required``
and the audit log — are the :mod:`surveyapp.accounts` service, which every blueprint
uses.  Bind with :func:`surveyapp.accounts.setup.init_auth`, then register :data:`bp`.
"""

from surveyapp.auth.routes import bp

__all__ = ["bp"]
