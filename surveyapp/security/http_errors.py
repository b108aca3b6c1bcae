"""Application-wide replies for refusals that happen before any view runs.

A body over ``MAX_CONTENT_LENGTH`` (413) is refused by werkzeug when a view first reads
the body, and a URL that matches no route (404, 405) is refused by the router; neither
reaches a blueprint that knows how to answer.  Under ``/api/`` the reply is the API's
JSON error body, as the OpenAPI document promises for every status; elsewhere a 413 is
a short page in Chinese and English (the sender may have no language cookie yet) and
other errors keep werkzeug's default page.  An expired or missing CSRF token (a sign-in
or token form left open too long) is the same kind of page, in both languages, with a
link that reopens the form — never werkzeug's English "Bad Request".  Blueprint handlers (the survey's own 413
notice, the API blueprint's JSON errors) still take precedence where they apply.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from surveyapp.i18n import t

API_PREFIX = "/api/"


def _refused(exc: HTTPException):
    status = exc.code or 500
    if request.path.startswith(API_PREFIX):
        from surveyapp.json_errors import HTTP_CODES, error_response

        allow = getattr(exc, "valid_methods", None)
        headers = {"Allow": ", ".join(allow)} if status == 405 and allow else None
        code = "no_endpoint" if status == 404 else HTTP_CODES.get(status, "error")
        return error_response(status, code, headers)
    if status == 413:
        texts = [
            {"lang": lang, "title": t("too_large_title", lang), "body": t("too_large_page", lang)}
            for lang in ("zh", "en")
        ]
        return render_template("http_error.html", texts=texts), 413
    return exc


def _expired(exc: CSRFError):
    """A form whose CSRF token is missing, expired or from another session (400)."""
    if request.path.startswith(API_PREFIX):
        from surveyapp.json_errors import error_response

        return error_response(400, "csrf")
    texts = [
        {"lang": lang, "title": t("expired_title", lang), "body": t("expired_page", lang)}
        for lang in ("zh", "en")
    ]
    retry = [t("expired_retry", lang) for lang in ("zh", "en")]
    page = render_template(
        "http_error.html", texts=texts, retry=_page_of(request.path), retry_text=retry
    )
    return page, 400


def _page_of(path: str) -> str | None:
    """``path`` when it is also a page (a form posts to the page it is on), else None."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path


def _refuse_nul() -> None:
    """A NUL character in a path value names nothing (404) and in a query value means
    nothing (400): refuse both before any view queries with them, because PostgreSQL
    answers a text parameter holding NUL with an error (a 500), not an empty result,
    while SQLite would quietly look it up.  The same URL gets the same answer on both.
    (The API checks its own paths and parameters, with its specific JSON codes.)"""
    if request.blueprint == "api":
        return
    if any(isinstance(v, str) and "\x00" in v for v in (request.view_args or {}).values()):
        abort(404)
    if "%00" in request.query_string.decode("latin-1"):
        abort(400)


def init_http_errors(app: Flask) -> None:
    """Register the handlers (idempotent: registering again replaces them)."""
    for status in (404, 405, 413):
        app.register_error_handler(status, _refused)
    app.register_error_handler(CSRFError, _expired)
    if _refuse_nul not in app.before_request_funcs.setdefault(None, []):
        app.before_request_funcs[None].insert(0, _refuse_nul)
