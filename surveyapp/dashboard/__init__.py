"""The bureau dashboard (``/dashboard``): indices at a glance, from one cached analysis;
the anomaly panel (``/dashboard/anomalies``)."""

from surveyapp.dashboard import (
    anomalies,  # noqa: F401  (the anomaly panel's routes)
    providers,  # noqa: F401  (a sector's providers, lowest first)
)
from surveyapp.dashboard.routes import bp

__all__ = ["bp"]
