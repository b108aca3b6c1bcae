"""The bureaus' supervision pages (/dashboard/supervision): the current draws and their
progress, the results form, publishing a draw with its results (一公开), the
consumer-warning proposals for D-class providers; and the public page of published
inspection results (/inspections)."""

from surveyapp.supervision_web.routes import bp, public_bp

__all__ = ["bp", "public_bp"]
