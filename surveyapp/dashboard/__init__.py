"""The bureau dashboard (``/dashboard``): indices at a glance, from one cached analysis."""

from surveyapp.dashboard.routes import bp

__all__ = ["bp"]
