"""The complaint publicity PDF (消费投诉公示): a title, the rule, one table.

Pure rendering: it takes the lines computed by ``surveyapp.complaints.publicity`` (any
objects with the attributes of :class:`PublicityLineLike`) and draws them; it never
queries anything and has no field for a complainant, so none can be printed.

Its wording is in the bulletin's gettext catalogs (ids ``cmp_pdf_*``,
:class:`reports.texts.Texts`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
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

__all__ = ["PublicityLineLike", "render_complaints_publicity"]


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


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


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
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
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
        rows = [[Paragraph(escape(h), cell) for h in header]]
        for line in lines:
            rows.append(
                [
                    Paragraph(escape(line.provider_name), cell),
                    line.credit_code,
                    str(line.complaints),
                    *(_percent(s) for s in line.category_shares),
                    _percent(line.success_rate),
                ]
            )
        page_w = landscape(A4)[0] - 30 * mm
        fixed = [55 * mm, 38 * mm, 18 * mm, 20 * mm]
        share_w = (page_w - sum(fixed)) / max(len(categories), 1)
        widths = [fixed[0], fixed[1], fixed[2], *([share_w] * len(categories)), fixed[3]]
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(table)
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
    doc.build(story)
    return buf.getvalue()
