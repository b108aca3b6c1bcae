"""The administrator's pages: survey rounds at ``/admin/rounds``.

Register :data:`bp` in the app factory; every view requires the ``admin`` role.
"""

from surveyapp.admin.routes import bp

__all__ = ["bp"]
