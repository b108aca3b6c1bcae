"""The 15-minute service circle on the dashboard (``/dashboard/circle``): coverage per
district and type of the stored communities by the registry's open providers, the
communities missing each type, the map, CSV exports, where to add next, and the
communities' upload page (admin and bureaus)."""

from surveyapp.circle_web import texts  # noqa: F401  (ids for extraction)
from surveyapp.circle_web.routes import bp

__all__ = ["bp"]
