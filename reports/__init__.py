"""The monitoring bulletin: renders computed analysis results as a PDF.

``reports`` never queries a database: the caller gathers the numbers (with
:func:`analysis.run`) and the labels into a :class:`BulletinContent`, and
:func:`render_bulletin` lays them out.
"""

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

__all__ = [
    "DEFAULT_FONT_PATHS",
    "FALLBACK_FONT",
    "VERDICT_COLOURS",
    "BulletinContent",
    "FontSet",
    "Methodology",
    "SectorReport",
    "Suggestion",
    "SuggestionReview",
    "Texts",
    "TrendPoint",
    "fmt",
    "key_findings",
    "load_fonts",
    "period_label",
    "render_bulletin",
]
