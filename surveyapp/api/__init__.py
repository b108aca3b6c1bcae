"""The JSON API for kiosks, mini-programs and call centres (see shared/spec/api.md),
the token-authenticated read endpoints, and the page where accounts manage their tokens."""

from surveyapp.api import (
    complaints,  # noqa: F401  (adds POST /complaints)
    credit,  # noqa: F401  (adds /credit/classes and a provider's credit record)
    docs,  # noqa: F401  (adds /openapi.json to the blueprint)
    plans,  # noqa: F401  (adds /plans/status and POST /plans/values)
    providers,  # noqa: F401  (adds /providers and a provider's scores)
    ratings,  # noqa: F401  (adds POST /providers/<code>/ratings)
    read,  # noqa: F401  (adds the token-authenticated read endpoints)
)
from surveyapp.api.pages import bp as tokens_bp
from surveyapp.api.routes import bp

__all__ = ["bp", "tokens_bp"]
