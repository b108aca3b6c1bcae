"""Server-rendered SVG charts: no script, no CDN, no inline style (the CSP forbids it).

Colours come from classes styled in ``static/css/dashboard.css``; geometry uses SVG
presentation attributes.  The view box is phone-sized (300 units wide, about the width
a chart gets on a 360 px phone) and the SVG scales to its container (``width: 100%``),
so its text, 20 units high, is drawn at 18 px or more there: older readers get the same
text size in a chart as in the page.  In the large-text mode the stylesheet draws chart
text at 24 units (as the page's 22 px against 18 px); the layout leaves room for that
size in both modes (:data:`ROOM`), so labels never overlap or run out of the chart
whichever size is drawn.  A district name too long for its line wraps, and one too long
for two lines is shortened with "…": its full name is in the label's ``<title>`` and in
the table next to the chart.  Every chart has a ``<title>`` and the same numbers are in
a table next to it.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "IpaPoint", "Point", "bar_chart", "ipa_chart", "trend_chart"]

WIDTH = 300
FONT = 20  # text height in view-box units (the CSS sets the same size on chart text)
ROOM = 24  # the text height the layout makes room for: the large-text mode's size
LINE = 28  # baseline to baseline of a wrapped label, at ROOM
LABEL_LINES = 2  # a bar label wraps to at most this many lines, then ends in "…"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    small: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    css: str = "small"  # verdict class: met, not_met, inconclusive, small
    note: str = ""
    # the model-based (small-area) estimate drawn as an outlined bar under the direct
    # one, with its interval; ``None``: the round has no auxiliaries
    model: float | None = None
    model_low: float | None = None
    model_high: float | None = None


def _finite(*values: float | None) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def _domain(values: Sequence[float], goal: float) -> tuple[float, float]:
    """A 0..100 sub-range in steps of 10 that holds the values, their CIs and the goal."""
    low = min([*values, goal]) - 5
    high = max([*values, goal]) + 5
    lo = max(0.0, math.floor(low / 10) * 10)
    hi = min(100.0, math.ceil(high / 10) * 10)
    if hi - lo < 20:
        hi = min(100.0, lo + 20)
        lo = hi - 20
    return lo, hi


def _f(x: float) -> str:
    return f"{x:.1f}"


def text_width(text: str, size: float = ROOM) -> float:
    """A generous width of ``text`` drawn ``size`` high: a CJK (wide) character is one
    em, any other 0.62 em (digits and Latin letters of the usual sans fonts are less)."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.62 * size for c in text)


