"""Fixtures of the security tests: wired apps, the access log, the survey browser helpers."""

from tests.security.wiring import access_log, make_app  # noqa: F401
from tests.survey.conftest import stored, survey  # noqa: F401
