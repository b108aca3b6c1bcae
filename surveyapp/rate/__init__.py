"""The rating page of a provider: ``/r/<credit code or registration number>``."""

from surveyapp.rate.routes import bp

__all__ = ["bp"]
