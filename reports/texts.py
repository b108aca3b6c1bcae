"""The bulletin's wording in Chinese and English, from gettext catalogs.

Labels live here, at the edge: the analysis returns ids and numbers only. The texts are
in ``reports/translations/<lang>/LC_MESSAGES/bulletin.po`` (message id = a symbolic key
such as ``summary``, ``{name}`` placeholders filled with :meth:`str.format`), read with
Babel's own :class:`~babel.support.Translations`: this package runs without Flask.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.support import Translations

__all__ = ["DOMAIN", "LOOKED_UP", "TRANSLATIONS_DIR", "N_", "Texts", "load_catalog"]

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "bulletin"


def N_(key: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark a message id that is looked up through a variable, for extraction."""
    return key


#: Message ids looked up through a value, listed here for extraction: the verdicts
#: (:func:`analysis.verdict_of`, ``no_data`` without a result), the
#: importance-performance quadrants of a dimension and the data-quality counts
#: (``rule_<key>`` of ``QualityReport.counts``); the bulletin's default title, which
#: ``surveyapp.bulletins`` leads with the city, and the pattern of a day.
LOOKED_UP = (
    N_("default_title"),
    N_("date_pattern"),  # a CLDR date pattern, for Texts.date
    N_("met"),
    N_("not_met"),
    N_("inconclusive"),
    N_("small"),
    N_("no_data"),
    N_("fix_first"),
    N_("keep_up"),
    N_("low_priority"),
    N_("possible_overkill"),
    N_("rule_speeders"),
    N_("rule_straightliners"),
    N_("rule_duplicates"),
    N_("rule_flagged"),
    N_("rule_any"),
    N_("rule_held"),
    N_("rule_rejected"),
    N_("rule_signals"),
)


@cache
def load_catalog(directory: Path, lang: str, domain: str) -> Translations:
    """The compiled catalog ``<directory>/<lang>/LC_MESSAGES/<domain>.mo`` (also the
    application's, :mod:`surveyapp.i18n`); a missing file is an error, never a silent
    fallback to the message ids."""
    found = Translations.load(str(directory), [lang], domain)
    if not isinstance(found, Translations):
        raise FileNotFoundError(
            f"no compiled catalog {lang}/LC_MESSAGES/{domain}.mo under {directory}"
            " (python tools/catalogs.py compile, see README)"
        )
    return found


class Texts:
    """The wording of one language: ``texts("met")``, ``texts("edition", n=3)``."""

    def __init__(self, lang: str) -> None:
        self.lang = "en" if lang == "en" else "zh"
        self._catalog = load_catalog(TRANSLATIONS_DIR, self.lang, DOMAIN)

    def __call__(self, key: str, **params: Any) -> str:
        text = self._catalog.gettext(key)
        return text.format(**params) if params else text

    def date(self, day: date) -> str:
        """A day by Babel in the catalog's pattern (``date_pattern``): 2026年12月31日 /
        2026-12-31."""
        locale = "zh_CN" if self.lang == "zh" else "en"
        return format_date(day, self("date_pattern"), locale=locale)

    def numeral(self, n: int) -> str:
        """Section numbers: 二, 三, ... in Chinese, 2, 3, ... in English."""
        if self.lang == "en":
            return str(n)
        digits = "零一二三四五六七八九十"
        if n <= 10:
            return digits[n]
        if n < 20:
            return "十" + digits[n - 10]
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
