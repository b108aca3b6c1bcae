"""The monitoring bulletin's complaints section (消费投诉): one line per sector.

Surveys say *that* residents are unhappy; complaints say *with whom and about what*.
Per sector of the bulletin: complaints received in the period, accepted, the three
categories complained about most, the mediation success rate (和解成功率: settled over
mediations concluded in the period) and the change since the period before.

Pure rendering, like the rest of :mod:`reports`: :class:`ComplaintsSection` is plain
data made by ``surveyapp.complaints.bulletin`` from counts; it has no field for a
complainant, so none can be printed.  The bulletin's builder
(:mod:`reports.document`) lends its wording, styles and font (:class:`Page`) to
:func:`complaints_pages`.  Wording: the bulletin's catalogs, ids ``bcmp_*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from . import fmt
from .texts import Texts

__all__ = ["ComplaintsSection", "Page", "SectorComplaints", "complaints_pages"]

#: How many categories a sector's line names
TOP_CATEGORIES = 3
_ACCENT = colors.HexColor("#1f4e79")  # the bulletin's accent and header colours
_HEADER = colors.HexColor("#dde7f1")


@dataclass(frozen=True)
class PeriodCounts:
    """A sector's complaints of one period: ``received`` (by the day received),
    ``accepted`` (by the day accepted), ``categories`` (name → complaints received,
    most first), ``mediated`` cases concluded after mediation (和解成功 or 未达成和解,
    by the day closed) of which ``settled`` 和解成功."""

    received: int = 0
    accepted: int = 0
    mediated: int = 0
    settled: int = 0
    categories: tuple[tuple[str, int], ...] = ()

    @property
    def rate(self) -> float | None:
        """和解成功率; ``None`` without a concluded mediation."""
        return self.settled / self.mediated if self.mediated else None


@dataclass(frozen=True)
class SectorComplaints:
    """One sector's line: this period and (``None`` for none) the one before."""

    sector: str  # the sector code
    title: str  # its printed name
    current: PeriodCounts
    previous: PeriodCounts | None = None

    def top(self, n: int = TOP_CATEGORIES) -> tuple[tuple[str, int], ...]:
        return self.current.categories[:n]


@dataclass(frozen=True)
class ComplaintsSection:
    """The section: the period's first and last day, the previous period's label
    (``None``: not compared), the day the counts were taken, one line per sector."""

    first: date
    last: date
    previous_period: str | None
    as_of: date
    sectors: tuple[SectorComplaints, ...]


class Page(Protocol):
    """What the bulletin's builder lends the section: its wording, styles and font."""

    @property
    def t(self) -> Texts: ...
    @property
    def s(self) -> Any: ...  # reports.document._Styles: body, small, cell, cell_c, h1, h2
    @property
    def font(self) -> str: ...


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _delta(t: Texts, now: int, before: int | None) -> str:
    if before is None:
        return fmt.DASH
    diff = now - before
    if diff == 0:
        return t("bcmp_same")
    return ("+" if diff > 0 else "−") + fmt.count(abs(diff))


def _rate_delta(now: float | None, before: float | None) -> str:
    """The change of the rate in percentage points (—: one of them is missing)."""
    if now is None or before is None:
        return fmt.DASH
    return fmt.change(100 * (now - before)) + " pp"


def _top_text(t: Texts, line: SectorComplaints) -> str:
    top = line.top()
    if not top:
        return fmt.DASH
    return t("list_sep").join(t("bcmp_category", name=name, n=fmt.count(n)) for name, n in top)


def _table(rows: list[list[Any]], widths: Sequence[float], font: str) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, _ACCENT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, _ACCENT),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, _ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def complaints_pages(
    section: ComplaintsSection, page: Page, number: int, width: float
) -> list[Flowable]:
    """The section as flowables, numbered ``number`` (a new page, a heading, the rule,
    one table of the sectors, one sentence per sector with its top categories)."""
    t, s = page.t, page.s
    out: list[Flowable] = [
        PageBreak(),
        _cell(t("section", num=t.numeral(number), title=t("bcmp_title")), s.h1),
        _cell(
            t(
                "bcmp_intro",
                first=t.date(section.first),
                last=t.date(section.last),
                as_of=t.date(section.as_of),
            ),
            s.body,
        ),  # fmt: skip
        _cell(t("bcmp_rule"), s.small),
        Spacer(1, 3 * mm),
    ]
    if not any(line.current.received or line.current.mediated for line in section.sectors):
        out.append(_cell(t("bcmp_none"), s.body))
        return out
    compared = section.previous_period is not None
    header = [
        t("bcmp_col_sector"),
        t("bcmp_col_received"),
        t("bcmp_col_accepted"),
        t("bcmp_col_mediated"),
        t("bcmp_col_rate"),
    ]
    if compared:
        header += [t("bcmp_col_received_change"), t("bcmp_col_rate_change")]
    rows: list[list[Any]] = [[_cell(h, s.cell_c) for h in header]]
    for line in section.sectors:
        now, before = line.current, line.previous
        row = [
            _cell(line.title, s.cell),
            _cell(fmt.count(now.received), s.cell_c),
            _cell(fmt.count(now.accepted), s.cell_c),
            _cell(fmt.count(now.mediated), s.cell_c),
            _cell(fmt.pct(None if now.rate is None else 100 * now.rate), s.cell_c),
        ]
        if compared:
            row += [
                _cell(_delta(t, now.received, before.received if before else None), s.cell_c),
                _cell(_rate_delta(now.rate, before.rate if before else None), s.cell_c),
            ]
        rows.append(row)
    shares = [0.24, 0.12, 0.12, 0.12, 0.12] + ([0.14, 0.14] if compared else [])
    total = sum(shares)
    out.append(_table(rows, [width * x / total for x in shares], page.font))
    if compared:
        out.append(_cell(t("bcmp_compared", period=fmt.period_label(
            section.previous_period or "", t.lang)), s.small))  # fmt: skip
    out.append(_cell(t("bcmp_h_categories"), s.h2))
    for line in section.sectors:
        if line.current.received:
            text = t("bcmp_top", sector=line.title, categories=_top_text(t, line))
            out.append(Paragraph(escape(text), s.bullet, bulletText="•"))
    return out
