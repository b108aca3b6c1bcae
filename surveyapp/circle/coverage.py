"""The 15-minute circle from files: coverage, the spec's JSON, the missing list, the
map and where to add next.

The arithmetic is :mod:`analysis.circle` (and :mod:`reports.circle_map` for the map);
this module puts the read files (:mod:`surveyapp.circle.files`) through it and names
rows, districts and notes.  Every output says which distance it used
(``"straight-line"`` or ``"network"``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.circle import (
    EARTH_RADIUS_M,
    JOIN_LIMIT_M,
    CircleResult,
    DistanceKind,
    build_network,
    choose_sites,
    circle_coverage,
    district_coverage,
)
from reports.circle_map import MapLabels, circle_map_svg
from surveyapp import csv_safe
from surveyapp.circle.files import Communities, Facilities, NetworkLines, Sites

__all__ = [
    "CircleReport",
    "Suggestion",
    "compute_coverage",
    "coverage_json",
    "coverage_map",
    "map_selection",
    "missing_csv",
    "suggest_sites",
    "suggestions_json",
]

#: Communities or facilities named one by one in a note, at the most
_NOTE_NAMES = 20


@dataclass(frozen=True)
class CircleReport:
    """Coverage of the communities of C.csv by the facilities of F.csv."""

    communities: Communities
    facilities: Facilities
    result: CircleResult
    districts: tuple[str, ...]
    district_code: np.ndarray
    district_population: np.ndarray
    #: ``district_share[k, t]``: population-weighted share covered (NaN: no population)
    district_share: np.ndarray
    notes: tuple[str, ...]

    @property
    def types(self) -> tuple[str, ...]:
        return self.result.types

    @property
    def distance(self) -> DistanceKind:
        return self.result.distance


def _types(
    facilities: Facilities, wanted: Sequence[str] | None
) -> tuple[tuple[str, ...], list[str]]:
    """The reported types (``wanted``, else F.csv's in order of appearance) and notes."""
    present: dict[str, int] = {}
    for types in facilities.types:
        for t in types:
            present[t] = present.get(t, 0) + 1
    if not wanted:
        return tuple(present), []
    chosen = tuple(dict.fromkeys(wanted))
    notes = [
        f"{facilities.file}: no facility of type {t!r}: every community lacks it"
        for t in chosen
        if t not in present
    ]
    left = [f"{t} ({n})" for t, n in present.items() if t not in chosen]
    if left:
        notes.append(f"{facilities.file}: types not reported (not in --types): {', '.join(left)}")
    return chosen, notes


def _named(places: Any, index: np.ndarray, legs: np.ndarray | None = None) -> str:
    """``row 5 '名字' (350 m)``, … for up to :data:`_NOTE_NAMES` of ``index``."""
    parts = []
    for i in index[:_NOTE_NAMES].tolist():
        far = f" ({legs[i]:,.0f} m)" if legs is not None else ""
        parts.append(f"row {int(places.rows[i])} {places.name[i]!r}{far}")
    more = f", and {index.size - _NOTE_NAMES} more" if index.size > _NOTE_NAMES else ""
    return ", ".join(parts) + more


def _off_network_notes(
    report_c: Communities,
    report_f: Facilities,
    result: CircleResult,
    entry: np.ndarray,
    network: NetworkLines,
) -> list[str]:
    notes: list[str] = []
    cj, fj = result.community_join, result.facility_join
    if cj is None or fj is None:
        return notes
    off_c = np.flatnonzero(~cj.on)
    if off_c.size:
        notes.append(
            f"{report_c.file}: {off_c.size} communit{'y is' if off_c.size == 1 else 'ies are'} "
            f"farther than {JOIN_LIMIT_M:g} m from every node of {network.file}: "
            f"straight-line distance used for {'it' if off_c.size == 1 else 'them'}: "
            + _named(report_c, off_c)
        )
    off_f = np.unique(entry[~fj.on])
    if off_f.size:
        notes.append(
            f"{report_f.file}: {off_f.size} facilit{'y is' if off_f.size == 1 else 'ies are'} "
            f"farther than {JOIN_LIMIT_M:g} m from every node of {network.file}: "
            f"straight-line distance used for {'it' if off_f.size == 1 else 'them'}: "
            + _named(report_f, off_f)
        )
    return notes


def compute_coverage(
    communities: Communities,
    facilities: Facilities,
    *,
    radius_m: float = 1000.0,
    network: NetworkLines | None = None,
    types: Sequence[str] | None = None,
) -> CircleReport:
    """Coverage per community and type, and per district (population-weighted)."""
    chosen, notes = _types(facilities, types)
    code = {t: k for k, t in enumerate(chosen)}
    entry = np.asarray(
        [i for i, ts in enumerate(facilities.types) for t in ts if t in code], dtype=np.intp
    )
    entry_type = np.asarray(
        [code[t] for ts in facilities.types for t in ts if t in code], dtype=np.intp
    )
    walk = None
    if network is not None:
        walk = build_network(network.lat, network.lon, network.line_starts)
        if network.ignored:
            notes.append(f"{network.file}: {network.ignored} feature(s) that are not lines ignored")
    result = circle_coverage(
        communities.lat,
        communities.lon,
        facilities.lat[entry],
        facilities.lon[entry],
        entry_type,
        chosen,
        radius_m,
        walk,
    )
    if network is not None:
        notes += _off_network_notes(communities, facilities, result, entry, network)
    names, district_code = np.unique(communities.district.astype(str), return_inverse=True)
    # districts in order of first appearance in C.csv
    first = np.full(names.size, communities.n)
    np.minimum.at(first, district_code, np.arange(communities.n))
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    district_code = rank[district_code]
    population, share = district_coverage(
        result.covered, communities.population, district_code, names.size
    )
    for source in (communities, facilities):
        if source.ignored:
            notes.insert(0, f"{source.file}: columns ignored: {', '.join(source.ignored)}")
    return CircleReport(
        communities,
        facilities,
        result,
        tuple(str(names[k]) for k in order),
        district_code,
        population,
        share,
        tuple(notes),
    )


def _number(x: float, digits: int) -> float | int | None:
    if not math.isfinite(x):
        return None
    value = round(float(x), digits)
    return int(value) if digits == 0 else value


def coverage_json(report: CircleReport) -> dict[str, Any]:
    """The spec's JSON of ``surveyapp circle coverage`` (nearest_m to 0.1 m, coverage to
    4 decimals; ``null`` where there is no number)."""
    types = report.types
    result = report.result
    radius = result.radius_m
    communities = []
    for i in range(report.communities.n):
        communities.append(
            {
                "community": str(report.communities.name[i]),
                "covered": {t: bool(result.covered[i, k]) for k, t in enumerate(types)},
                "nearest_m": {t: _number(result.nearest_m[i, k], 1) for k, t in enumerate(types)},
            }
        )
    districts = [
        {
            "district": name,
            "population": int(report.district_population[k]),
            "coverage": {t: _number(report.district_share[k, j], 4) for j, t in enumerate(types)},
        }
        for k, name in enumerate(report.districts)
    ]
    return {
        "radius_m": int(radius) if radius == int(radius) else radius,
        "distance": result.distance,
        "types": list(types),
        "communities": communities,
        "districts": districts,
    }


def missing_csv(report: CircleReport) -> str:
    """The communities missing each type, one row a (type, community), as CSV text
    (cells made safe for spreadsheets)."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["service_type", "district", "community", "population", "nearest_m", "distance", "row"]
    )
    c = report.communities
    for t in report.types:
        k = report.types.index(t)
        for i in report.result.missing(t).tolist():
            nearest = _number(report.result.nearest_m[i, k], 1)
            writer.writerow(
                [
                    t,
                    str(c.district[i]),
                    str(c.name[i]),
                    int(c.population[i]),
                    "" if nearest is None else nearest,
                    report.distance,
                    int(c.rows[i]),
                ]
            )
    return out.getvalue()


@dataclass(frozen=True)
class Suggestion:
    """The sites chosen for one type, greedy (see :func:`analysis.circle.choose_sites`)."""

    service_type: str
    radius_m: float
    candidates: str
    sites: tuple[dict[str, Any], ...]
    uncovered_population: int


def suggest_sites(
    report: CircleReport, service_type: str, k: int, candidates: Sites | None = None
) -> Suggestion:
    """Where to add ``k`` facilities of ``service_type``: greedy maximal coverage of the
    population not covered now, from the candidate sites (default: the communities'
    own locations).  Distances here are straight-line."""
    if service_type not in report.types:
        raise ValueError(
            f"--suggest: {service_type!r} is not a reported type ({', '.join(report.types)})"
        )
    c = report.communities
    covered = report.result.covered[:, report.types.index(service_type)]
    places: Any = candidates if candidates is not None else c
    chosen = choose_sites(
        places.lat, places.lon, c.lat, c.lon, c.population, covered, report.result.radius_m, k
    )
    sites = []
    for choice in chosen:
        j = choice.candidate
        sites.append(
            {
                "site": str(places.name[j]),
                "row": int(places.rows[j]),
                "lat": round(float(places.lat[j]), 6),
                "lon": round(float(places.lon[j]), 6),
                "population": int(round(choice.population)),
                "communities": [str(c.name[i]) for i in choice.communities.tolist()],
            }
        )
    return Suggestion(
        service_type,
        report.result.radius_m,
        candidates.file if candidates is not None else "communities",
        tuple(sites),
        int(c.population[~covered].sum()),
    )


def suggestions_json(s: Suggestion) -> dict[str, Any]:
    return {
        "service_type": s.service_type,
        "distance": "straight-line",
        "radius_m": int(s.radius_m) if s.radius_m == int(s.radius_m) else s.radius_m,
        "candidates": s.candidates,
        "uncovered_population": s.uncovered_population,
        "sites": list(s.sites),
    }


def coverage_map(
    report: CircleReport, labels: MapLabels | None = None, district: str | None = None
) -> str:
    """The SVG map: communities coloured by the number of types they lack.  With
    ``district``, its communities only and the facilities around them (within the
    radius of their bounding box)."""
    c, f = report.communities, report.facilities
    mine, near = map_selection(report, district)
    missing = report.result.missing_count[mine]
    titles = []
    for i in mine.tolist():
        lacking = [t for k, t in enumerate(report.types) if not report.result.covered[i, k]]
        titles.append(f"{c.district[i]} {c.name[i]}: " + ("、".join(lacking) if lacking else "—"))
    return circle_map_svg(
        c.lat[mine],
        c.lon[mine],
        missing,
        len(report.types),
        f.lat[near],
        f.lon[near],
        titles=titles,
        labels=labels,
    )


def map_selection(report: CircleReport, district: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the communities (of ``district``, or all) and of the facilities a map
    of them shows (those within the radius of the communities' bounding box)."""
    c, f = report.communities, report.facilities
    if district is None:
        return np.arange(c.n), np.arange(f.n)
    mine = np.flatnonzero(c.district == district)
    if mine.size == 0:
        return mine, np.zeros(0, dtype=np.intp)
    lat, lon = c.lat[mine], c.lon[mine]
    pad = report.result.radius_m / (EARTH_RADIUS_M * math.pi / 180.0)
    pad_lon = pad / max(math.cos(math.radians(float(lat.mean()))), 1e-6)
    near = np.flatnonzero(
        (f.lat >= lat.min() - pad)
        & (f.lat <= lat.max() + pad)
        & (f.lon >= lon.min() - pad_lon)
        & (f.lon <= lon.max() + pad_lon)
    )
    return mine, near
