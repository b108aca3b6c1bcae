"""Complaint pages: the resident's form and status page (JS-free, zh/en), the bureau's
handling pages, the public publicity (公示) page with its editions, consumer warnings."""

from surveyapp.complaints_web import texts  # noqa: F401  (ids for extraction)
from surveyapp.complaints_web.routes import bp

__all__ = ["bp"]
