"""The baseline: a Flask application with nothing but ``/healthz`` (``bench.middleware.bare:app``).

The same reply as surveyapp's ``/healthz`` (``{"status": "ok"}`` as JSON), with none of
its middleware: no request id, access log, security headers, rate limiter, NUL guard,
sessions, CSRF, Babel or login manager.
"""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
