"""Fixtures of the API tests: wired apps (rate limits on) from the security tests."""

from tests.security.wiring import make_app  # noqa: F401
