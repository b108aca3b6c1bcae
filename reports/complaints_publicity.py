"""The complaint publicity PDF (消费投诉公示): a title, the rule, one table.

Pure rendering: it takes the lines computed by ``surveyapp.complaints.publicity`` (any
objects with the attributes of :class:`PublicityLineLike`) and draws them; it never
queries anything and has no field for a complainant, so none can be printed.

Its wording is in the bulletin's gettext catalogs (ids ``cmp_pdf_*``,
:class:`reports.texts.Texts`).
"""

from __future__ import annotations

import io
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import Any, Protocol
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from reports.fonts import FontSet, load_fonts
from reports.texts import Texts

__all__ = ["LinesTable", "PublicityLineLike", "render_complaints_publicity"]


class PublicityLineLike(Protocol):
    """What the PDF needs of one provider's line."""

    @property
    def provider_name(self) -> str: ...
    @property
    def credit_code(self) -> str: ...
    @property
    def complaints(self) -> int: ...
    @property
    def category_shares(self) -> tuple[float, ...]: ...
    @property
    def success_rate(self) -> float: ...


def _percent(value: float, cache: dict[float, str]) -> str:
    """``value`` (a fraction) as a percent with one decimal, kept in ``cache`` (a month's
    table repeats a few hundred values a hundred thousand times)."""
    text = cache[value] = f"{100 * value:.1f}%"
    return text


class _Widths:
    """Character widths of a font, cached (laying a table out needs no document)."""

    def __init__(self, font_name: str) -> None:
        self.font = pdfmetrics.getFont(font_name)
        self.widths: dict[str, float] = {}

    def width(self, text: str, size: float) -> float:
        widths, total = self.widths, 0.0
        for ch in text:
            w = widths.get(ch)
            if w is None:
                w = widths[ch] = self.font.stringWidth(ch, 1.0)
            total += w
        return total * size


class _Encoder(_Widths):
    """Text as PDF text-showing operators for one document, character by character
    from a cache: an embedded TrueType font's subsets (ReportLab's ``splitString``
    assigns each new character its subset and code once), or the built-in CID font's
    UTF-16.  ReportLab's own text objects do this work again for every string, which
    for a month's tens of thousands of lines took most of the time."""

    def __init__(self, font_name: str, canvas: Any) -> None:
        super().__init__(font_name)
        self.doc = canvas._doc
        self.ttf = isinstance(self.font, TTFont)
        self.codes: dict[str, tuple[str, str]] = {}
        self.cid_name = "" if self.ttf else self.doc.getInternalFontName(font_name)
        self.shown: dict[tuple[str, float], str] = {}

    def show(self, text: str, size: float) -> str:
        """``/Font size Tf <hex> Tj`` runs for ``text`` (cached: a table repeats its
        figures, ``0.0%`` thousands of times)."""
        found = self.shown.get((text, size))
        if found is None:
            found = self.shown[text, size] = self.runs(text, size)
        return found

    def runs(self, text: str, size: float) -> str:
        """:meth:`show` without its cache (for a text shown once, a name)."""
        if not self.ttf:
            return f"{self.cid_name} {size:g} Tf <{text.encode('utf_16_be').hex()}> Tj"
        codes = self.codes
        found = [codes.get(ch) or self._code(ch) for ch in text]
        if not found:
            return ""
        first = found[0][0]
        if all(name == first for name, _ in found):  # one subset: one run
            return f"{first} {size:g} Tf <{''.join([code for _, code in found])}> Tj"
        runs: list[str] = []
        current = ""
        hexes: list[str] = []  # codes as two hex digits each
        for name, code in found:
            if name != current and hexes:
                runs.append(f"{current} {size:g} Tf <{''.join(hexes)}> Tj")
                hexes = []
            current = name
            hexes.append(code)
        runs.append(f"{current} {size:g} Tf <{''.join(hexes)}> Tj")
        return " ".join(runs)

    def _code(self, ch: str) -> tuple[str, str]:
        """A character's subset (its font name in the document) and code (two hex
        digits), assigned once by ReportLab's ``splitString``."""
        ((subset, chunk),) = self.font.splitString(ch, self.doc)
        found = self.codes[ch] = (
            self.font.getSubsetInternalName(subset, self.doc),
            f"{chunk[0]:02x}",
        )
        return found


@dataclass
class _Layout:
    """The header's cells and every row's name as text lines (only the name is broken:
    the other cells are one line), each row's height (row 0: the header), and the
    height of the rows above each row (prefix sums: a page's cut is a bisection)."""

    header: list[list[str]]
    names: list[list[str]]
    heights: list[float]
    below: list[float]
    # for the document being drawn: its encoder, and each figure's cell as operators
    # (column, text) → (before the baseline, after it), made once for every page
    encoder: _Encoder | None = None
    cells: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)