def wrap_label(text: str, width: float, lines: int = LABEL_LINES) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` units (at :data:`ROOM`).

    Breaks after a space or a separator where there is one, else between any two
    characters (Chinese has no spaces); a text still too long ends in "…".
    """
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < lines:
        if text_width(rest) <= width:
            out.append(rest)
            rest = ""
            break
        cut = 1
        while cut < len(rest) and text_width(rest[: cut + 1]) <= width:
            cut += 1
        soft = rest.rfind(" ", 0, cut + 1)
        if soft > 0 and len(out) < lines - 1:
            cut = soft
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        last = out[-1]
        while last and text_width(last + "…") > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return out


def _open(chart_id: str, height: float, title: str, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {_f(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]


def _period_lines(label: str, x: float, y: float) -> str:
    """A period label as two short lines (``2026`` over ``Q3``): four periods fit a phone."""
    head, tail = (label[:4], label[4:]) if len(label) > 4 and label[:4].isdigit() else (label, "")
    out = (
        f'<text class="axis" x="{_f(x)}" y="{_f(y)}" text-anchor="middle">'
        f'<tspan x="{_f(x)}">{escape(head)}</tspan>'
    )
    if tail:
        out += f'<tspan x="{_f(x)}" dy="{LINE}">{escape(tail)}</tspan>'
    return out + "</text>"


def trend_chart(
    points: Sequence[Point], goal: float, *, title: str, goal_label: str, chart_id: str
) -> Markup:
    """The index over periods with 95% CI whiskers and the goal as a dashed line.

    Small samples are drawn hollow; a period without an estimate leaves a gap.
    """
    left, right, top, bottom = 50.0, 10.0, 30.0, 66.0  # room for "100" and two lines at ROOM
    height = 280.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = _finite(*[v for p in points for v in (p.value, p.low, p.high)])
    lo, hi = _domain(values, goal)

    def y(v: float) -> float:
        return top + plot_h * (hi - min(max(v, lo), hi)) / (hi - lo)

    step = plot_w / max(len(points), 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    out = _open(chart_id, height, title, "chart-trend")
    for tick in range(int(lo), int(hi) + 1, 10):
        out.append(
            f'<line class="grid" x1="{_f(left)}" x2="{_f(WIDTH - right)}" '
            f'y1="{_f(y(tick))}" y2="{_f(y(tick))}"/>'
            f'<text class="axis" x="{_f(left - 4)}" y="{_f(y(tick) + 8)}" '
            f'text-anchor="end">{tick}</text>'
        )
    gy = y(goal)
    out.append(
        f'<line class="goal" x1="{_f(left)}" x2="{_f(WIDTH - right)}" y1="{_f(gy)}" y2="{_f(gy)}"/>'
        f'<text class="goal-label" x="{_f(WIDTH - right)}" y="{_f(gy - 5)}" '
        f'text-anchor="end">{escape(goal_label)}</text>'
    )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, p in enumerate(points):
        if p.value is None or not math.isfinite(p.value):
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_f(x(i))},{_f(y(p.value))}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            out.append(f'<polyline class="line" fill="none" points="{" ".join(seg)}"/>')
    for i, p in enumerate(points):
        out.append(_period_lines(p.label, x(i), height - bottom + ROOM + 6))
        if p.value is None or not math.isfinite(p.value):
            continue
        if (
            p.low is not None
            and p.high is not None
            and math.isfinite(p.low)
            and math.isfinite(p.high)
        ):
            out.append(
                f'<line class="ci" x1="{_f(x(i))}" x2="{_f(x(i))}" '
                f'y1="{_f(y(p.low))}" y2="{_f(y(p.high))}"/>'
            )
        css = "dot dot-small" if p.small else "dot"
        out.append(
            f'<circle class="{css}" cx="{_f(x(i))}" cy="{_f(y(p.value))}" r="5">'
            f"<title>{escape(p.label)}: {p.value:.1f}</title></circle>"
            f'<text class="value" x="{_f(x(i) + 6)}" y="{_f(y(p.value) - 8)}">{p.value:.1f}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _bar_label(bar: Bar, width: float) -> list[str]:
    """The name wrapped (:func:`wrap_label`), its note after it or on a line of its own."""
    lines = wrap_label(bar.label, width)
    if bar.note:
        joined = f"{lines[-1]} · {bar.note}"
        if text_width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(bar.note)
    return lines


def bar_chart(
    bars: Sequence[Bar], goal: float, *, title: str, goal_label: str, chart_id: str
) -> Markup:
    """One horizontal bar per group (label above its bar), 95% CI bars and the goal line.

    Bars keep the order given, except that small samples (``css="small"``: too few
    responses to rank) come after all the others, greyed by their class: a district
    below the threshold never leads the chart.
    """
    bars = [b for b in bars if b.css != "small"] + [b for b in bars if b.css == "small"]
    left, right, top = 4.0, 70.0, 34.0  # right: room for "100.0" at ROOM
    bar_h, gap = 18.0, 12.0
    plot_w = WIDTH - left - right
    labels = [_bar_label(b, WIDTH - left - 2) for b in bars]
    rows = [
        len(lines) * LINE + 10 + bar_h + gap + (bar_h + 6 if b.model is not None else 0)
        for b, lines in zip(bars, labels, strict=True)
    ]
    height = top + sum(rows) + 6 if bars else top + LINE + bar_h + gap + 6
    values = _finite(
        *[v for b in bars for v in (b.value, b.low, b.high, b.model, b.model_low, b.model_high)]
    )
    lo, hi = _domain(values, goal)

    def x(v: float) -> float:
        return left + plot_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    out = _open(chart_id, height, title, "chart-bars")
    out.append(
        f'<text class="axis" x="{_f(left)}" y="{ROOM}">{int(lo)}</text>'
        f'<text class="axis" x="{_f(left + plot_w)}" y="{ROOM}" text-anchor="end">{int(hi)}</text>'
    )
    y0 = top
    gx = x(goal)
    for b, lines, row in zip(bars, labels, rows, strict=True):
        full = b.label + (" · " + b.note if b.note else "")
        tspans = "".join(
            f'<tspan x="{_f(left)}" y="{_f(y0 + ROOM + LINE * k)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        # the full name on hover (and for screen readers that read titles)
        out.append(f'<text class="bar-label"><title>{escape(full)}</title>{tspans}</text>')
        bar_y = y0 + len(lines) * LINE + 10  # below the last line's descenders
        # the goal line crosses the bars only, never a label
        out.append(
            f'<line class="goal" x1="{_f(gx)}" x2="{_f(gx)}" '
            f'y1="{_f(bar_y - 4)}" y2="{_f(bar_y + bar_h + 4)}"/>'
        )
        drawn = [(b.value, b.low, b.high, f"bar bar-{b.css}", bar_y)]
        if b.model is not None:
            drawn.append((b.model, b.model_low, b.model_high, "bar bar-model", bar_y + bar_h + 6))
        for value, low, high, css, y in drawn:
            if value is None or not math.isfinite(value):
                continue
            out.append(
                f'<rect class="{escape(css)}" x="{_f(left)}" y="{_f(y)}" '
                f'width="{_f(max(x(value) - left, 1))}" height="{_f(bar_h)}"/>'
                f'<text class="value" x="{_f(left + plot_w + 6)}" y="{_f(y + bar_h - 1)}">'
                f"{value:.1f}</text>"
            )
            if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
                yc = y + bar_h / 2
                out.append(
                    f'<path class="ci" d="M{_f(x(low))},{_f(yc)}H{_f(x(high))}'
                    f"M{_f(x(low))},{_f(yc - 6)}V{_f(yc + 6)}"
                    f'M{_f(x(high))},{_f(yc - 6)}V{_f(yc + 6)}"/>'
                )
        y0 += row
    out.append(
        f'<text class="goal-label" x="{_f(gx)}" y="{ROOM}" text-anchor="middle">'
        f"{escape(goal_label)}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class IpaPoint:
    """One dimension in the importance-performance matrix: ``number`` links the dot to
    its row in the table under the chart."""

    number: int
    label: str
    importance: float  # derived importance, a share 0..1
    score: float
    fix_first: bool


def ipa_chart(
    points: Sequence[IpaPoint],
    mean_importance: float,
    mean_score: float,
    *,
    title: str,
    x_label: str,
    y_label: str,
    fix_label: str,
    chart_id: str,
) -> Markup:
    """The importance-performance matrix: importance across, score up, split at the means.

    The quadrants are the analysis' own (:mod:`analysis.drivers`); the chart only draws
    them.  The "fix first" quadrant (important, scored low: bottom right) is shaded and
    named; its dimensions are squares in the warning colour, the others circles, so the
    difference never rests on colour alone.  Dots carry their table number, not their
    name: names at a readable size would not fit a phone.
    """
    left, right, top, bottom = 44.0, 12.0, 34.0, 58.0
    height = 300.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    pts = [p for p in points if math.isfinite(p.importance) and math.isfinite(p.score)]
    x_hi = max([p.importance for p in pts] + [mean_importance, 0.2]) * 1.1
    x_hi = math.ceil(x_hi * 10) / 10
    scores = [p.score for p in pts]
    lo, hi = _domain(scores or [mean_score], mean_score)

    def x(v: float) -> float:
        return left + plot_w * min(max(v, 0.0), x_hi) / x_hi

    def y(v: float) -> float:
        return top + plot_h * (hi - min(max(v, lo), hi)) / (hi - lo)

    mx, my = x(mean_importance), y(mean_score)
    bottom_y = top + plot_h
    out = _open(chart_id, height, title, "chart-ipa")
    out.append(
        f'<rect class="zone-fix" x="{_f(mx)}" y="{_f(my)}" '
        f'width="{_f(WIDTH - right - mx)}" height="{_f(bottom_y - my)}"/>'
        f'<rect class="frame" x="{_f(left)}" y="{_f(top)}" width="{_f(plot_w)}" '
        f'height="{_f(plot_h)}" fill="none"/>'
        f'<line class="quad" x1="{_f(mx)}" x2="{_f(mx)}" y1="{_f(top)}" y2="{_f(bottom_y)}"/>'
        f'<line class="quad" x1="{_f(left)}" x2="{_f(WIDTH - right)}" y1="{_f(my)}" y2="{_f(my)}"/>'
        f'<text class="zone-label" x="{_f(WIDTH - right - 4)}" y="{_f(bottom_y - 6)}" '
        f'text-anchor="end">{escape(fix_label)}</text>'
        # axes: score ticks on the left, importance ticks below, the two axis names
        f'<text class="axis" x="{_f(left - 4)}" y="{_f(top + 7)}" text-anchor="end">{int(hi)}</text>'
        f'<text class="axis" x="{_f(left - 4)}" y="{_f(bottom_y + 7)}" text-anchor="end">{int(lo)}</text>'
        f'<text class="axis" x="{_f(left)}" y="{_f(bottom_y + FONT + 4)}">0</text>'
        f'<text class="axis" x="{_f(WIDTH - right)}" y="{_f(bottom_y + FONT + 4)}" '
        f'text-anchor="end">{x_hi:.0%}</text>'
        f'<text class="axis-title" x="{_f(left + plot_w / 2)}" y="{_f(height - 6)}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
        f'<text class="axis-title" x="{_f(left)}" y="{FONT + 2}">{escape(y_label)}</text>'
    )
    placed: list[tuple[float, float]] = []
    for p in pts:
        px, py = x(p.importance), y(p.score)
        tip = f"<title>{p.number}. {escape(p.label)}: {p.score:.1f}, {p.importance:.0%}</title>"
        if p.fix_first:
            out.append(
                f'<rect class="ipa-dot ipa-fix" x="{_f(px - 6)}" y="{_f(py - 6)}" '
                f'width="12" height="12">{tip}</rect>'
            )
        else:
            out.append(f'<circle class="ipa-dot" cx="{_f(px)}" cy="{_f(py)}" r="6">{tip}</circle>')
        # the number beside its dot, moved down while it would sit on an earlier one
        lx = px + 9 if px < WIDTH - right - 30 else px - 9
        anchor = "start" if lx > px else "end"
        ly = py + 7
        while any(abs(lx - ox) < 24 and abs(ly - oy) < FONT for ox, oy in placed):
            ly += FONT
        placed.append((lx, ly))
        out.append(
            f'<text class="ipa-number" x="{_f(lx)}" y="{_f(ly)}" '
            f'text-anchor="{anchor}">{p.number}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
