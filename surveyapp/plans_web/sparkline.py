"""A small inline SVG of an indicator's values over periods against its line.

The line runs from the baseline (value, date) to the target (value, deadline), dashed;
without a baseline only the target is drawn, as a dashed level.  Each value sits at
its period's last day.  Nothing is fetched or scripted: the SVG is part of the page,
with a text alternative (``<title>``) that lists the values, for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

from surveyapp.plans import Indicator, SeriesPoint

__all__ = ["sparkline"]

WIDTH, HEIGHT, PAD = 120.0, 36.0, 3.0


def sparkline(
    indicator: Indicator,
    points: Sequence[SeriesPoint],
    *,
    label: str,
    number: Callable[[float], str],
) -> Markup:
    """The SVG; ``label`` names it (the indicator), ``number`` formats a value."""
    days: list[date] = [p.day for p in points] + [indicator.deadline]
    values = [p.value for p in points] + [indicator.target]
    if indicator.baseline is not None and indicator.baseline_date is not None:
        days.append(indicator.baseline_date)
        values.append(indicator.baseline)
    d0, d1 = min(days), max(days)
    lo, hi = min(values), max(values)
    span_days = max((d1 - d0).days, 1)
    span_values = (hi - lo) or 1.0

    def x(day: date) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (day - d0).days / span_days, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - lo) / span_values, 1)

    parts = []
    if indicator.baseline is not None and indicator.baseline_date is not None:
        parts.append(
            f'<line class="plan-spark-line" x1="{x(indicator.baseline_date)}" '
            f'y1="{y(indicator.baseline)}" x2="{x(indicator.deadline)}" '
            f'y2="{y(indicator.target)}" stroke="#6b7280" stroke-width="1" '
            'stroke-dasharray="3 2"/>'
        )
    else:
        parts.append(
            f'<line class="plan-spark-target" x1="{PAD}" y1="{y(indicator.target)}" '
            f'x2="{WIDTH - PAD}" y2="{y(indicator.target)}" stroke="#6b7280" '
            'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    coords = [(x(p.day), y(p.value)) for p in points]
    if len(coords) > 1:
        path = " ".join(f"{a},{b}" for a, b in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f4e79" stroke-width="1.5"/>')
    parts += [f'<circle cx="{a}" cy="{b}" r="2" fill="#1f4e79"/>' for a, b in coords]
    said = "; ".join(f"{p.period} {number(p.value)}" for p in points) or "—"
    title = escape(f"{label}: {said}")
    return Markup(
        f'<svg class="plan-spark" role="img" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'width="{WIDTH:g}" height="{HEIGHT:g}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{title}</title>{''.join(parts)}</svg>"
    )
