"""The bulletin as a PDF: cover, summary, one section per sector, methodology appendix.

Layout with ReportLab's platypus: an A4 document with a cover template and a body
template (running header, page "x of y" footer), tables that repeat their header row
when they break across pages, and charts from :mod:`reports.charts`.  Every text from
outside (labels, residents' suggestions) is escaped before it reaches a Paragraph,
which parses markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as reportlab_paragraph

from analysis import GroupResult, verdict_of

from . import fmt
from .bulletin_complaints import complaints_pages
from .bulletin_plans import plan_progress_flowables
from .charts import Bar, ranking_chart, trend_chart
from .content import BulletinContent, SectorReport
from .findings import key_findings
from .fmt import period_label
from .fonts import FontSet, load_fonts
from .texts import N_, Texts

__all__ = ["VERDICT_COLOURS", "period_label", "render_bulletin"]

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X

ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#666666")
HEADER_BG = colors.HexColor("#dde7f1")
RULE = colors.HexColor("#9aa9b8")
DRAFT = colors.HexColor("#c0392b")

#: Verdict → (text colour, background) in the summary table.
VERDICT_COLOURS: dict[str, tuple[colors.Color, colors.Color]] = {
    "met": (colors.HexColor("#1e7b34"), colors.HexColor("#dff0e3")),
    "not_met": (colors.HexColor("#b03a2e"), colors.HexColor("#f8e0dd")),
    "inconclusive": (colors.HexColor("#9a6700"), colors.HexColor("#fdf1d4")),
    "small": (colors.HexColor("#555555"), colors.HexColor("#eeeeee")),
    "no_data": (colors.HexColor("#555555"), colors.HexColor("#eeeeee")),
}


class _Styles:
    def __init__(self, font: str, lang: str) -> None:
        wrap = "CJK" if lang == "zh" else None
        base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap=wrap)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
        self.cell_c = ParagraphStyle("cell_c", parent=self.cell, alignment=TA_CENTER)
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontSize=15,
            leading=20,
            spaceBefore=4,
            spaceAfter=8,
            textColor=ACCENT,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontSize=11,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
            textColor=ACCENT,
        )
        self.bullet = ParagraphStyle(
            "bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=3
        )
        self.cover_title = ParagraphStyle(
            "cover_title",
            parent=base,
            fontSize=24,
            leading=34,
            alignment=TA_CENTER,
            textColor=ACCENT,
        )
        self.cover = ParagraphStyle(
            "cover", parent=base, fontSize=13, leading=22, alignment=TA_CENTER
        )
        self.cover_small = ParagraphStyle(
            "cover_small", parent=self.cover, fontSize=10.5, leading=16, textColor=MUTED
        )


def _p(text: str, style: ParagraphStyle, colour: colors.Color | None = None) -> Paragraph:
    """A paragraph of plain text: always escaped, never parsed as markup."""
    body = escape(text)
    if colour is not None:
        body = f'<font color="{colour.hexval()}">{body}</font>'
    return Paragraph(body, style)


def _table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    font: str,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A table whose first row is a header repeated on every page it spans."""
    table = Table(list(map(list, rows)), colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, ACCENT),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, ACCENT),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(TableStyle(style + list(extra)))
    return table