class LinesTable(Flowable):
    """The providers' lines: a header repeated on every page, one or two text lines a
    row (a longer name is cut with …), name and code left-aligned, figures right.

    Drawn straight onto the page as text operators (:class:`_Encoder`), not as a
    platypus ``Table`` of cells: a month of a city's complaints has tens of thousands
    of lines, and the edition has to be made in seconds (bench/complaints)."""

    SIZE = 8.0
    LEADING = 10.0
    PAD = 2.5

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        font: str,
        *,
        start: int = 0,
        end: int | None = None,
        _layout: _Layout | None = None,
    ) -> None:
        super().__init__()
        self.header, self.rows, self.col_widths = list(header), rows, list(widths)
        self.font_name = font
        self.start, self.end = start, len(rows) if end is None else end
        self._layout = _layout  # every row's cells as text lines, shared by the parts

    def _lines(self, text: str, width: float, measure: _Widths, most: int) -> list[str]:
        """``text`` broken to ``width`` in at most ``most`` lines (the last cut with …)."""
        room = width - 2 * self.PAD
        if measure.width(text, self.SIZE) <= room:
            return [text]
        out, line = [], ""
        for ch in text:
            if measure.width(line + ch, self.SIZE) > room:
                out.append(line)
                line = ""
            line += ch
        out.append(line)
        if len(out) > most:
            out = out[:most]
            last = out[-1]
            while last and measure.width(last + "…", self.SIZE) > room:
                last = last[:-1]
            out[-1] = last + "…"
        return out

    def _laid_out(self, measure: _Widths) -> _Layout:
        if self._layout is None:
            header = [
                self._lines(h, w, measure, 3)
                for h, w in zip(self.header, self.col_widths, strict=True)
            ]
            names = [self._lines(row[0], self.col_widths[0], measure, 2) for row in self.rows]
            one, two = self.LEADING + 2 * self.PAD, 2 * self.LEADING + 2 * self.PAD
            heights = [
                max(len(c) for c in header) * self.LEADING + 2 * self.PAD,
                *(one if len(lines) == 1 else two for lines in names),
            ]
            self._layout = _Layout(header, names, heights, [0.0, *accumulate(heights[1:])])
        return self._layout

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        layout = self._laid_out(_Widths(self.font_name))
        body = layout.below[self.end] - layout.below[self.start]
        self.height = layout.heights[0] + body
        self.width = sum(self.col_widths)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        layout = self._laid_out(_Widths(self.font_name))
        room = ah - layout.heights[0]
        # the rows that fit: the last whose bottom is within the room (prefix sums)
        cut = bisect_right(layout.below, layout.below[self.start] + room, self.start, self.end + 1)
        cut = min(cut - 1, self.end)
        if cut <= self.start:
            return []
        if cut >= self.end:
            return [self]
        keep = dict(_layout=self._layout)
        return [
            LinesTable(self.header, self.rows, self.col_widths, self.font_name,
                       start=self.start, end=cut, **keep),
            LinesTable(self.header, self.rows, self.col_widths, self.font_name,
                       start=cut, end=self.end, **keep),
        ]  # fmt: skip

    def draw(self) -> None:
        layout = self._laid_out(_Widths(self.font_name))
        if layout.encoder is None or layout.encoder.doc is not self.canv._doc:
            layout.encoder, layout.cells = _Encoder(self.font_name, self.canv), {}
        encoder, cells = layout.encoder, layout.cells
        heights, size, pad, leading = layout.heights, self.SIZE, self.PAD, self.LEADING
        width = sum(self.col_widths)
        lefts = list(accumulate((0.0, *self.col_widths[:-1])))
        y = self.height
        graphics: list[str] = ["q 0.4 w 0.5 G"]
        text: list[str] = ["BT 0 g"]
        head = heights[0]
        graphics.append(f"0.91 0.933 0.961 rg 0 {y - head:.2f} {width:.2f} {head:.2f} re f")
        for x, lines in zip(lefts, layout.header, strict=True):  # the header, left-aligned
            baseline = y - pad - size
            for line in lines:
                text.append(f"1 0 0 1 {x + pad:.2f} {baseline:.2f} Tm {encoder.show(line, size)}")
                baseline -= leading
        y -= head
        graphics.append(f"0 {y:.2f} m {width:.2f} {y:.2f} l S")
        # a figure's cell is the same text at the same place on every row but the
        # baseline: each cell's operators are made once, ``Tm`` takes the row's baseline
        ends = [x + w - pad for x, w in zip(lefts, self.col_widths, strict=True)]

        def cell(col: int, value: str) -> tuple[str, str]:  # a figure, right-aligned
            found = cells[col, value] = (
                f"1 0 0 1 {ends[col] - encoder.width(value, size):.2f} ",
                f" Tm {encoder.show(value, size)}",
            )
            return found

        name_at, code_at = f"1 0 0 1 {pad:.2f} ", f"1 0 0 1 {lefts[1] + pad:.2f} "
        runs, columns = encoder.runs, range(2, len(self.col_widths))
        for index in range(self.start, self.end):
            row, names, height = self.rows[index], layout.names[index], heights[index + 1]
            baseline = y - pad - size
            at = f"{baseline:.2f}"
            for k, line in enumerate(names):  # name and code left-aligned
                below = at if k == 0 else f"{baseline - k * leading:.2f}"
                text.append(f"{name_at}{below} Tm {runs(line, size)}")
            text.append(f"{code_at}{at} Tm {runs(row[1], size)}")
            for col in columns:
                found = cells.get((col, row[col])) or cell(col, row[col])
                text.append(found[0] + at + found[1])
            y -= height
            graphics.append(f"0 {y:.2f} m {width:.2f} {y:.2f} l S")
        x = 0.0
        for w in (0.0, *self.col_widths):
            x += w
            graphics.append(f"{x:.2f} {y:.2f} m {x:.2f} {self.height:.2f} l S")
        graphics.append(f"0 {self.height:.2f} m {width:.2f} {self.height:.2f} l S Q")
        text.append("ET")
        self.canv._code.append("\n".join(graphics))
        self.canv._code.append("\n".join(text))


