"""Public pages: the list of open surveys and health checks."""

from surveyapp.public.routes import bp

__all__ = ["bp"]
