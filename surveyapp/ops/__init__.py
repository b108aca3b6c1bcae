"""Operations: start-up checks of the settings, request ids, structured access logs.

In the application factory: :func:`check_environ` before the settings are loaded,
:func:`check_settings` once they are merged, :func:`init_ops` at the end.
"""

from __future__ import annotations

from flask import Flask

from surveyapp.ops.hooks import remember_sync_checks
from surveyapp.ops.logs import init_request_logging, log_event, request_id
from surveyapp.ops.settings import check_environ, check_settings


def init_ops(app: Flask) -> None:
    """Request ids and one JSON access line per request (``surveyapp.access``); each
    hook's sync check made once per function, not once per request."""
    init_request_logging(app)
    remember_sync_checks(app)


__all__ = ["check_environ", "check_settings", "init_ops", "log_event", "request_id"]
