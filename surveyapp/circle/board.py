"""What the circle's dashboard shows, from one :class:`~surveyapp.circle.coverage.
CircleReport`: coverage per district and type (with the city as a whole), the
communities missing a type, a coverage CSV, and the map and suggestions kept per report.

The report itself is cached by :mod:`surveyapp.circle.stored` until the communities or
the registry change; the map (a string of a few hundred kilobytes for 20,000
communities) and the greedy suggestions (a ball query per candidate site) are kept with
it here, so a page view never recomputes what the data have not changed.
"""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from reports.circle_map import MapLabels, missing_colour
from surveyapp import csv_safe
from surveyapp.circle.coverage import (
    CircleReport,
    Suggestion,
    coverage_map,
    map_selection,
    suggest_sites,
)

__all__ = [
    "DistrictRow",
    "MissingRow",
    "Overview",
    "coverage_csv",
    "kept_map",
    "kept_suggestion",
    "map_extent_km",
    "map_legend",
    "missing_rows",
    "overview",
]

T = TypeVar("T")
#: Derived outputs kept per process (maps and suggestions of recent reports)
_KEEP = 32


@dataclass(frozen=True)
class DistrictRow:
    """One district (or the whole city): residents, communities, and per type the
    population-weighted share covered (``None`` where nobody lives)."""

    district: str
    population: int
    communities: int
    shares: tuple[float | None, ...]


@dataclass(frozen=True)
class Overview:
    types: tuple[str, ...]
    districts: tuple[DistrictRow, ...]
    city: DistrictRow
    #: per type: communities lacking it and their residents
    missing: tuple[tuple[str, int, int], ...]
    radius_m: float
    distance: str
    facilities: int
    notes: tuple[str, ...]


def _share(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def overview(report: CircleReport) -> Overview:
    """Coverage per district and type, the city's row and the missing counts."""
    c = report.communities
    covered = report.result.covered
    counts = np.bincount(report.district_code, minlength=len(report.districts))
    rows = tuple(
        DistrictRow(
            name,
            int(report.district_population[k]),
            int(counts[k]),
            tuple(_share(s) for s in report.district_share[k]),
        )
        for k, name in enumerate(report.districts)
    )
    pop = c.population.astype(np.float64)
    total = float(pop.sum())
    city = DistrictRow(
        "",
        int(total),
        c.n,
        tuple(
            float(pop[covered[:, t]].sum() / total) if total > 0 else None
            for t in range(len(report.types))
        ),
    )
    missing = tuple(
        (t, int((~covered[:, k]).sum()), int(c.population[~covered[:, k]].sum()))
        for k, t in enumerate(report.types)
    )
    return Overview(
        report.types,
        rows,
        city,
        missing,
        report.result.radius_m,
        report.distance,
        report.facilities.n,
        report.notes,
    )


@dataclass(frozen=True)
class MissingRow:
    community: str
    district: str
    population: int
    #: metres to the nearest facility of the type (``None``: none, or beyond the
    #: radius on a network)
    nearest_m: float | None


def missing_rows(
    report: CircleReport, service_type: str, district: str | None = None
) -> list[MissingRow]:
    """The communities lacking ``service_type`` (of one district, or all), the most
    populous first: what a bureau acts on."""
    k = report.types.index(service_type)
    c = report.communities
    index = report.result.missing(service_type)
    if district:
        index = index[c.district[index] == district]
    order = index[np.argsort(-c.population[index], kind="stable")]
    nearest = report.result.nearest_m[:, k]
    return [
        MissingRow(
            str(c.name[i]),
            str(c.district[i]),
            int(c.population[i]),
            float(nearest[i]) if math.isfinite(nearest[i]) else None,
        )
        for i in order.tolist()
    ]


def coverage_csv(report: CircleReport) -> str:
    """Coverage per district and type as CSV: ``district``, ``population``,
    ``communities``, ``service_type``, ``coverage`` (0–1), ``covered_population``,
    ``radius_m``, ``distance`` — the city as a whole under ``district`` = ``(all)``."""
    view = overview(report)
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "district",
            "population",
            "communities",
            "service_type",
            "coverage",
            "covered_population",
            "radius_m",
            "distance",
        ]
    )
    for row in (*view.districts, view.city):
        for t, share in zip(view.types, row.shares, strict=True):
            writer.writerow(
                [
                    row.district or "(all)",
                    row.population,
                    row.communities,
                    t,
                    "" if share is None else f"{share:.4f}",
                    "" if share is None else round(share * row.population),
                    f"{view.radius_m:g}",
                    view.distance,
                ]
            )
    return out.getvalue()


class _Kept:
    """Values derived from a report, kept while the report is among the recent ones
    (the report is held too, so its id is not reused while the entry lives)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[CircleReport, Any]] = OrderedDict()

    def get(self, report: CircleReport, key: Hashable, make: Callable[[], T]) -> T:
        full = (id(report), key)
        with self._lock:
            hit = self._items.get(full)
            if hit is not None and hit[0] is report:
                self._items.move_to_end(full)
                return hit[1]  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._items[full] = (report, value)
            while len(self._items) > _KEEP:
                self._items.popitem(last=False)
        return value


_KEPT = _Kept()


def kept_map(report: CircleReport, labels: MapLabels, district: str | None = None) -> str:
    """The SVG map of the report, of one district or all (kept with it)."""
    return _KEPT.get(
        report, ("map", labels, district), lambda: coverage_map(report, labels, district)
    )


def kept_suggestion(report: CircleReport, service_type: str, k: int) -> Suggestion:
    """Where to add ``k`` facilities of ``service_type``, candidates the communities'
    own locations (kept with the report)."""
    return _KEPT.get(
        report, ("suggest", service_type, k), lambda: suggest_sites(report, service_type, k)
    )


def map_legend(report: CircleReport, district: str | None = None) -> list[tuple[int, str, int]]:
    """The map's colours as (types missing, colour, communities), for a legend drawn in
    the page at the page's text size (the SVG's own text is small on a phone)."""
    n_types = len(report.types)
    mine, _ = map_selection(report, district)
    counts = np.bincount(report.result.missing_count[mine], minlength=n_types + 1)
    return [(m, missing_colour(m, n_types), int(counts[m])) for m in range(n_types + 1)]


def map_extent_km(report: CircleReport, district: str | None = None) -> tuple[float, float]:
    """East–west and north–south extent of the map's communities and facilities, km."""
    mine, near = map_selection(report, district)
    c, f = report.communities, report.facilities
    lat = np.concatenate((c.lat[mine], f.lat[near]))
    lon = np.concatenate((c.lon[mine], f.lon[near]))
    if lat.size == 0:
        return 0.0, 0.0
    mid = math.radians(float((lat.max() + lat.min()) / 2))
    km_per_degree = 6371.0088 * math.pi / 180.0
    return (
        float(lon.max() - lon.min()) * math.cos(mid) * km_per_degree,
        float(lat.max() - lat.min()) * km_per_degree,
    )
