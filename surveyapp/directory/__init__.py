"""Public provider pages (no login): the directory ``/providers`` and a provider's page
``/providers/<id>`` with its published scores, comments and replies; the bureau's hide
and the provider's reply are forms on the provider's page."""

from surveyapp.directory.routes import bp

__all__ = ["bp"]
