"""User-facing texts through gettext, Chinese first with English, and Babel formatting.

The texts live in the gettext catalogs under ``surveyapp/translations/<lang>/LC_MESSAGES/``
(``messages.po`` for the web pages, the API and the command line; ``questionnaire.po`` for
the problems of a questionnaire file). A message id is a symbolic key (``thanks_title``)
that both the ``zh`` and the ``en`` catalog translate; ``{name}`` placeholders are filled
with :meth:`str.format` after the lookup. Templates call ``_('key', name=...)``; code calls
:func:`t` with the language (inside a request, the page's language from
:func:`surveyapp.web.current_lang`, which is also Flask-Babel's locale). How to add a text:
README, *Development*.

Dates and numbers are formatted by Babel for ``zh_CN`` and ``en``, always in China time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from babel.support import Translations

from reports.texts import N_, load_catalog

LANGS = ("zh", "en")
CHINA_TZ = ZoneInfo("Asia/Shanghai")

#: The Babel locale of each language (formatting; Flask-Babel's locale selector).
LOCALES: dict[str, str] = {"zh": "zh_CN", "en": "en"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


#: Error codes whose text is in the catalogs, passed around as values (an exception's
#: code, :data:`surveyapp.json_errors.HTTP_CODES`), listed for extraction.
ERROR_CODES = (
    N_("duplicate"),
    N_("token_used"),
    N_("too_large"),
    N_("method_not_allowed"),
    N_("no_endpoint"),
)


def translations(lang: str, domain: str = DOMAIN) -> Translations:
    """The compiled catalog of one language (cached)."""
    return load_catalog(TRANSLATIONS_DIR, lang, domain)


def t(key: str, lang: str = "zh", **params: object) -> str:
    """The text of ``key`` in ``lang`` (``zh`` unless ``en``), placeholders filled."""
    text = translations(pick_lang(lang)).gettext(key)
    return text.format(**params) if params else text


def both(key: str, **params: object) -> tuple[str, str]:
    """The Chinese and the English text, for a message shown in both languages (an error
    an administrator may quote to a colleague, a poster line, a command-line line)."""
    return t(key, "zh", **params), t(key, "en", **params)


def bilingual(key: str, **params: object) -> str:
    """One line, Chinese first: ``6 个文件中 6 个有效 / 6 of 6 file(s) valid``."""
    return " / ".join(both(key, **params))


def has_text(key: str) -> bool:
    """Whether ``key`` is a message id of the catalogs (an error code may not be)."""
    return translations("zh").gettext(key) != key


def pick_lang(value: str | None, default: str = "zh") -> str:
    return value if value in LANGS else default


def lang_from_accept(header: str | None) -> str:
    """zh unless the Accept-Language header prefers English over Chinese."""
    if not header:
        return "zh"
    best = ("zh", -1.0)
    for part in header.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        lang = (
            "en" if tag.lower().startswith("en") else "zh" if tag.lower().startswith("zh") else None
        )
        if lang and weight > best[1]:
            best = (lang, weight)
    return best[0]


def format_number(value: float, digits: int = 1, lang: str = "zh") -> str:
    """Grouped with ``digits`` decimals by Babel (zh_CN and en: ``1,234,567.8``).

    Rounded as Python rounds the float (``f"{0.35:.1f}"`` is ``0.3``), so a figure reads
    the same here as in the CSV downloads.
    """
    fixed = Decimal(f"{value:.{digits}f}")
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return format_decimal(fixed, format=pattern, locale=LOCALES[pick_lang(lang)])


def format_percent(value: float, digits: int = 1, lang: str = "zh") -> str:
    """A share (0.853) as a percentage by Babel: ``85.3%``."""
    fixed = Decimal(f"{value * 100:.{digits}f}") / 100
    pattern = "#,##0." + "0" * digits + "%" if digits > 0 else "#,##0%"
    return format_decimal(fixed, format=pattern, locale=LOCALES[pick_lang(lang)])


#: The date-time patterns (CLDR) of each language: 2026年12月31日 08:00 / 2026-12-31 08:00.
DATETIME_PATTERNS = {"zh": "y年M月d日 HH:mm", "en": "yyyy-MM-dd HH:mm"}


def format_date(value: datetime, lang: str = "zh") -> str:
    """An instant as a China-time date and time, by Babel."""
    lang = pick_lang(lang)
    return format_datetime(value, DATETIME_PATTERNS[lang], tzinfo=CHINA_TZ, locale=LOCALES[lang])


def labels(keys: tuple[str, ...], prefix: str, lang: str) -> dict[str, str]:
    """A page's labels for its template (``L.title``): ``{name: text}`` of the message ids
    ``<prefix><name>`` in ``keys`` (each written ``N_("<prefix><name>")``, for extraction)."""
    return {key.removeprefix(prefix): t(key, lang) for key in keys}
