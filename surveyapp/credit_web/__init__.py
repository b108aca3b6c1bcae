"""The bureaus' credit pages (``/dashboard/credit``): risk classes of their sectors, who
moved class, the hit rate of each class's inspections, and a provider's credit record
with the forms to override a class and record a credit repair."""

from surveyapp.credit_web import texts  # noqa: F401  (ids for extraction)
from surveyapp.credit_web.routes import bp

__all__ = ["bp"]
