"""Server-rendered SVG charts: no script, no CDN, no inline style (the CSP forbids it).

Colours come from classes styled in ``static/css/dashboard.css``; geometry uses SVG
presentation attributes.  The view box is phone-sized (360 units wide) and the SVG
scales to its container, so text stays readable on a small screen.  Every chart has a
``<title>`` and the same numbers are in a table next to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "Point", "bar_chart", "trend_chart"]

WIDTH = 360


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


def _open(chart_id: str, height: float, title: str, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {_f(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]


def trend_chart(
    points: Sequence[Point], goal: float, *, title: str, goal_label: str, chart_id: str
) -> Markup:
    """The index over periods with 95% CI whiskers and the goal as a dashed line.

    Small samples are drawn hollow; a period without an estimate leaves a gap.
    """
    left, right, top, bottom = 34.0, 12.0, 12.0, 30.0
    height = 200.0
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
            f'<text class="axis" x="{_f(left - 4)}" y="{_f(y(tick) + 4)}" '
            f'text-anchor="end">{tick}</text>'
        )
    gy = y(goal)
    out.append(
        f'<line class="goal" x1="{_f(left)}" x2="{_f(WIDTH - right)}" y1="{_f(gy)}" y2="{_f(gy)}"/>'
        f'<text class="goal-label" x="{_f(WIDTH - right)}" y="{_f(gy - 4)}" '
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
        out.append(
            f'<text class="axis" x="{_f(x(i))}" y="{_f(height - 10)}" '
            f'text-anchor="middle">{escape(p.label)}</text>'
        )
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
            f'<circle class="{css}" cx="{_f(x(i))}" cy="{_f(y(p.value))}" r="4">'
            f"<title>{escape(p.label)}: {p.value:.1f}</title></circle>"
            f'<text class="value" x="{_f(x(i) + 6)}" y="{_f(y(p.value) - 6)}">{p.value:.1f}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(
    bars: Sequence[Bar], goal: float, *, title: str, goal_label: str, chart_id: str
) -> Markup:
    """One horizontal bar per group (label above its bar), 95% CI bars and the goal line."""
    left, right, top = 6.0, 44.0, 18.0
    row = 40.0
    height = top + row * max(len(bars), 1) + 6
    plot_w = WIDTH - left - right
    values = _finite(*[v for b in bars for v in (b.value, b.low, b.high)])
    lo, hi = _domain(values, goal)

    def x(v: float) -> float:
        return left + plot_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    out = _open(chart_id, height, title, "chart-bars")
    out.append(
        f'<text class="axis" x="{_f(left)}" y="12">{int(lo)}</text>'
        f'<text class="axis" x="{_f(WIDTH - right)}" y="12" text-anchor="end">{int(hi)}</text>'
    )
    for i, b in enumerate(bars):
        y0 = top + row * i
        label = escape(b.label) + (Markup(" · ") + escape(b.note) if b.note else "")
        out.append(f'<text class="bar-label" x="{_f(left)}" y="{_f(y0 + 12)}">{label}</text>')
        if b.value is None or not math.isfinite(b.value):
            continue
        out.append(
            f'<rect class="bar bar-{escape(b.css)}" x="{_f(left)}" y="{_f(y0 + 17)}" '
            f'width="{_f(max(x(b.value) - left, 1))}" height="14"/>'
            f'<text class="value" x="{_f(WIDTH - right + 4)}" y="{_f(y0 + 29)}">{b.value:.1f}</text>'
        )
        if (
            b.low is not None
            and b.high is not None
            and math.isfinite(b.low)
            and math.isfinite(b.high)
        ):
            yc = y0 + 24
            out.append(
                f'<path class="ci" d="M{_f(x(b.low))},{_f(yc)}H{_f(x(b.high))}'
                f"M{_f(x(b.low))},{_f(yc - 5)}V{_f(yc + 5)}"
                f'M{_f(x(b.high))},{_f(yc - 5)}V{_f(yc + 5)}"/>'
            )
    gx = x(goal)
    out.append(
        f'<line class="goal" x1="{_f(gx)}" x2="{_f(gx)}" y1="{_f(top - 2)}" y2="{_f(height - 4)}"/>'
        f'<text class="goal-label" x="{_f(gx)}" y="12" text-anchor="middle">{escape(goal_label)}</text>'
    )
    out.append("</svg>")
    return Markup("".join(out))
