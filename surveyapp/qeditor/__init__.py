"""The questionnaire editor (admin): published versions, YAML editing and upload with
line-numbered errors, publishing, and XLSForm import for review."""

from surveyapp.qeditor.routes import bp

__all__ = ["bp"]