class _Builder:
    def __init__(self, content: BulletinContent, fonts: FontSet) -> None:
        self.c = content
        self.font = fonts.name
        self.t = Texts(content.lang)
        self.s = _Styles(fonts.name, content.lang)
        self.goal = content.methodology.goal
        self.period = period_label(content.period, content.lang)

    # -- pieces ---------------------------------------------------------------------
    def verdict_key(self, sector: SectorReport) -> str:
        """The index's verdict (``no_data`` without a result)."""
        if sector.result is None:
            return "no_data"
        return verdict_of(sector.result.index, sector.result.small_sample)

    def rate_verdict_key(self, sector: SectorReport) -> str | None:
        """The satisfaction rate's verdict against its own goal; ``None`` without one."""
        r = sector.result
        if r is None or r.rate_goal is None:
            return None
        return verdict_of(r.satisfaction_rate, r.small_sample)

    def has_rate_goals(self) -> bool:
        return any(s.result is not None and s.result.rate_goal is not None for s in self.c.sectors)

    def verdict_note(self) -> str:
        """The rule in plain words, with the goal of each judged measure."""
        t = self.t
        goals = [t("goal_index", goal=fmt.score(self.goal, 0))]
        rate_goals = sorted(
            {
                s.result.rate_goal
                for s in self.c.sectors
                if s.result is not None and s.result.rate_goal is not None
            }
        )
        goals += [t("goal_rate", goal=fmt.score(g, 0)) for g in rate_goals]
        if not rate_goals:
            goals.append(t("goal_rate_none"))
        return t("verdict_note", goals=t("goal_sep").join(goals), min_n=self.c.methodology.min_n)

    def change_text(self, sector: SectorReport) -> str:
        if sector.change is None or not sector.has_numbers:
            return self.t("no_previous") if sector.has_numbers else fmt.DASH
        ch = sector.change.index
        sig = self.t("sig") if ch.significant else self.t("not_sig")
        return self.t("change_sig", change=fmt.change(ch.change), sig=sig)

    def goal_text(self) -> str:
        return self.t("goal_label", goal=fmt.score(self.goal, 0))

    # -- cover ----------------------------------------------------------------------
    def cover(self) -> list[Flowable]:
        c, t, s = self.c, self.t, self.s
        out: list[Flowable] = [Spacer(1, 45 * mm)]
        out.append(_p(c.title, s.cover_title))
        out.append(Spacer(1, 8 * mm))
        edition = t("edition", n=c.edition) if c.edition is not None else t("draft")
        if c.interim:
            edition = f"{edition} · " + t("interim")
        out.append(_p(edition, s.cover, None if c.edition is not None else DRAFT))
        if c.interim:
            out.append(Spacer(1, 4 * mm))
            out.append(_p(t("interim_cover"), s.cover_small, DRAFT))
        out.append(Spacer(1, 30 * mm))
        for label, value in (
            (t("period"), self.period),
            (t("issuer"), c.issuer),
            (t("issued"), t.date(c.issued)),
        ):
            out.append(_p(t("cover_line", label=label, value=value), s.cover))
        if c.replaces is not None:
            out.append(Spacer(1, 8 * mm))
            out.append(_p(t("replaces", n=c.replaces), s.cover, DRAFT))
        if c.note:
            out.append(Spacer(1, 6 * mm))
            out.append(_p(c.note, s.cover_small))
        out.append(NextPageTemplate("body"))
        out.append(PageBreak())
        return out

    # -- summary --------------------------------------------------------------------
    def summary(self) -> list[Flowable]:
        t, s = self.t, self.s
        out: list[Flowable] = [_p(t("summary"), s.h1)]
        out.append(_p(t("summary_intro", goal=fmt.score(self.goal, 0)), s.body))
        out.append(Spacer(1, 3 * mm))
        # Each verdict stands right of the number it judges, under a header naming the
        # measure and its goal: the index's, then (when a sector sets one) the rate's.
        rate_goals = self.has_rate_goals()
        header = [
            _p(t(k), s.cell_c)
            for k in (N_("col_sector"), N_("col_n"), N_("col_index"), N_("col_ci"))
        ] + [_p(t("col_index_verdict", goal=fmt.score(self.goal, 0)), s.cell_c)]
        header += [_p(t(k), s.cell_c) for k in (N_("col_rate"), N_("col_rate_ci"))]
        if rate_goals:
            header.append(_p(t("col_rate_verdict"), s.cell_c))
        header.append(_p(t("col_change"), s.cell_c))
        rows: list[list[Any]] = [header]
        extra: list[tuple[Any, ...]] = []
        for i, sector in enumerate(self.c.sectors, start=1):
            key = self.verdict_key(sector)
            fg, bg = VERDICT_COLOURS[key]
            r = sector.result
            numbers = sector.has_numbers and r is not None
            row: list[Any] = [
                _p(sector.title, s.cell),
                fmt.count(r.n if r is not None else 0),
                fmt.score(r.index.estimate) if numbers and r else fmt.DASH,
                fmt.ci(r.index.ci) if numbers and r else fmt.DASH,
                _p(t(key), s.cell_c, fg),
                fmt.pct(r.satisfaction_rate.estimate) if numbers and r else fmt.DASH,
                fmt.ci(r.satisfaction_rate.ci) if numbers and r else fmt.DASH,
            ]
            extra.append(("BACKGROUND", (4, i), (4, i), bg))
            if rate_goals:
                rkey = self.rate_verdict_key(sector)
                if rkey is None or r is None or r.rate_goal is None:
                    row.append(fmt.DASH)
                else:
                    rfg, rbg = VERDICT_COLOURS[rkey]
                    cell = t("rate_goal_cell", verdict=t(rkey), goal=fmt.pct(r.rate_goal, 0))
                    row.append(_p(cell, s.cell_c, rfg))
                    extra.append(("BACKGROUND", (7, i), (7, i), rbg))
            row.append(_p(self.change_text(sector), s.cell_c))
            rows.append(row)
        widths = [0.15, 0.08, 0.10, 0.13, 0.11, 0.09, 0.13]
        widths += [0.11, 0.10] if rate_goals else [0.21]
        total = sum(widths)
        out.append(_table(rows, [w / total * CONTENT_W for w in widths], self.font, extra))
        out.append(Spacer(1, 2 * mm))
        out.append(_p(self.verdict_note(), s.small))
        out.append(_p(t("findings"), s.h2))
        for sentence in key_findings(self.c.sectors, t, self.goal):
            out.append(Paragraph(escape(sentence), s.bullet, bulletText="•"))
        return out

    # -- sector sections ------------------------------------------------------------
    def sector(self, number: int, sector: SectorReport) -> list[Flowable]:
        t, s = self.t, self.s
        out: list[Flowable] = [
            PageBreak(),
            _p(t("section", num=t.numeral(number), title=sector.title), s.h1),
        ]
        r = sector.result
        min_n = self.c.methodology.min_n
        if r is None:
            out.append(
                _p(
                    t("no_data_notice", sector=sector.title, received=fmt.count(sector.n_received)),
                    s.body,
                    DRAFT,
                )
            )
            return out
        if r.small_sample:
            out.append(
                _p(
                    t("small_notice", sector=sector.title, n=fmt.count(r.n), min_n=min_n),
                    s.body,
                    DRAFT,
                )
            )
            out += self.quality(sector)
            return out
        # One sentence per measure: the number, its interval, and the verdict on it.
        fg, _ = VERDICT_COLOURS[self.verdict_key(sector)]
        verdict = escape(t(self.verdict_key(sector)))
        numbers = t(
            "sector_numbers",
            index=fmt.score(r.index.estimate),
            ci=fmt.ci(r.index.ci),
            goal=fmt.score(self.goal, 0),
            verdict="\x00",
        )
        body = escape(numbers).replace("\x00", f'<font color="{fg.hexval()}">{verdict}</font>')
        rate = r.satisfaction_rate
        rkey = self.rate_verdict_key(sector)
        if rkey is None or r.rate_goal is None:
            body += escape(t("sector_rate", rate=fmt.pct(rate.estimate), rate_ci=fmt.ci(rate.ci)))
        else:
            rfg, _ = VERDICT_COLOURS[rkey]
            line = t(
                "sector_rate_goal",
                rate=fmt.pct(rate.estimate),
                rate_ci=fmt.ci(rate.ci),
                goal=fmt.score(r.rate_goal, 0),
                verdict="\x00",
            )
            body += escape(line).replace(
                "\x00", f'<font color="{rfg.hexval()}">{escape(t(rkey))}</font>'
            )
        out.append(Paragraph(body, s.body))
        if sector.change is not None:
            ch = sector.change.index
            out.append(
                _p(
                    t(
                        "sector_change",
                        period=period_label(sector.previous_period or "", self.c.lang),
                        change=fmt.change(ch.change),
                        ci=fmt.ci(ch.ci),
                        p=fmt.p_value(ch.p_value),
                        sig=t("sig") if ch.significant else t("not_sig"),
                    ),
                    s.body,
                )
            )
        out.append(
            _p(
                t(
                    "sector_sample",
                    received=fmt.count(r.n_received),
                    n=fmt.count(r.n),
                    eff_n=fmt.count(r.effective_n),
                    deff=fmt.share(r.deff),
                ),
                s.body,
            )
        )
        goal_label = fmt.score(self.goal, 0)
        dims = [Bar(sector.dimension_label(d.id), d.estimate, d.ci) for d in r.dimensions]
        out.append(
            KeepTogether(
                [
                    _p(t("h_dimensions"), s.h2),
                    ranking_chart(
                        dims, goal=self.goal, font=self.font, width=CONTENT_W, goal_label=goal_label
                    ),
                ]
            )
        )
        # ranked by the index, those below the small-sample threshold after the others
        groups = sorted(
            (g for g in r.groups if g.by),
            key=lambda g: (
                g.small_sample,
                -g.index.estimate if fmt.is_number(g.index.estimate) else 0,
            ),
        )
        bars = [self.district_bar(sector, g) for g in groups]
        model = sector.small_area
        if model is not None:  # districts without respondents: the synthetic estimate
            seen = {next(iter(g.by.values())) for g in groups}
            synthetic = t(N_("sae_synthetic"))
            bars += [
                Bar(
                    f"{sector.group_label(value)} (n=0, {synthetic})",
                    m.estimate,
                    m.ci,
                    muted=True,
                )
                for value, m in model.districts.items()
                if m.synthetic and value not in seen
            ]
        if bars:
            notes = [_p(t("chart_note", goal=goal_label, min_n=min_n), s.small)]
            if model is not None:
                notes.append(_p(t("sae_chart_note", min_n=min_n), s.small))
            out.append(
                KeepTogether(
                    [
                        _p(t("h_districts"), s.h2),
                        ranking_chart(
                            bars,
                            goal=self.goal,
                            font=self.font,
                            width=CONTENT_W,
                            goal_label=goal_label,
                        ),
                        *notes,
                    ]
                )
            )
        out.append(CondPageBreak(50 * mm))
        out.append(_p(t("h_trend"), s.h2))
        points = [
            (
                period_label(p.period, self.c.lang),
                None if p.index is None or p.small_sample else p.index.estimate,
                None if p.index is None or p.small_sample else p.index.ci,
            )
            for p in sector.trend
        ]
        if sum(1 for _, e, _ in points if e is not None) >= 2:
            out.append(
                trend_chart(
                    points, goal=self.goal, font=self.font, width=CONTENT_W, goal_label=goal_label
                )
            )
        else:
            out.append(_p(t("trend_single"), s.body))
        out += self.ipa(sector)
        out += self.suggestions(sector)
        out += self.quality(sector)
        return out

    def ipa(self, sector: SectorReport) -> list[Flowable]:
        t, s = self.t, self.s
        out: list[Flowable] = [CondPageBreak(40 * mm), _p(t("h_ipa"), s.h2)]
        r = sector.result
        drivers = r.drivers if r is not None else None
        if drivers is None:
            out.append(_p(t("ipa_na"), s.body))
            return out
        out.append(_p(t("ipa_intro"), s.small))
        rows: list[list[Any]] = [
            [
                _p(t(k), s.cell_c)
                for k in (
                    N_("col_dimension"),
                    N_("col_score"),
                    N_("col_importance"),
                    N_("col_weight"),
                    N_("col_quadrant"),
                )
            ]
        ]
        extra: list[tuple[Any, ...]] = []
        ordered = drivers.by_priority()
        for i, d in enumerate(ordered, start=1):
            rows.append(
                [
                    _p(sector.dimension_label(d.id), s.cell),
                    fmt.score(d.score),
                    fmt.share(d.importance),
                    fmt.share(d.configured_weight),
                    _p(
                        t(d.quadrant) if d.quadrant else fmt.DASH,
                        s.cell_c,
                        VERDICT_COLOURS["not_met"][0] if d.fix_first else None,
                    ),
                ]
            )
            if d.fix_first:
                extra.append(("BACKGROUND", (0, i), (-1, i), VERDICT_COLOURS["not_met"][1]))
        widths = [0.36, 0.14, 0.14, 0.14, 0.22]
        out.append(_table(rows, [w * CONTENT_W for w in widths], self.font, extra))
        fix = [sector.dimension_label(d.id) for d in ordered if d.fix_first]
        out.append(Spacer(1, 2 * mm))
        out.append(_p(t("ipa_fix", dims=t("list_sep").join(fix)) if fix else t("ipa_none"), s.body))
        return out

    def suggestions(self, sector: SectorReport) -> list[Flowable]:
        t, s = self.t, self.s
        out: list[Flowable] = [CondPageBreak(30 * mm), _p(t("h_suggestions"), s.h2)]
        review = sector.review
        if review is not None and review.texts:
            line = t(
                "suggestions_review",
                texts=fmt.count(review.texts),
                reviewed=fmt.count(review.reviewed),
                approved=fmt.count(review.approved),
            )
            if review.pending:
                line += t("suggestions_pending", n=fmt.count(review.pending))
            out.append(_p(line, s.body))
        elif not sector.suggestions:
            out.append(_p(t("suggestions_none"), s.body))
        for sug in sector.suggestions:
            text = f"“{sug.text}”" + (t("suggestion_count", n=sug.count) if sug.count > 1 else "")
            out.append(Paragraph(escape(text), s.bullet, bulletText="•"))
        return out

    def quality(self, sector: SectorReport) -> list[Flowable]:
        t, s = self.t, self.s
        r = sector.result
        if r is None:
            return []
        out: list[Flowable] = [CondPageBreak(30 * mm), _p(t("h_quality"), s.h2)]
        q = r.quality
        if q is None or not q.excluded:
            text = t("quality_not_applied", received=fmt.count(r.n_received), n=fmt.count(r.n))
            out.append(_p(text, s.body))
        else:
            text = t(
                "quality_text",
                received=fmt.count(r.n_received),
                excluded=fmt.count(q.n_excluded),
                n=fmt.count(r.n),
            )
            out.append(_p(text, s.body))
            rows: list[list[Any]] = [[_p(t("col_rule"), s.cell_c), _p(t("col_count"), s.cell_c)]]
            # exclusions, then what review holds or rejected, then signals (never excluded)
            keys = ("speeders", "straightliners", "duplicates", "flagged", "any")
            for key in (*keys, "held", "rejected", "signals"):
                if key in q.counts:
                    rows.append([_p(t(f"rule_{key}"), s.cell), fmt.count(q.counts[key])])
            out.append(_table(rows, [0.4 * CONTENT_W, 0.2 * CONTENT_W], self.font))
        if sector.unweighted:
            m = self.c.methodology
            items = t("list_sep").join(
                f"{m.variable_labels.get(var, var)} "
                f"{sector.group_label(cat) if var == m.group_by else cat}"
                for var, cat in sector.unweighted
            )
            out.append(Spacer(1, 2 * mm))
            out.append(_p(t("unweighted", items=items), s.body))
        return out

    # -- appendix -------------------------------------------------------------------
    def district_bar(self, sector: SectorReport, g: GroupResult) -> Bar:
        """A district's bar: its direct estimate, or below the small-sample threshold
        its model-based estimate when the sector has one (labelled 模型估计; grey, as
        it has no verdict of its own)."""
        value = next(iter(g.by.values()))
        label = f"{sector.group_label(value)} (n={g.n})"
        model = sector.small_area.districts.get(value) if sector.small_area else None
        if g.small_sample and model is not None:
            word = self.t(N_("sae_model"))
            label = f"{sector.group_label(value)} (n={g.n}, {word})"
            return Bar(label, model.estimate, model.ci, muted=True)
        return Bar(label, g.index.estimate, g.index.ci, muted=g.small_sample)

    def small_area(self) -> list[Flowable]:
        """The appendix's section on the model-based district estimates (only when a
        sector has them): the model, the smoothed variances, the fit per sector."""
        t, s = self.t, self.s
        fitted = [(x, x.small_area) for x in self.c.sectors if x.small_area is not None]
        if not fitted:
            return []
        out: list[Flowable] = [_p("7. " + t("sae_a_title"), s.h2)]
        out.append(_p(t("sae_a_text", min_n=self.c.methodology.min_n), s.body))
        rows: list[list[Any]] = [
            [
                _p(t(k), s.cell_c)
                for k in (N_("col_sector"), N_("sae_col_covariates"), N_("sae_col_sigma2"))
            ]
        ]
        for x, fit in fitted:
            rows.append(
                [
                    _p(x.title, s.cell),
                    _p(t("list_sep").join(fit.covariates), s.cell),
                    _p(f"{fit.sigma2_u:.4g}", s.cell_c),
                ]
            )
        out.append(Spacer(1, 2 * mm))
        out.append(_table(rows, [0.3 * CONTENT_W, 0.45 * CONTENT_W, 0.2 * CONTENT_W], self.font))
        return out

    def appendix(self) -> list[Flowable]:
        c, t, s, m = self.c, self.t, self.s, self.c.methodology
        out: list[Flowable] = [PageBreak(), _p(t("appendix"), s.h1)]
        analysed = [(x, x.result) for x in c.sectors if x.result is not None]

        out.append(_p("1. " + t("a_sampling"), s.h2))
        out.append(_p(t("a_sampling_text"), s.body))
        groups: list[str] = []
        for _, r in analysed:
            for g in r.groups:
                value = g.by.get(m.group_by)
                if value is not None and value not in groups:
                    groups.append(value)
        if analysed and groups:
            header = [_p(m.group_label, s.cell_c)] + [_p(x.title, s.cell_c) for x, _ in analysed]
            rows: list[list[Any]] = [header]
            for value in groups:
                label = next((x.group_label(value) for x, _ in analysed), value)
                row: list[Any] = [_p(label, s.cell)]
                for _, r in analysed:
                    n = next((g.n for g in r.groups if g.by.get(m.group_by) == value), 0)
                    row.append(fmt.count(n))
                rows.append(row)
            total: list[Any] = [_p(self.t("total"), s.cell)]
            total += [fmt.count(r.n) for _, r in analysed]
            rows.append(total)
            first = 0.26 * CONTENT_W
            rest = (CONTENT_W - first) / len(analysed)
            out.append(_table(rows, [first] + [rest] * len(analysed), self.font))

        out.append(_p("2. " + t("a_weighting"), s.h2))
        if m.margins:
            names = t("list_sep").join(m.variable_labels.get(v, v) for v in m.margins)
            out.append(_p(t("a_weighting_text", variables=names), s.body))
            out.append(Spacer(1, 2 * mm))
            mrows: list[list[Any]] = [
                [
                    _p(t(k), s.cell_c)
                    for k in (N_("col_variable"), N_("col_category"), N_("col_population"))
                ]
            ]
            for var, cats in m.margins.items():
                for cat, pop in cats.items():
                    mrows.append(
                        [
                            _p(m.variable_labels.get(var, var), s.cell),
                            _p(cat, s.cell),
                            fmt.count(pop),
                        ]
                    )
            out.append(
                _table(mrows, [0.25 * CONTENT_W, 0.45 * CONTENT_W, 0.2 * CONTENT_W], self.font)
            )
        elif any(r.weighting.method != "none" for _, r in analysed):
            out.append(_p(t("a_weighting_own"), s.body))
        else:
            out.append(_p(t("a_unweighted"), s.body))
        if any(r.weighting.method != "none" for _, r in analysed):
            out.append(_p(t("a_weights_per_sector"), s.h2))
            wrows: list[list[Any]] = [
                [
                    _p(t(k), s.cell_c)
                    for k in (
                        N_("col_sector"),
                        N_("col_iterations"),
                        N_("col_deff"),
                        N_("col_eff_n"),
                    )
                ]
            ]
            for x, r in analysed:
                if r.weighting.method == "none":
                    sweeps = t("unweighted_short")
                else:
                    sweeps = str(r.weighting.iterations) + (
                        "" if r.weighting.converged else t("converged_no")
                    )
                wrows.append(
                    [
                        _p(x.title, s.cell),
                        _p(sweeps, s.cell_c),
                        fmt.share(r.deff),
                        fmt.count(r.effective_n),
                    ]
                )
            out.append(
                _table(
                    wrows,
                    [0.34 * CONTENT_W, 0.2 * CONTENT_W, 0.2 * CONTENT_W, 0.2 * CONTENT_W],
                    self.font,
                )
            )

        out.append(_p("3. " + t("a_index"), s.h2))
        strata = t("a_strata", strata=m.variable_labels.get(m.strata, m.strata)) if m.strata else ""
        out.append(_p(t("a_index_text", strata=strata), s.body))
        out.append(_p("4. " + t("a_goal"), s.h2))
        out.append(_p(t("a_goal_text", goal=fmt.score(m.goal, 0), min_n=m.min_n), s.body))
        if self.has_rate_goals():
            out.append(_p(t("a_rate_goal_text"), s.body))
        out.append(_p("5. " + t("a_exclusions"), s.h2))
        if m.exclude_flagged and m.quality is not None:
            speed = f"{m.quality.speed_fraction:.0%}"  # the same in both languages
            out.append(
                _p(
                    t("a_exclusions_text", speed=speed, min_items=m.quality.straightline_min_items),
                    s.body,
                )
            )
        else:
            out.append(_p(t("a_no_exclusions"), s.body))
        out.append(_p("6. " + t("a_software"), s.h2))
        out.append(_p(t("a_software_text"), s.body))
        if m.software:
            srows: list[list[Any]] = [
                [_p(t("col_package"), s.cell_c), _p(t("col_version"), s.cell_c)]
            ]
            srows += [[_p(k, s.cell), _p(v, s.cell_c)] for k, v in m.software.items()]
            out.append(Spacer(1, 2 * mm))
            out.append(_table(srows, [0.3 * CONTENT_W, 0.3 * CONTENT_W], self.font))
        out += self.small_area()
        return out

    def story(self) -> list[Flowable]:
        out = self.cover() + self.summary()
        for i, sector in enumerate(self.c.sectors, start=2):
            out += self.sector(i, sector)
        if self.c.complaints is not None:
            out += complaints_pages(self.c.complaints, self, len(self.c.sectors) + 2, CONTENT_W)
        out += plan_progress_flowables(self.c.plans, self, CONTENT_W, _p, _table)
        out += self.appendix()
        return out


