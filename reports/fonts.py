"""Fonts for Chinese text: an embedded TrueType CJK font, or the built-in STSong.

ReportLab embeds (a subset of) TrueType fonts, TTC collections included, such as
Debian's ``fonts-wqy-microhei`` (``wqy-microhei.ttc``) and ``fonts-wqy-zenhei``.  It
cannot embed CFF-flavoured OpenType (the Noto CJK ``.otf`` files).  Without a usable
TrueType font the bulletin uses ``STSong-Light``, one of the CID fonts every PDF
reader supplies for Adobe-GB1: not embedded, but readable on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

__all__ = ["DEFAULT_FONT_PATHS", "FALLBACK_FONT", "FontSet", "load_fonts"]

#: Tried in order when no font path is configured.
DEFAULT_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
)

#: The built-in CID font used when no TrueType font is available.
FALLBACK_FONT = "STSong-Light"


@dataclass(frozen=True)
class FontSet:
    """The font name to draw with and where it came from.

    ``embedded`` is true for a TrueType font (embedded in the PDF), false for the
    CID fallback.
    """

    name: str
    embedded: bool
    path: str | None = None


def _register_ttf(path: Path) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:10]
    name = f"CJK-{digest}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    kwargs = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    try:
        font = TTFont(name, str(path), **kwargs)
    except TTFError as exc:
        raise ValueError(
            f"font {path}: ReportLab cannot embed it ({exc}); use a TrueType font such as "
            "wqy-microhei.ttc (CFF-based OpenType like Noto CJK .otf cannot be embedded)"
        ) from exc
    pdfmetrics.registerFont(font)
    return name


def _fallback() -> FontSet:
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FontSet(FALLBACK_FONT, embedded=False)


def load_fonts(
    path: str | os.PathLike[str] | None = None,
    *,
    candidates: Sequence[str | os.PathLike[str]] = DEFAULT_FONT_PATHS,
) -> FontSet:
    """Register the bulletin's font and say which one it is.

    Parameters
    ----------
    path : path, optional
        A TrueType font (``.ttf`` or ``.ttc``) to embed.  A configured path that does
        not exist or cannot be embedded raises ``ValueError``: a misconfiguration is
        reported, not silently replaced.
    candidates : sequence of paths
        Tried in order when ``path`` is not given; the first existing file is used.
        When none exists the bulletin falls back to ``STSong-Light``.

    Returns
    -------
    FontSet
    """
    if path is not None and str(path) != "":
        p = Path(path)
        if not p.is_file():
            raise ValueError(f"font file {p} does not exist")
        return FontSet(_register_ttf(p), embedded=True, path=str(p))
    for candidate in candidates:
        p = Path(candidate)
        if p.is_file():
            try:
                return FontSet(_register_ttf(p), embedded=True, path=str(p))
            except ValueError:
                continue
    return _fallback()
