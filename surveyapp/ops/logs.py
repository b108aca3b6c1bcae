"""Request ids and structured logs: one JSON line per request on ``surveyapp.access``.

Each request gets an id: the caller's ``X-Request-ID`` when it is a short token
(letters, digits, ``.``, ``_``, ``-``; an nginx ``$request_id`` is one), a new random
one otherwise.  It is echoed in the ``X-Request-ID`` reply header and in every line
logged during the request, so a resident's "reference number" leads to the logs.

An access line holds ``request_id``, ``method``, ``path``, ``status`` and
``duration_ms`` (plus ``ts``, ``event``, ``endpoint``).  It never holds the client
address, the query string (invitation codes travel in ``?t=``), headers, cookies or
the body (passwords, answers).  Events (``rate_limited``, ``burst``, ``honeypot``)
use the same logger and the same rule: name what happened, never what was sent.
``SURVEYAPP_ACCESS_LOG=0`` (or ``ACCESS_LOG = False``) turns the access lines off
(gunicorn's own access log, or nginx's, may be enough); request ids stay.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

ACCESS_LOGGER = "surveyapp.access"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

logger = logging.getLogger(ACCESS_LOGGER)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn, pytest capture)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """The record's ``fields`` (or its message) as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if fields is None:
            fields = {"event": "log", "message": record.getMessage()}
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        }
        line["level"] = record.levelname.lower()
        line.update(fields)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = getattr(g, "request_id", None)
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def log_event(event: str, level: int = logging.WARNING, **fields: Any) -> None:
    """One structured line for ``event`` with the request id (no request data beyond ``fields``)."""
    if logger.isEnabledFor(level):
        record = {"event": event, "request_id": request_id(), **fields}
        logger.log(level, event, extra={"fields": record})


def init_request_logging(app: Flask) -> None:
    """Request ids on every reply and, unless ``ACCESS_LOG`` is false, one access line each.

    Idempotent: a second call on the same application changes nothing.
    """
    if "surveyapp.ops" in app.extensions:
        return
    app.extensions["surveyapp.ops"] = True
    app.config.setdefault("ACCESS_LOG", True)  # SURVEYAPP_ACCESS_LOG: surveyapp.config
    if not logger.handlers:
        handler = _StderrHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)

    def _start() -> None:
        g.request_started = time.perf_counter()
        request_id()

    def _finish(response: Response) -> Response:
        rid = request_id()
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        if app.config.get("ACCESS_LOG", True):
            started = getattr(g, "request_started", None)
            duration = (time.perf_counter() - started) * 1000 if started is not None else None
            fields = {
                "event": "request",
                "request_id": rid,
                "method": request.method,
                "path": request.path,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round(duration, 2) if duration is not None else None,
            }
            level = logging.ERROR if response.status_code >= 500 else logging.INFO
            logger.log(level, "request", extra={"fields": fields})
        return response

    # first in, so the clock starts before any other hook; after-request hooks run in
    # reverse order, so this one (first in the list) runs last and sees the final status
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
