"""The resident survey pages at ``/s/<round_code>``."""

from surveyapp.survey.routes import bp

__all__ = ["bp"]
