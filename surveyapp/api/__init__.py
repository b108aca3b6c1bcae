"""The JSON API for kiosks, mini-programs and call centres (see shared/spec/api.md)."""

from surveyapp.api import docs  # noqa: F401  (adds /openapi.json to the blueprint)
from surveyapp.api.routes import bp

__all__ = ["bp"]
