"""Reading the files of ``surveyapp circle coverage``: communities, facilities, candidate
sites (CSV) and a walking network (GeoJSON).

CSV columns (order free; a header is matched without case or surrounding spaces, under
its English name or the Chinese alias; other columns are ignored and named in a note):

===============  =========  ==========================================================
column           alias      meaning
===============  =========  ==========================================================
community        社区       C.csv: the community's name (小区/社区), required
district         区县       C.csv: district, required
population       人口       C.csv: residents, a whole number ≥ 0, required
facility         设施       F.csv: the facility's name, required
service_type     服务类型   F.csv: its service type; several separated by ``;``
site             地点       candidate sites (``--candidates``): a name, required
lat, lon         纬度, 经度 degrees, required
crs              坐标系     ``WGS84`` (default) or ``GCJ02`` (Chinese web maps):
                            converted to WGS-84 with :func:`surveyapp.providers.coords.
                            gcj02_to_wgs84_array` (whole columns)
===============  =========  ==========================================================

A file is UTF-8 (with or without a byte-order mark) or GBK/GB18030, read by the one CSV
reader (:func:`surveyapp.csvtable.read_table`), so rows are numbered as a spreadsheet
shows them (the header is row 1).  Every problem of a file is collected, each with its
row and its column as the file names it, and raised together as
:class:`~surveyapp.responses.importer.ImportFailed`.

The walking network is GeoJSON (RFC 7946, so WGS-84 longitude, latitude): a
FeatureCollection, a Feature or a bare geometry; every LineString and MultiLineString is
a polyline of the network, other geometries are ignored (counted in a note).  Its
problems name the JSON path (``features[3].geometry.coordinates[1]``), or the line and
column of a syntax error.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from surveyapp.csv_safe import restore_cell
from surveyapp.csvtable import InputError, Table, read_table
from surveyapp.providers.coords import gcj02_to_wgs84_array
from surveyapp.providers.registry_file import detect_encoding
from surveyapp.responses.importer import ImportFailed, ImportProblem

__all__ = [
    "Communities",
    "Facilities",
    "NetworkLines",
    "Sites",
    "read_communities",
    "read_facilities",
    "read_network",
    "read_sites",
]

ALIASES: dict[str, str] = {
    "community": "社区",
    "district": "区县",
    "population": "人口",
    "facility": "设施",
    "service_type": "服务类型",
    "site": "地点",
    "lat": "纬度",
    "lon": "经度",
    "crs": "坐标系",
}
_CRS = ("WGS84", "GCJ02")
_LIST_SEPARATOR = re.compile(r"[;；]")
_TEXT_MAX = 200


@dataclass(frozen=True)
class _Places:
    """Named points of a CSV file, WGS-84; ``rows`` are the file's own row numbers."""

    file: str
    rows: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    #: Columns of the file that are not read (as the file names them)
    ignored: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.rows.shape[0])


@dataclass(frozen=True)
class Communities(_Places):
    """C.csv: ``name`` is the community column."""

    district: np.ndarray
    population: np.ndarray


@dataclass(frozen=True)
class Facilities(_Places):
    """F.csv: each facility with its service types (``types[i]``, in the file's order)."""

    types: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Sites(_Places):
    """Candidate sites for new facilities (``name`` is the site column)."""


def _clip(text: str) -> str:
    """A cell as a problem quotes it: its first 40 characters (a megabyte-long cell is
    not repeated in the message)."""
    return text if len(text) <= 40 else text[:40] + "…"


