"""Charts drawn with ``reportlab.graphics``: estimates with 95% intervals and a goal line.

No external plotting library: the shapes are drawn directly, in the bulletin's font,
so the charts embed the same glyphs as the text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from . import fmt

__all__ = ["Bar", "ranked_last", "ranking_chart", "trend_chart"]

BAR = colors.HexColor("#3b6ea5")
BAR_SMALL = colors.HexColor("#c8c8c8")
CI = colors.HexColor("#1f2d3d")
GOAL = colors.HexColor("#c0392b")
GRID = colors.HexColor("#e3e3e3")
TEXT = colors.HexColor("#222222")


@dataclass(frozen=True)
class Bar:
    """One row of a ranking chart; ``muted`` draws it grey (e.g. too few responses)."""

    label: str
    estimate: float
    ci: tuple[float, float]
    muted: bool = False


def _axis_range(values: Sequence[float], goal: float) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)] + [goal]
    lo = max(0.0, math.floor((min(finite) - 5) / 10) * 10)
    hi = min(100.0, math.ceil((max(finite) + 2) / 10) * 10)
    if hi - lo < 20:
        lo = max(0.0, hi - 20)
    return lo, hi


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def ranked_last(bars: Sequence[Bar]) -> list[Bar]:
    """``bars`` with the muted ones moved after the others, each part in its order."""
    return [b for b in bars if not b.muted] + [b for b in bars if b.muted]


def ranking_chart(
    bars: Sequence[Bar],
    *,
    goal: float,
    font: str,
    width: float = 440,
    row_height: float = 16,
    goal_label: str = "",
) -> Drawing:
    """Horizontal bars of estimates with 95% interval whiskers and a dashed goal line.

    Rows are drawn in the order given (the caller sorts them), except that muted rows
    (too few responses to rank) always come after the others, greyed: a district
    below the small-sample threshold never leads a ranking.
    """
    bars = ranked_last(bars)
    size = 7.5
    label_w = min(150.0, max([stringWidth(b.label, font, size) for b in bars] + [40.0]) + 6)
    value_w = 30.0
    top, bottom = 14.0, 16.0
    height = top + bottom + row_height * max(len(bars), 1)
    d = Drawing(width, height)
    x0, x1 = label_w, width - value_w
    lo, hi = _axis_range([v for b in bars for v in (b.estimate, b.ci[0], b.ci[1])] or [goal], goal)

    def x(v: float) -> float:
        return x0 + (x1 - x0) * (min(max(v, lo), hi) - lo) / (hi - lo)

    for tick in range(int(lo), int(hi) + 1, 10):
        d.add(Line(x(tick), bottom, x(tick), height - top, strokeColor=GRID, strokeWidth=0.5))
        d.add(
            String(
                x(tick),
                bottom - 10,
                str(tick),
                fontName=font,
                fontSize=size,
                fillColor=TEXT,
                textAnchor="middle",
            )
        )
    for i, b in enumerate(bars):
        yc = height - top - row_height * (i + 0.5)
        d.add(
            String(
                label_w - 4,
                yc - size / 3,
                _fit(b.label, font, size, label_w - 6),
                fontName=font,
                fontSize=size,
                fillColor=TEXT,
                textAnchor="end",
            )
        )
        if not math.isfinite(b.estimate):
            continue
        colour = BAR_SMALL if b.muted else BAR
        d.add(
            Rect(
                x0,
                yc - row_height * 0.3,
                x(b.estimate) - x0,
                row_height * 0.6,
                fillColor=colour,
                strokeColor=None,
            )
        )
        if math.isfinite(b.ci[0]) and math.isfinite(b.ci[1]):
            ci_colour = BAR_SMALL if b.muted else CI
            d.add(Line(x(b.ci[0]), yc, x(b.ci[1]), yc, strokeColor=ci_colour, strokeWidth=0.9))
            for end in b.ci:
                d.add(Line(x(end), yc - 3, x(end), yc + 3, strokeColor=ci_colour, strokeWidth=0.9))
        d.add(
            String(
                x1 + 3,
                yc - size / 3,
                fmt.score(b.estimate),
                fontName=font,
                fontSize=size,
                fillColor=TEXT,
            )
        )
    gx = x(goal)
    d.add(
        Line(
            gx,
            bottom,
            gx,
            height - top + 4,
            strokeColor=GOAL,
            strokeWidth=1,
            strokeDashArray=[3, 2],
        )
    )
    if goal_label:
        d.add(
            String(
                gx,
                height - top + 5,
                goal_label,
                fontName=font,
                fontSize=size,
                fillColor=GOAL,
                textAnchor="middle",
            )
        )
    return d


def trend_chart(
    points: Sequence[tuple[str, float | None, tuple[float, float] | None]],
    *,
    goal: float,
    font: str,
    width: float = 440,
    height: float = 130,
    goal_label: str = "",
) -> Drawing:
    """The index over periods (oldest first) with 95% intervals and the goal line.

    A period without an estimate is left as a gap on the x axis.
    """
    size = 7.5
    d = Drawing(width, height)
    left, right, top, bottom = 30.0, 20.0, 14.0, 18.0
    values = [v for _, e, c in points if e is not None for v in (e, *(c or (e, e)))]
    lo, hi = _axis_range(values or [goal], goal)

    def y(v: float) -> float:
        return bottom + (height - top - bottom) * (min(max(v, lo), hi) - lo) / (hi - lo)

    n = max(len(points), 1)
    step = (width - left - right) / n

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    for tick in range(int(lo), int(hi) + 1, 10):
        d.add(Line(left, y(tick), width - right, y(tick), strokeColor=GRID, strokeWidth=0.5))
        d.add(
            String(
                left - 4,
                y(tick) - size / 3,
                str(tick),
                fontName=font,
                fontSize=size,
                fillColor=TEXT,
                textAnchor="end",
            )
        )
    d.add(
        Line(
            left,
            y(goal),
            width - right,
            y(goal),
            strokeColor=GOAL,
            strokeWidth=1,
            strokeDashArray=[3, 2],
        )
    )
    if goal_label:
        d.add(
            String(
                width - right,
                y(goal) + 3,
                goal_label,
                fontName=font,
                fontSize=size,
                fillColor=GOAL,
                textAnchor="end",
            )
        )
    line: list[float] = []
    for i, (period, est, ci) in enumerate(points):
        d.add(
            String(
                x(i),
                bottom - 12,
                period,
                fontName=font,
                fontSize=size,
                fillColor=TEXT,
                textAnchor="middle",
            )
        )
        if est is None or not math.isfinite(est):
            continue
        if ci is not None and math.isfinite(ci[0]) and math.isfinite(ci[1]):
            d.add(Line(x(i), y(ci[0]), x(i), y(ci[1]), strokeColor=CI, strokeWidth=0.9))
            for end in ci:
                d.add(Line(x(i) - 3, y(end), x(i) + 3, y(end), strokeColor=CI, strokeWidth=0.9))
        line += [x(i), y(est)]
        d.add(
            String(
                x(i) + 5, y(est) + 3, fmt.score(est), fontName=font, fontSize=size, fillColor=TEXT
            )
        )
    if len(line) >= 4:
        d.add(PolyLine(line, strokeColor=BAR, strokeWidth=1.2))
    for j in range(0, len(line), 2):
        d.add(Circle(line[j], line[j + 1], 2.5, fillColor=BAR, strokeColor=colors.white))
    return d
