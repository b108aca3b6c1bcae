"""The published results of a 双随机 inspection draw (双随机抽查结果公示): one table.

Pure rendering: it takes the lines computed by ``surveyapp.inspections.publication``
(any objects with the attributes of :class:`ResultLineLike`) and draws them, with the
draw's seed and the SHA-256 of its inputs so a reader can match the list to the hash
sealed at draw time.  It never queries anything; an inspector is printed as the line
gives them (name and number), nothing else.

Its wording is in the bulletin's gettext catalogs (ids ``insr_*``,
:class:`reports.texts.Texts`), Chinese by default.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.fonts import FontSet, load_fonts
from reports.texts import Texts

__all__ = ["ResultLineLike", "render_inspection_results"]


class ResultLineLike(Protocol):
    """What the PDF needs of one drawn provider."""

    @property
    def credit_code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def district(self) -> str: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def inspected_on(self) -> date | None: ...
    @property
    def findings(self) -> str | None: ...
    @property
    def inspectors(self) -> tuple[str, ...]: ...


def _wrapped(text: str, style: ParagraphStyle, fits: int) -> Paragraph | str:
    """``text`` as a wrapping paragraph when it may not fit its column (more than
    ``fits`` characters), else as a plain cell: paragraphs make a long list slow."""
    return Paragraph(escape(text), style) if len(text) > fits else text


def render_inspection_results(
    lines: Sequence[ResultLineLike],
    *,
    sector: str,
    period: str,
    districts: str,
    seed: str,
    inputs_sha256: str,
    drawn_on: date,
    issued: date,
    edition: int,
    replaces: int | None = None,
    issuer: str | None = None,
    lang: str = "zh",
    fonts: FontSet | None = None,
) -> bytes:
    """The publication as PDF bytes (the same inputs give the same bytes)."""
    t = Texts(lang)
    fonts = fonts or load_fonts()
    font = fonts.name
    wrap = "CJK" if lang == "zh" else None
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap=wrap)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    heading = ParagraphStyle("title", parent=body, fontSize=16, leading=22, spaceAfter=4)
    title = t("insr_title", sector=sector, period=period)
    story: list = [Paragraph(escape(title), heading)]
    if issuer:
        story.append(Paragraph(escape(issuer), body))
    story += [
        Paragraph(escape(t("insr_edition", n=edition)), body),
        Paragraph(
            escape(t("insr_districts", districts=districts or t("insr_all_districts"))), body
        ),
        Paragraph(escape(t("insr_drawn", day=t.date(drawn_on), seed=seed)), body),
        Paragraph(escape(t("insr_sha", sha=inputs_sha256)), body),
        Paragraph(escape(t("insr_issued", day=t.date(issued))), body),
    ]
    if replaces is not None:
        story.append(Paragraph(escape(t("insr_replaces", n=replaces)), body))
    failed = sum(1 for line in lines if line.outcome == "不合格")
    inspected = sum(1 for line in lines if line.outcome is not None)
    story += [
        Paragraph(
            escape(t("insr_summary", n=len(lines), inspected=inspected, failed=failed)), body
        ),
        Spacer(1, 4 * mm),
    ]
    header = [t("insr_provider"), t("insr_code"), t("insr_district"), t("insr_result"),
              t("insr_day"), t("insr_findings"), t("insr_inspectors")]  # fmt: skip
    rows = [[Paragraph(escape(h), cell) for h in header]]
    for line in lines:
        rows.append(
            [  # a paragraph (wrapped, the costly part of a long list) only where text may wrap
                _wrapped(line.name, cell, 12),
                line.credit_code,
                _wrapped(line.district, cell, 6),
                line.outcome or t("insr_not_inspected"),
                t.date(line.inspected_on) if line.inspected_on else "",
                _wrapped(line.findings or "", cell, 16),
                _wrapped(t("insr_sep").join(line.inspectors), cell, 10),
            ]
        )
    widths = [50 * mm, 38 * mm, 22 * mm, 18 * mm, 28 * mm, 66 * mm, 45 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm), Paragraph(escape(t("insr_rule")), body)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=issuer or "",
        subject=period,
        creator="surveyapp",
        invariant=True,
        lang="zh-CN" if lang == "zh" else "en",
    )
    doc.build(story)
    return buf.getvalue()
