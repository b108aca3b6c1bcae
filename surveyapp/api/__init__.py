"""The JSON API for kiosks, mini-programs and call centres (see shared/spec/api.md)."""

from surveyapp.api.routes import bp

__all__ = ["bp"]
