"""The administrator's pages: survey rounds at ``/admin/rounds``, the channel keys of the
submission API at ``/admin/keys``.

Register :data:`bp` in the app factory; every view requires the ``admin`` role.
"""

from surveyapp.admin import (
    keys,  # noqa: F401  (adds /admin/keys to the blueprint)
    providers,  # noqa: F401  (adds /admin/providers)
)
from surveyapp.admin.routes import bp

__all__ = ["bp"]
