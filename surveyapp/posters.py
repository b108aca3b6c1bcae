"""QR codes of public links (survey rounds, providers' rating pages), as PNG and as a
printable A4 poster (PDF); used by the admin rounds pages and the rating blueprint.

QR codes come from segno: pure Python, no Pillow, and it writes PNG itself.  The
poster draws the code's modules as vector squares with ReportLab, so it prints sharp
at any size, and writes its Chinese with the bulletins' CJK font
(:func:`reports.load_fonts`: an embedded TrueType font when one is installed or
configured, else the built-in STSong-Light).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

import segno
from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

import reports
from reports.document import pdf_date
from surveyapp.i18n import CHINA_TZ

#: Error correction "M" (15 % of the code may be damaged or dirty): a poster on a
#: notice board gets scratched; "H" would make the code denser for long links.
ERROR_LEVEL = "m"
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url``: always a full QR code (segno would pick a Micro QR code
    for short texts, which most phone cameras cannot read)."""
    return segno.make_qr(url, error=ERROR_LEVEL)


def qr_png(url: str, scale: int = 8) -> bytes:
    """A black-on-white PNG, ``scale`` pixels a module, with the quiet zone."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


@dataclass(frozen=True)
class PosterText:
    """What the poster says, already in its words (the view picks them)."""

    title_zh: str
    title_en: str
    sector: str  # e.g. "餐饮服务 Catering"
    period: str  # e.g. "监测期：2026年第四季度 · Period: 2026 Q4"
    instruction_zh: str
    instruction_en: str
    footer: str
    district: str | None = None
    closes: str | None = None  # e.g. "截止时间：2026年12月31日 23:59 · Open until 2026-12-31 23:59"
    issuer: str | None = None  # e.g. "发布单位：… · Issued by …"


def _centred(c: canvas.Canvas, text: str, font: str, size: float, y: float, width: float) -> None:
    """Draw ``text`` centred at ``y``, shrunk to fit ``width`` if it is too long."""
    w = stringWidth(text, font, size)
    if w > width:
        size = size * width / w
    c.setFont(font, size)
    c.drawCentredString(A4[0] / 2, y, text)


def readable_link(url: str) -> str:
    """The link as people read and type it: ``?d=思茅区``, not ``?d=%E6%80%9D…``."""
    return unquote(url)


def poster_pdf(
    url: str, text: PosterText, font_path: str | None = None, created: datetime | None = None
) -> bytes:
    """One A4 page: title, sector, period and closing date, the QR code, the
    instruction, the link as people read it, the issuer.

    ``font_path`` is a TrueType CJK font to embed (``None``: the usual system places,
    then STSong-Light); a configured font that cannot be used raises ``ValueError``.
    ``created`` is the creation date written in the file's metadata (China time).
    """
    fonts = reports.load_fonts(font_path)
    cjk = fonts.name
    page_w, page_h = A4
    margin = 56
    usable = page_w - 2 * margin
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=True)
    if created is not None:
        stamp = pdf_date(created.astimezone(CHINA_TZ).date())
        c.setDateFormatter(lambda *_: stamp)
    c.setTitle(f"{text.title_zh} {text.period}")
    c.setSubject(url)
    c.setCreator("surveyapp")

    y = page_h - 100
    _centred(c, text.title_zh, cjk, 30, y, usable)
    y -= 30
    _centred(c, text.title_en, "Helvetica", 14, y, usable)
    y -= 34
    _centred(c, text.sector, cjk, 16, y, usable)
    y -= 24
    _centred(c, text.period, cjk, 14, y, usable)
    if text.district:
        y -= 22
        _centred(c, text.district, cjk, 14, y, usable)
    if text.closes:
        y -= 22
        _centred(c, text.closes, cjk, 13, y, usable)

    matrix = qr_code(url).matrix
    modules = len(matrix) + 2 * QUIET_ZONE
    side = min(usable, 330.0)
    cell = side / modules
    left = (page_w - side) / 2
    top = y - 24
    c.setFillColor(white)
    c.rect(left, top - side, side, side, stroke=0, fill=1)
    c.setFillColor(black)
    for r, row in enumerate(matrix):
        col = 0
        while col < len(row):  # one rectangle for each run of dark modules
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            x = left + (start + QUIET_ZONE) * cell
            yy = top - (r + QUIET_ZONE + 1) * cell
            c.rect(x, yy, (col - start) * cell, cell, stroke=0, fill=1)

    y = top - side - 40
    _centred(c, text.instruction_zh, cjk, 26, y, usable)
    y -= 28
    _centred(c, text.instruction_en, "Helvetica", 16, y, usable)
    y -= 30
    link = readable_link(url)  # the QR code keeps the encoded link every camera reads
    _centred(c, link, "Courier" if link.isascii() else cjk, 11, y, usable)
    if text.issuer:
        _centred(c, text.issuer, cjk, 11, 68, usable)
    _centred(c, text.footer, cjk, 10, 50, usable)
    c.showPage()
    c.save()
    return out.getvalue()