class _Checker:
    """One CSV file's columns, read and checked column-wise; problems are collected."""

    def __init__(self, table: Table, required: tuple[str, ...]):
        self.table = table
        self.problems: list[ImportProblem] = []
        self.columns: dict[str, str] = {}  # known column -> the file's header
        names = {**{c: c for c in ALIASES}, **{zh: c for c, zh in ALIASES.items()}}
        wanted = (*required, "crs")
        ignored = []
        for h in table.header:
            column = names.get(h) or names.get(h.lower())
            if column is None or column not in wanted:
                ignored.append(h)
            elif column in self.columns:
                self.problem(1, h, f"is the same column as {self.columns[column]!r} ({column})")
            else:
                self.columns[column] = h
        self.ignored = tuple(ignored)
        for column in required:
            if column not in self.columns:
                self.problem(1, column, f"the column is missing (or {ALIASES[column]})")
        if not self.problems and table.n == 0:
            self.problem(2, "", "the file has no data rows")

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, self.columns.get(column, column), message))

    def _distinct(self, column: str) -> tuple[np.ndarray, list[str]]:
        codes, values = self.table.codes(self.columns[column])
        return codes, [restore_cell(str(v)).strip() for v in values]

    def _each_bad(self, codes: np.ndarray, bad: dict[int, str], column: str) -> None:
        """A problem for every row whose value (by its code) is in ``bad``."""
        if not bad:
            return
        rows = self.table.rows
        for i in np.flatnonzero(np.isin(codes, list(bad))).tolist():
            self.problem(int(rows[i]), column, bad[int(codes[i])])

    def text(self, column: str) -> np.ndarray:
        """A required text column (stripped; a formula-quote of our exports taken off)."""
        codes, values = self._distinct(column)
        bad = {}
        for k, v in enumerate(values):
            if not v:
                bad[k] = "is empty"
            elif len(v) > _TEXT_MAX:
                bad[k] = f"longer than {_TEXT_MAX} characters"
            elif "\x00" in v:
                bad[k] = "holds a NUL character (a binary file?)"
        self._each_bad(codes, bad, column)
        return np.asarray(values, dtype=object)[codes]

    def number(self, column: str, check: Callable[[str, float], str | None]) -> np.ndarray:
        """A numeric column; ``check(text, value)`` returns a problem text or ``None``."""
        codes, values = self._distinct(column)
        parsed = np.full(len(values), np.nan)
        bad = {}
        for k, v in enumerate(values):
            try:
                x = float(v)
            except ValueError:
                bad[k] = "is empty" if not v else f"{_clip(v)!r} is not a number"
                continue
            wrong = check(v, x)
            if wrong is None:
                parsed[k] = x
            else:
                bad[k] = wrong
        self._each_bad(codes, bad, column)
        return parsed[codes]

    def coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """``lat``, ``lon`` in WGS-84 (GCJ-02 rows converted)."""

        def degrees(limit: float, column: str) -> Callable[[str, float], str | None]:
            def check(text: str, x: float) -> str | None:
                if math.isfinite(x) and abs(x) <= limit:
                    return None
                swapped = column == "lat" and math.isfinite(x) and abs(x) <= 180
                hint = " (are lat and lon swapped?)" if swapped else ""
                return f"{_clip(text)} is outside -{limit:g}..{limit:g}{hint}"

            return check

        lat = self.number("lat", degrees(90.0, "lat"))
        lon = self.number("lon", degrees(180.0, "lon"))
        if "crs" not in self.columns:
            return lat, lon
        codes, values = self._distinct("crs")
        kinds = [
            v.upper().replace("-", "").replace(" ", "").replace("_", "") or "WGS84" for v in values
        ]
        bad = {
            k: f"{_clip(values[k])!r} is not WGS84 or GCJ02"
            for k, c in enumerate(kinds)
            if c not in _CRS
        }
        self._each_bad(codes, bad, "crs")
        gcj = [k for k, c in enumerate(kinds) if c == "GCJ02"]
        rows = np.isin(codes, gcj) & np.isfinite(lat) & np.isfinite(lon)
        lat[rows], lon[rows] = gcj02_to_wgs84_array(lat[rows], lon[rows])
        return lat, lon

    def repeats(self, keys: list[tuple[str, ...]], column: str, what: str) -> None:
        """A problem for each row whose key was seen on an earlier row."""
        first: dict[tuple[str, ...], int] = {}
        for row, key in zip(self.table.rows.tolist(), keys, strict=True):
            earlier = first.setdefault(key, row)
            if earlier != row:
                self.problem(row, column, f"{what} repeats row {earlier}")


