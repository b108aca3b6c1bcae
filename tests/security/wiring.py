"""Wire the abuse defences and the request logs into a test app until ``create_app`` does.

Idempotent: once ``create_app`` calls ``init_ops`` and ``init_security``, this does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from surveyapp import create_app
from surveyapp.background import close_app
from surveyapp.ops import init_ops
from surveyapp.ops.logs import ACCESS_LOGGER
from surveyapp.security import init_security
from tests.conftest import TEST_SECRET


def wire_security(app: Flask) -> Flask:
    init_ops(app)
    init_security(app)
    return app


@pytest.fixture
def make_app(app, database_url) -> Iterator[Callable[..., Flask]]:
    """``make_app(RATELIMIT_SURVEY_CLIENT="3/minute")``: a wired app on the test database.

    Depends on ``app`` so the tables are emptied first and ``make_round`` can be used.
    """
    made: list[Flask] = []

    def _make(**config: Any) -> Flask:
        settings = {"SECRET_KEY": TEST_SECRET, "DATABASE_URL": database_url, "TESTING": True}
        settings.update(config)
        new = wire_security(create_app(settings))
        made.append(new)
        return new

    yield _make
    for new in made:
        close_app(new)


class LogLines(logging.Handler):
    """Collects the structured fields of every ``surveyapp.access`` record."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[dict] = []
        self.formatted: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        from surveyapp.ops.logs import JsonFormatter

        self.records.append(dict(getattr(record, "fields", {})))
        self.formatted.append(JsonFormatter().format(record))

    def events(self, name: str) -> list[dict]:
        return [r for r in self.records if r.get("event") == name]


@pytest.fixture
def access_log() -> Iterator[LogLines]:
    logger = logging.getLogger(ACCESS_LOGGER)
    handler = LogLines()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
