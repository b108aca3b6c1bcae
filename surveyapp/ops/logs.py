"""Request ids and structured logs: one JSON line per request on ``surveyapp.access``.

Each request gets an id: the caller's ``X-Request-ID`` when it is a short token
(letters, digits, ``.``, ``_``, ``-``; an nginx ``$request_id`` is one), a new random
one otherwise (32 hex digits from the system's random source).  It is echoed in the ``X-Request-ID`` reply header and in every line
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
import math
import os
import re
import sys
import time
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


#: One encoder for every line (``json.dumps`` with options builds a new one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_SECOND: tuple[int, str] = (-1, "")  # the last whole second formatted, and its text


def iso_timestamp(created: float) -> str:
    """``created`` (seconds since the epoch) as UTC ISO 8601 to the millisecond.

    The same text as ``datetime.fromtimestamp(created, UTC).isoformat(timespec=
    "milliseconds")``, with the date and time of day formatted once per second (they
    were a fifth of an access line's cost).
    """
    global _SECOND
    fraction, whole = math.modf(created)  # as datetime rounds: the fraction alone
    seconds, micros = int(whole), round(fraction * 1_000_000)
    if micros >= 1_000_000:
        seconds, micros = seconds + 1, micros - 1_000_000
    elif micros < 0:
        seconds, micros = seconds - 1, micros + 1_000_000
    cached = _SECOND  # one read: another thread may replace it meanwhile
    if cached[0] != seconds:
        cached = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
        _SECOND = cached
    return f"{cached[1]}.{micros // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    """The record's ``fields`` (or its message) as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if fields is None:
            fields = {"event": "log", "message": record.getMessage()}
        line = {"ts": iso_timestamp(record.created), "level": record.levelname.lower()}
        line.update(fields)
        return _ENCODER.encode(line)


def _emit(level: int, event: str, fields: dict[str, Any]) -> None:
    """Hand one structured record to the access logger's handlers.

    ``Logger.log`` would also walk the stack to find the calling line, which these
    lines never show; skipping it halves the cost of an access line.
    """
    if logger.isEnabledFor(level):
        record = logger.makeRecord(logger.name, level, __file__, 0, event, (), None)
        record.fields = fields
        logger.handle(record)


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = getattr(g, "request_id", None)
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
        g.request_id = rid
    return rid


def log_event(event: str, level: int = logging.WARNING, **fields: Any) -> None:
    """One structured line for ``event`` with the request id (no request data beyond ``fields``)."""
    if logger.isEnabledFor(level):
        _emit(level, event, {"event": event, "request_id": request_id(), **fields})


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
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.INFO
        if app.config["ACCESS_LOG"] and logger.isEnabledFor(level):
            req = request._get_current_object()  # type: ignore[attr-defined]
            started = getattr(g, "request_started", None)
            duration = (time.perf_counter() - started) * 1000 if started is not None else None
            fields = {
                "event": "request",
                "request_id": rid,
                "method": req.method,
                "path": req.path,
                "endpoint": req.endpoint,
                "status": status,
                "duration_ms": round(duration, 2) if duration is not None else None,
            }
            _emit(level, "request", fields)
        return response

    # first in, so the clock starts before any other hook; after-request hooks run in
    # reverse order, so this one (first in the list) runs last and sees the final status
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