def _raw(path: str | os.PathLike[str], file: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ImportFailed(
            file, [ImportProblem(None, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from None


def _table(path: str | os.PathLike[str], name: str | None) -> Table:
    file = name or os.fspath(path)
    raw = _raw(path, file)
    try:
        return read_table(raw, encoding=detect_encoding(raw), name=file)
    except InputError as exc:
        row = 1 if exc.row == "header" else exc.row if isinstance(exc.row, int) else None
        message = exc.message
        if message.startswith("not valid"):
            message = "not UTF-8 or GBK/GB18030 text from here on"
        raise ImportFailed(file, [ImportProblem(row, exc.column or "", message)]) from None


def _checked(path: str | os.PathLike[str], name: str | None, required: tuple[str, ...]):
    table = _table(path, name)
    checker = _Checker(table, required)
    if checker.problems:
        raise ImportFailed(table.name, checker.problems)
    return table, checker


def _whole_population(text: str, x: float) -> str | None:
    if math.isfinite(x) and x >= 0 and x == int(x) and x < 1e12:
        return None
    return f"{_clip(text)!r} is not a whole number of residents (0 or more)"


def read_communities(path: str | os.PathLike[str], *, name: str | None = None) -> Communities:
    """C.csv: ``community``, ``district``, ``population``, ``lat``, ``lon`` [, ``crs``].

    A community named twice in one district is refused (the second row is named)."""
    table, checker = _checked(path, name, ("community", "district", "population", "lat", "lon"))
    community = checker.text("community")
    district = checker.text("district")
    population = checker.number("population", _whole_population)
    lat, lon = checker.coordinates()
    checker.repeats(
        list(zip(district.tolist(), community.tolist(), strict=True)),
        "community",
        "the same community of the same district",
    )
    if checker.problems:
        raise ImportFailed(table.name, checker.problems)
    return Communities(
        table.name,
        table.rows,
        community,
        lat,
        lon,
        checker.ignored,
        district,
        population.astype(np.int64),
    )


def read_facilities(path: str | os.PathLike[str], *, name: str | None = None) -> Facilities:
    """F.csv: ``facility``, ``service_type`` (``;``-separated), ``lat``, ``lon`` [, ``crs``]."""
    table, checker = _checked(path, name, ("facility", "service_type", "lat", "lon"))
    facility = checker.text("facility")
    codes, values = checker._distinct("service_type")
    split = []
    bad = {}
    for k, v in enumerate(values):
        parts = tuple(dict.fromkeys(p.strip() for p in _LIST_SEPARATOR.split(v) if p.strip()))
        if not parts:
            bad[k] = "is empty"
        elif any(len(p) > _TEXT_MAX for p in parts):
            bad[k] = f"a type longer than {_TEXT_MAX} characters"
        split.append(parts)
    checker._each_bad(codes, bad, "service_type")
    lat, lon = checker.coordinates()
    if checker.problems:
        raise ImportFailed(table.name, checker.problems)
    types = tuple(split[c] for c in codes.tolist())
    return Facilities(table.name, table.rows, facility, lat, lon, checker.ignored, types)


def read_sites(path: str | os.PathLike[str], *, name: str | None = None) -> Sites:
    """Candidate sites: ``site``, ``lat``, ``lon`` [, ``crs``]."""
    table, checker = _checked(path, name, ("site", "lat", "lon"))
    site = checker.text("site")
    lat, lon = checker.coordinates()
    if checker.problems:
        raise ImportFailed(table.name, checker.problems)
    return Sites(table.name, table.rows, site, lat, lon, checker.ignored)


@dataclass(frozen=True)
class NetworkLines:
    """Polylines of a walking network as one run of vertices (see
    :func:`analysis.circle.build_network`), with the number of features ignored."""

    file: str
    lat: np.ndarray
    lon: np.ndarray
    line_starts: np.ndarray
    ignored: int

    @property
    def n_lines(self) -> int:
        return int(self.line_starts.shape[0] - 1)


class _Lines:
    def __init__(self, file: str):
        self.file = file
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.starts: list[int] = [0]
        self.ignored = 0
        self.problems: list[ImportProblem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(ImportProblem(None, "", f"{where}: {message}"))

    def geometry(self, geometry: Any, where: str) -> None:
        if geometry is None:
            self.ignored += 1
            return
        if not isinstance(geometry, dict):
            self.problem(where, "a geometry must be an object")
            return
        kind = geometry.get("type")
        if kind == "GeometryCollection":
            members = geometry.get("geometries")
            if not isinstance(members, list):
                self.problem(f"{where}.geometries", "must be a list")
                return
            for j, member in enumerate(members):
                self.geometry(member, f"{where}.geometries[{j}]")
            return
        coordinates = geometry.get("coordinates")
        if kind == "LineString":
            self.line(coordinates, f"{where}.coordinates")
        elif kind == "MultiLineString":
            if not isinstance(coordinates, list):
                self.problem(f"{where}.coordinates", "must be a list of lines")
                return
            for j, line in enumerate(coordinates):
                self.line(line, f"{where}.coordinates[{j}]")
        elif isinstance(kind, str):
            self.ignored += 1
        else:
            self.problem(f"{where}.type", "missing: a geometry needs a type")

    def line(self, coordinates: Any, where: str) -> None:
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            self.problem(where, "a line needs a list of at least two positions")
            return
        good = True
        lat, lon = [], []
        for j, position in enumerate(coordinates):
            point = _position(position)
            if isinstance(point, str):
                self.problem(f"{where}[{j}]", point)
                good = False
            else:
                lon.append(point[0])
                lat.append(point[1])
        if good:
            self.lat.extend(lat)
            self.lon.extend(lon)
            self.starts.append(len(self.lat))


def _position(position: Any) -> tuple[float, float] | str:
    """``[lon, lat]`` (an altitude after them is allowed), or the problem with it."""
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
    ):
        return "a position must be [longitude, latitude] in degrees"
    lon, lat = float(position[0]), float(position[1])
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        return f"longitude {position[0]} is outside -180..180"
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        return f"latitude {position[1]} is outside -90..90 (GeoJSON gives longitude first)"
    return lon, lat


def read_network(path: str | os.PathLike[str], *, name: str | None = None) -> NetworkLines:
    """A walking network from GeoJSON: its LineStrings and MultiLineStrings."""
    file = name or os.fspath(path)
    raw = _raw(path, file)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise ImportFailed(file, [ImportProblem(row, "", "not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        problem = ImportProblem(exc.lineno, str(exc.colno), f"not valid JSON: {exc.msg}")
        raise ImportFailed(file, [problem]) from None
    lines = _Lines(file)
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            lines.problem("features", "must be a list")
            features = []
        for i, feature in enumerate(features):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                lines.problem(f"features[{i}]", "must be an object of type Feature")
                continue
            lines.geometry(feature.get("geometry"), f"features[{i}].geometry")
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        lines.geometry(doc.get("geometry"), "geometry")
    elif isinstance(doc, dict) and isinstance(doc.get("type"), str):
        lines.geometry(doc, "(the geometry)")
    else:
        lines.problem("(the document)", "not GeoJSON: a FeatureCollection, Feature or geometry")
    if not lines.problems and len(lines.starts) == 1:
        lines.problem("(the document)", "no LineString or MultiLineString: the network is empty")
    if lines.problems:
        raise ImportFailed(file, lines.problems)
    return NetworkLines(
        file,
        np.asarray(lines.lat, dtype=np.float64),
        np.asarray(lines.lon, dtype=np.float64),
        np.asarray(lines.starts, dtype=np.intp),
        lines.ignored,
    )