class _FlateCanvas(Canvas):
    """A canvas whose page streams are deflated only, not also ASCII85-encoded
    (ReportLab's default): ReportLab encodes ASCII85 in pure Python unless its C
    accelerator is installed, and for a month's hundreds of pages that took a third of
    the edition's time; the file is smaller too."""

    def showPage(self) -> None:
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if page.compression:
            page.Contents = PDFStream(content=page.stream, filters=[PDFZCompress])
            page.Contents.__Comment__ = "page stream"


def render_complaints_publicity(
    lines: Sequence[PublicityLineLike],
    *,
    first: date,
    last: date,
    categories: Sequence[str],
    outcomes: Sequence[str],
    issued: date,
    unmatched: int = 0,
    explanations: Mapping[str, str] | None = None,
    title: str | None = None,
    issuer: str | None = None,
    lang: str = "zh",
    fonts: FontSet | None = None,
) -> bytes:
    """The publication as PDF bytes (the same inputs give the same bytes).

    ``explanations``: credit code → the provider's approved explanation (经营者说明),
    printed under the table; the caller passes approved texts only."""
    t = Texts(lang)
    fonts = fonts or load_fonts()
    font = fonts.name
    wrap = "CJK" if lang == "zh" else None
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap=wrap)
    heading = ParagraphStyle("title", parent=body, fontSize=16, leading=22, spaceAfter=4)
    title = title or t("cmp_pdf_title")
    story: list = [Paragraph(escape(title), heading)]
    if issuer:
        story.append(Paragraph(escape(issuer), body))
    story += [
        Paragraph(t("cmp_pdf_period", first=first.isoformat(), last=last.isoformat()), body),
        Paragraph(t("cmp_pdf_issued", day=issued.isoformat()), body),
        Paragraph(t("cmp_pdf_rule", outcomes=t("cmp_pdf_sep").join(outcomes)), body),
        Spacer(1, 4 * mm),
    ]
    if lines:
        header = [
            t("cmp_pdf_provider"),
            t("cmp_pdf_code"),
            t("cmp_pdf_complaints"),
            *categories,
            t("cmp_pdf_rate"),
        ]
        page_w = landscape(A4)[0] - 30 * mm
        fixed = [55 * mm, 38 * mm, 18 * mm, 20 * mm]
        share_w = (page_w - sum(fixed)) / max(len(categories), 1)
        widths = [fixed[0], fixed[1], fixed[2], *([share_w] * len(categories)), fixed[3]]
        percent: dict[float, str] = {}
        rows = [
            (
                line.provider_name,
                line.credit_code,
                str(line.complaints),
                *[percent.get(s) or _percent(s, percent) for s in line.category_shares],
                percent.get(line.success_rate) or _percent(line.success_rate, percent),
            )
            for line in lines
        ]
        story.append(LinesTable(header, rows, widths, font))
        shown = [(line, (explanations or {}).get(line.credit_code)) for line in lines]
        shown = [(line, text_) for line, text_ in shown if text_]
        if shown:
            story += [Spacer(1, 4 * mm), Paragraph(escape(t("cmp_pdf_explanations")), body)]
            for line, text_ in shown:
                story.append(
                    Paragraph(escape(f"{line.provider_name}（{line.credit_code}）：{text_}"), body)
                )
    else:
        story.append(Paragraph(t("cmp_pdf_empty"), body))
    story.append(Spacer(1, 4 * mm))
    if unmatched:
        story.append(Paragraph(t("cmp_pdf_unmatched", n=unmatched), body))
    story.append(Paragraph(t("cmp_pdf_privacy"), body))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title} {first:%Y-%m}",
        author=issuer or "",
        subject=f"{first:%Y-%m}",
        creator="surveyapp",
        invariant=True,
        lang="zh-CN" if lang == "zh" else "en",
    )
    doc.build(story, canvasmaker=_FlateCanvas)
    return buf.getvalue()
