"""An SVG map of the 15-minute circle drawn from the coordinates themselves.

No tile server and no internet: the communities and facilities are placed by an
equirectangular projection centred on the data (x = longitude × cos of the mid
latitude, y = latitude, both scaled to the picture), which keeps distances true to
within a fraction of a percent over a city.  Facilities are small grey dots under the
communities; a community is a disc coloured by how many service types it lacks (green:
none, through yellow, to red: all), with its name and missing types on hover
(``<title>``).  A legend gives the colours with the number of communities in each, and
a scale bar the metres.  Labels are arguments: the caller supplies them in the reader's
language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

__all__ = ["MapLabels", "circle_map_svg", "missing_colour"]

_GREEN, _YELLOW, _RED = (26, 152, 80), (254, 224, 139), (215, 48, 39)
_MARGIN = 16
#: Legend entries: horizontal step and row height (px)
_LEGEND_STEP = 96
_LEGEND_ROW = 22
_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0


@dataclass(frozen=True)
class MapLabels:
    """The texts of the map (the caller's language)."""

    title: str = "15-minute circle"
    legend: str = "missing service types"
    facilities: str = "facility"
    distance: str = "straight-line distance"


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], f: float) -> str:
    r, g, bl = (round(x + (y - x) * f) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def missing_colour(missing: int, n_types: int) -> str:
    """Green for none missing, yellow half-way, red when every type is missing."""
    if n_types <= 0 or missing <= 0:
        return _mix(_GREEN, _GREEN, 0.0)
    f = min(missing / n_types, 1.0)
    return _mix(_GREEN, _YELLOW, f * 2) if f <= 0.5 else _mix(_YELLOW, _RED, (f - 0.5) * 2)


def _nice_metres(span_m: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ m) of about a fifth of the span."""
    target = max(span_m / 5.0, 1.0)
    power = 10.0 ** math.floor(math.log10(target))
    return next(f * power for f in (5.0, 2.0, 1.0) if f * power <= target)


def circle_map_svg(
    community_lat: Sequence[float] | np.ndarray,
    community_lon: Sequence[float] | np.ndarray,
    missing: Sequence[int] | np.ndarray,
    n_types: int,
    facility_lat: Sequence[float] | np.ndarray,
    facility_lon: Sequence[float] | np.ndarray,
    *,
    titles: Sequence[str] | None = None,
    labels: MapLabels | None = None,
    width: int = 800,
) -> str:
    """The map as SVG text (a complete document).

    Parameters
    ----------
    community_lat, community_lon, missing : array_like
        Communities (degrees) and how many of the ``n_types`` types each lacks.
    facility_lat, facility_lon : array_like
        Facilities (degrees), drawn as dots.
    titles : sequence of str, optional
        Each community's hover text (e.g. its name and missing types).
    """
    labels = labels or MapLabels()
    clat = np.asarray(community_lat, dtype=float).reshape(-1)
    clon = np.asarray(community_lon, dtype=float).reshape(-1)
    miss = np.asarray(missing, dtype=int).reshape(-1)
    flat = np.asarray(facility_lat, dtype=float).reshape(-1)
    flon = np.asarray(facility_lon, dtype=float).reshape(-1)
    if not (clat.size == clon.size == miss.size) or flat.size != flon.size:
        raise ValueError("each point needs a latitude, a longitude (and a missing count)")
    if titles is not None and len(titles) != clat.size:
        raise ValueError("titles must give one text per community")
    lat_all = np.concatenate((clat, flat))
    lon_all = np.concatenate((clon, flon))
    if lat_all.size == 0:
        lat_all, lon_all = np.zeros(1), np.zeros(1)
    mid = math.radians(float(lat_all.min() + lat_all.max()) / 2.0)
    kx = max(math.cos(mid), 1e-6)
    x0, x1 = float(lon_all.min()) * kx, float(lon_all.max()) * kx
    y0, y1 = float(lat_all.min()), float(lat_all.max())
    span = max(x1 - x0, y1 - y0, 1e-6)
    inner = width - 2 * _MARGIN
    scale = inner / span
    map_h = max((y1 - y0) * scale, 1.0)
    top = round(_MARGIN + 24 + map_h + 16)  # the legend's first line
    per_row = max(inner // _LEGEND_STEP, 1)
    rows = -(-(n_types + 1) // per_row)
    bar = top + 20 + rows * _LEGEND_ROW + 8  # the scale bar's line
    height = bar + 8 + _MARGIN

    def xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = _MARGIN + (lon * kx - x0) * scale
        y = _MARGIN + 24 + (y1 - lat) * scale
        return np.round(x, 1), np.round(y, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(labels.title)}" '
        'font-family="sans-serif" font-size="13">',
        f"<title>{escape(labels.title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_MARGIN}" y="{_MARGIN + 6}" font-size="15">{escape(labels.title)}'
        f" ({escape(labels.distance)})</text>",
    ]
    fx, fy = xy(flat, flon)
    # named by a <title> child (an aria-label on a <g> is not allowed without a role)
    out.append(f'<g fill="#555555"><title>{escape(labels.facilities)}</title>')
    out.extend(f'<circle cx="{x:g}" cy="{y:g}" r="1.3"/>' for x, y in zip(fx, fy, strict=True))
    out.append("</g>")
    cx, cy = xy(clat, clon)
    out.append('<g stroke="#333333" stroke-width="0.6">')
    for i, (x, y) in enumerate(zip(cx, cy, strict=True)):
        colour = missing_colour(int(miss[i]), n_types)
        title = f"<title>{escape(titles[i])}</title>" if titles is not None else ""
        out.append(f'<circle cx="{x:g}" cy="{y:g}" r="4.5" fill="{colour}">{title}</circle>')
    out.append("</g>")
    out.extend(_legend(miss, n_types, labels.legend, top, per_row))
    out.extend(_scale_bar(_METRES_PER_DEGREE / scale, width, bar))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(miss: np.ndarray, n_types: int, title: str, top: int, per_row: int) -> list[str]:
    """A box per number of missing types (0 … n_types) with its count of communities,
    :data:`_LEGEND_STEP` apart, ``per_row`` to a row."""
    counts = np.bincount(np.clip(miss, 0, max(n_types, 0)), minlength=n_types + 1)
    out = [f'<text x="{_MARGIN}" y="{top + 12}">{escape(title)}</text>']
    for m in range(n_types + 1):
        x = _MARGIN + (m % per_row) * _LEGEND_STEP
        y = top + 20 + (m // per_row) * _LEGEND_ROW
        out.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" '
            f'fill="{missing_colour(m, n_types)}" stroke="#333333" stroke-width="0.6"/>'
            f'<text x="{x + 18}" y="{y + 12}">{m} ({int(counts[m])})</text>'
        )
    return out


def _scale_bar(metres_per_px: float, width: int, y: int) -> list[str]:
    """A bar of a round number of metres (about a fifth of the map's width), right
    aligned under the legend, its length written above its right end."""
    inner = width - 2 * _MARGIN
    metres = _nice_metres(inner * metres_per_px)
    length = metres / metres_per_px
    x1 = width - _MARGIN
    x0 = x1 - length
    text = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return [
        f'<g stroke="#333333" stroke-width="2"><line x1="{x0:.1f}" y1="{y}" '
        f'x2="{x1:.1f}" y2="{y}"/></g>',
        f'<text x="{x1:.1f}" y="{y - 5}" text-anchor="end">{text}</text>',
    ]