def pdf_date(day: date) -> str:
    """The PDF date string of midnight, China time, of ``day``: ``D:20261215000000+08'00'``."""
    return f"D:{day:%Y%m%d}000000+08'00'"


def _canvas_class(builder: _Builder) -> type[Canvas]:
    """A canvas that writes "page x of y" once the number of pages is known, and gives
    the file its real creation date: the issue date (invariant mode alone would write
    2000-01-01; the issue date keeps the bytes reproducible)."""
    t, font = builder.t, builder.font
    created = pdf_date(builder.c.issued)

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.setDateFormatter(lambda *_: created)

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            if self._pageNumber == 1:
                return
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(MUTED)
            self.drawCentredString(
                PAGE_W / 2, 10 * mm, t("page", page=self._pageNumber, pages=total)
            )
            self.restoreState()

    return NumberedCanvas


def _header(builder: _Builder) -> Any:
    t, font, c = builder.t, builder.font, builder.c

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        y = PAGE_H - 14 * mm
        canvas.drawString(MARGIN_X, y, f"{c.title} · {builder.period}")
        right = t("edition", n=c.edition) if c.edition is not None else t("draft")
        if c.interim:
            right = t("interim") + f" · {right}"
        if c.edition is None or c.interim:
            canvas.setFillColor(DRAFT)
        canvas.drawRightString(PAGE_W - MARGIN_X, y, right)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, y - 2.5 * mm, PAGE_W - MARGIN_X, y - 2.5 * mm)
        canvas.restoreState()

    return draw


