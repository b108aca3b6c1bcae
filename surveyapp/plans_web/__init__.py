"""Plan pages (规划指标): per plan, every indicator with its latest value, target,
deadline, status and a sparkline; an indicator's values with their history and the
form its bureau enters them with; a values file uploaded all or nothing."""

from surveyapp.plans_web import texts  # noqa: F401  (ids for extraction)
from surveyapp.plans_web.routes import bp

__all__ = ["bp"]
