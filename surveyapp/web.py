"""Request-wide helpers: language choice, security headers, template globals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, flash, g, request
from flask_babel import gettext
from flask_login import current_user

from surveyapp.extensions import babel, db
from surveyapp.i18n import (
    CHINA_TZ,
    LOCALES,
    TRANSLATIONS_DIR,
    format_date,
    format_number,
    format_percent,
    pick_lang,
    t,
)

LANG_COOKIE = "lang"

# No inline script or style anywhere: the CSP forbids it, which blocks injected markup.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def current_lang() -> str:
    lang = getattr(g, "lang", None)
    if lang is None:
        lang = pick_lang(request.args.get("lang") or request.cookies.get(LANG_COOKIE))
        g.lang = lang
    return lang


def district_arg() -> str | None:
    """The page's ``district`` filter from the query string (64 characters at most), or
    ``None`` for all districts."""
    return request.args.get("district", "").strip()[:64] or None


def revoke_and_flash(
    revoke: Callable[..., Any],
    thing: Any,
    refused: type[Exception],
    refused_key: str,
    done_key: str,
) -> None:
    """Revoke a channel key or an API token for the signed-in user and flash the outcome.

    ``revoke`` is the service function (it writes the audit row); a refusal of type
    ``refused`` (with a ``code``) is rolled back and flashed as ``refused_key`` with
    ``{code}`` filled in, a success is committed and flashed as ``done_key`` with the name.
    """
    lang = current_lang()
    try:
        revoke(db.session, thing, actor=current_user, ip=request.remote_addr)
    except refused as exc:
        db.session.rollback()
        flash(t(refused_key.format(code=getattr(exc, "code", "")), lang))
    else:
        name = thing.name
        db.session.commit()
        flash(t(done_key, lang, name=name))


def client_fingerprint() -> str:
    """Raw "IP + browser" material; hashed with the round salt before it is stored."""
    return "|".join(
        [
            request.remote_addr or "",
            request.headers.get("User-Agent", "")[:300],
            request.headers.get("Accept-Language", "")[:100],
        ]
    )


def translate(key: str, **params: object) -> str:
    """``_('key', name=...)`` of the templates: the catalog text in the page's language."""
    text = gettext(key)
    return text.format(**params) if params else text


def install_web_helpers(app: Flask) -> None:
    # Flask-Babel's locale is the page's language (zh unless ?lang=en or the cookie says
    # so), its time zone China time; the catalogs are those of surveyapp.i18n.
    babel.init_app(
        app,
        locale_selector=lambda: LOCALES[current_lang()],
        timezone_selector=lambda: CHINA_TZ.key,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )

    @app.before_request
    def _lang() -> None:
        current_lang()

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        chosen = request.args.get("lang")
        if chosen in ("zh", "en"):
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=app.config.get("SESSION_COOKIE_SECURE", False),
                httponly=True,
            )
        return response

    @app.context_processor
    def _globals():
        lang = current_lang()
        return {
            "lang": lang,
            "_": translate,
            "fmt_number": lambda value, digits=1: format_number(value, digits, lang),
            "fmt_percent": lambda value, digits=1: format_percent(value, digits, lang),
            "fmt_date": lambda value: format_date(value, lang),
        }