#: Chinese punctuation that may not start a line (GB/T 15834, W3C "Requirements for
#: Chinese Text Layout" 3.1.7).  ReportLab's CJK wrap hangs such a character at the end
#: of the line before, but its list (``textsplit.ALL_CANNOT_START``) has the ASCII and
#: Japanese marks and lacks the full-width Chinese ones: ，；：？！ and closing quotes.
CJK_CANNOT_START = "，。、；：？！）］｝」』】〕〗》〉”’％‰…·"


def _cjk_line_rules() -> None:
    """Teach ReportLab's CJK wrap the Chinese marks above (idempotent).  Both of its
    wrappers read the list: ``textsplit.wordSplit`` (a paragraph of one style) and
    ``paragraph.cjkFragSplit`` (mixed styles)."""
    for module in (reportlab_textsplit, reportlab_paragraph):
        current = module.ALL_CANNOT_START
        missing = "".join(ch for ch in CJK_CANNOT_START if ch not in current)
        if missing:
            module.ALL_CANNOT_START = current + missing


def render_bulletin(content: BulletinContent, fonts: FontSet | None = None) -> bytes:
    """The bulletin as PDF bytes.

    The output is reproducible: the same content, fonts and software give the same
    bytes (ReportLab's invariant mode; the issue date, also the file's creation date,
    comes from ``content``).  Chinese lines never start with closing punctuation.
    """
    if not content.sectors:
        raise ValueError(f"period {content.period}: no sector to report")
    _cjk_line_rules()
    fonts = fonts or load_fonts()
    builder = _Builder(content, fonts)
    buf = io.BytesIO()
    frame = Frame(
        MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body"
    )
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{content.title} {builder.period}",
        author=content.issuer,
        subject=content.period,
        creator="surveyapp",
        invariant=True,
        lang="zh-CN" if content.lang == "zh" else "en",
        pageTemplates=[
            PageTemplate(id="cover", frames=[frame]),
            PageTemplate(id="body", frames=[frame], onPage=_header(builder)),
        ],
    )
    doc.build(builder.story(), canvasmaker=_canvas_class(builder))
    return buf.getvalue()
