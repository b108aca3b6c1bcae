"""The monitoring bulletin: renders computed analysis results as a PDF.

``reports`` never queries a database: the caller gathers the numbers (with
:func:`analysis.run`) and the labels into a :class:`BulletinContent`, and
:func:`render_bulletin` lays them out.

The names below are loaded on first use (PEP 562): the web app reads the bulletin's
catalog (``reports.texts``) at start-up, and importing the package must not pull in
ReportLab and the analysis engine for that (over half a second of every command's
start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import fmt
    from .content import (
        BulletinContent,
        Methodology,
        SectorReport,
        Suggestion,
        SuggestionReview,
        TrendPoint,
    )
    from .document import VERDICT_COLOURS, period_label, render_bulletin
    from .findings import key_findings
    from .fonts import DEFAULT_FONT_PATHS, FALLBACK_FONT, FontSet, load_fonts
    from .texts import Texts

#: public name -> the submodule that defines it
_HOMES = {
    "fmt": None,
    "BulletinContent": "content",
    "Methodology": "content",
    "SectorReport": "content",
    "Suggestion": "content",
    "SuggestionReview": "content",
    "TrendPoint": "content",
    "VERDICT_COLOURS": "document",
    "period_label": "document",
    "render_bulletin": "document",
    "key_findings": "findings",
    "DEFAULT_FONT_PATHS": "fonts",
    "FALLBACK_FONT": "fonts",
    "FontSet": "fonts",
    "load_fonts": "fonts",
    "Texts": "texts",
}

__all__ = [
    "BulletinContent",
    "DEFAULT_FONT_PATHS",
    "FALLBACK_FONT",
    "FontSet",
    "Methodology",
    "SectorReport",
    "Suggestion",
    "SuggestionReview",
    "Texts",
    "TrendPoint",
    "VERDICT_COLOURS",
    "fmt",
    "key_findings",
    "load_fonts",
    "period_label",
    "render_bulletin",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    home = _HOMES[name]
    module = importlib.import_module(f".{home or name}", __name__)
    value = module if home is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
