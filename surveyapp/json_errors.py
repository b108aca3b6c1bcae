"""One error body for the whole API: ``{"error": code, "message": text, ...}``."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from surveyapp.i18n import has_text, lang_from_accept, t


def api_lang() -> str:
    return lang_from_accept(request.headers.get("Accept-Language"))


def error_response(
    status: int,
    code: str,
    headers: dict[str, str] | None = None,
    *,
    message_params: dict[str, Any] | None = None,
    **extra: Any,
):
    """``{"error": code, "message": text, **extra}`` with ``status``; ``message_params``
    fill the placeholders of the message text (e.g. the name of a bad parameter)."""
    message = t(code, api_lang(), **(message_params or {})) if has_text(code) else code
    body = {"error": code, "message": message, **extra}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "not_json",
    429: "rate_limited",
    500: "server_error",
}
