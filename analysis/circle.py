"""The 15-minute service circle (一刻钟便民生活圈): which communities have each service
within walking distance, how much of each district's population that covers, and where
to add a facility next.

A community is *covered* for a service type when a facility of that type lies within the
radius (default 1,000 m: GB 50180-2018 puts the 15-minute walk at 800–1,000 m).  The
distance is either

* **straight-line**: the haversine distance on a sphere of radius
  :data:`EARTH_RADIUS_M` = 6,371,008.8 m (the IUGG mean Earth radius),

  .. math:: d = 2R \\arcsin\\sqrt{\\sin^2\\frac{\\varphi_2-\\varphi_1}{2}
            + \\cos\\varphi_1\\cos\\varphi_2\\sin^2\\frac{\\lambda_2-\\lambda_1}{2}}

* or **network**: the shortest path along a walking network (:class:`WalkNetwork`, made
  of polylines), where a community or a facility joins the network at its nearest node
  within :data:`JOIN_LIMIT_M` (200 m), that leg's straight-line length added to the path.
  A point farther than that from every node is off the network, and every distance from
  or to it is the straight-line one.

Searching: points become 3-D unit vectors, where the straight chord between two points
is ``c = 2 sin(d / 2R)``, a monotone function of the haversine distance ``d`` (the
haversine term is exactly ``(c/2)²``).  A :class:`scipy.spatial.cKDTree` over the
facilities of a type answers a k = 1 query per community; its candidate is confirmed
with the haversine formula, and only a community whose nearest chord lies within the
chord radius (inflated by a relative 1e-9) but whose haversine distance exceeds the
radius is searched again with a ball query, every candidate confirmed by haversine.
So "covered" is exactly ``min_f haversine(c, f) <= radius``, as the formula computes it
in float64, and ``nearest_m`` is the haversine distance to the nearest facility.

The network search is one Dijkstra run per type (:func:`scipy.sparse.csgraph.dijkstra`)
from a virtual source joined to every facility's node by its join leg, stopped at the
radius: a multi-source shortest path in one call.  Beyond the radius the network
distance is not computed, so ``nearest_m`` is NaN there.

"Where to add next" (:func:`choose_sites`) is the greedy heuristic of the maximal
covering location problem (Church & ReVelle 1974): pick the candidate site that covers
the most still-uncovered population, mark it covered, repeat k times.  Greedy is within
a factor ``1 - 1/e`` of the best choice (Nemhauser, Wolsey & Fisher 1978).

References
----------
Church, R. & ReVelle, C. (1974). The maximal covering location problem. *Papers of the
Regional Science Association* 32, 101–118.
Moritz, H. (2000). Geodetic Reference System 1980. *Journal of Geodesy* 74, 128–133
(mean radius R₁ = 6,371,008.8 m).
GB 50180-2018 城市居住区规划设计标准 (15-minute life circle: 800–1,000 m walk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_M",
    "JOIN_LIMIT_M",
    "CircleResult",
    "DistanceKind",
    "Join",
    "SiteChoice",
    "WalkNetwork",
    "build_network",
    "choose_sites",
    "chord_radius",
    "circle_coverage",
    "district_coverage",
    "haversine_m",
    "join_network",
    "unit_vectors",
]

#: Mean Earth radius (IUGG, GRS 80 R₁), the sphere of the spec's haversine distance
EARTH_RADIUS_M = 6_371_008.8
#: A point joins the walking network at its nearest node only within this distance
JOIN_LIMIT_M = 200.0
#: Relative inflation of the chord radius of a KD-tree search (candidates are confirmed)
_INFLATE = 1e-9

DistanceKind = Literal["straight-line", "network"]


def _flat(*arrays: npt.ArrayLike) -> list[np.ndarray]:
    """Float64 arrays broadcast to one shape, contiguous: every element goes through the
    same numpy loop, so a distance is the same bits whichever way it is asked for."""
    parts = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in arrays))
    return [np.ascontiguousarray(p).reshape(-1) for p in parts]


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> np.ndarray:
    """Haversine distance in metres between points given in degrees (broadcast).

    ``2 R asin(sqrt(sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2)))`` with R =
    :data:`EARTH_RADIUS_M`; the square root is clipped to 1 (antipodes).
    """
    shape = np.broadcast_shapes(*(np.shape(a) for a in (lat1, lon1, lat2, lon2)))
    p1, l1, p2, l2 = (np.radians(a) for a in _flat(lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(np.sqrt(h), 1.0))
    return d.reshape(shape)


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> np.ndarray:
    """Points in degrees as 3-D unit vectors, shape ``(n, 3)``."""
    p, lam = (np.radians(a) for a in _flat(lat, lon))
    cos_p = np.cos(p)
    return np.column_stack((cos_p * np.cos(lam), cos_p * np.sin(lam), np.sin(p)))


def chord_radius(radius_m: float) -> float:
    """The chord between unit vectors of two points ``radius_m`` apart (haversine),
    inflated by a relative 1e-9 so that rounding never drops a point at the radius."""
    return 2.0 * np.sin(min(radius_m / (2.0 * EARTH_RADIUS_M), np.pi / 2)) * (1.0 + _INFLATE)


@dataclass(frozen=True)
class _Points:
    """Points with their KD-tree (unit vectors)."""

    lat: np.ndarray
    lon: np.ndarray
    tree: cKDTree

    @classmethod
    def of(cls, lat: np.ndarray, lon: np.ndarray) -> _Points:
        lat, lon = _flat(lat, lon)
        return cls(lat, lon, cKDTree(unit_vectors(lat, lon)))

    @property
    def n(self) -> int:
        return int(self.lat.shape[0])


def _nearest(
    points: _Points, lat: np.ndarray, lon: np.ndarray, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per query point: the index of its nearest point (-1 when there is none) and the
    haversine distance to it (inf when none), exact for the question "within radius_m".

    The k = 1 answer's haversine distance is taken; a query whose nearest chord is within
    the (inflated) chord radius while its haversine distance exceeds the radius is asked
    again with a ball query, and the nearest candidate by haversine kept.
    """
    n = lat.shape[0]
    if points.n == 0 or n == 0:
        return np.full(n, -1, dtype=np.intp), np.full(n, np.inf)
    xyz = unit_vectors(lat, lon)
    chord, index = points.tree.query(xyz, k=1)
    index = np.asarray(index, dtype=np.intp)
    dist = haversine_m(lat, lon, points.lat[index], points.lon[index])
    limit = chord_radius(radius_m)
    doubt = np.flatnonzero((dist > radius_m) & (chord <= limit))
    if doubt.size:
        found = points.tree.query_ball_point(xyz[doubt], limit)
        for q, candidates in zip(doubt.tolist(), found, strict=True):
            c = np.asarray(candidates, dtype=np.intp)
            if c.size == 0:
                continue
            d = haversine_m(lat[q], lon[q], points.lat[c], points.lon[c])
            best = int(np.argmin(d))
            if d[best] < dist[q]:
                dist[q], index[q] = d[best], c[best]
    return index, dist


@dataclass(frozen=True)
class WalkNetwork:
    """A walking network: nodes (the polylines' vertices, one per distinct coordinate
    pair) and undirected edges between consecutive vertices, weighted by their haversine
    length (parallel edges: the shortest kept)."""

    node_lat: np.ndarray
    node_lon: np.ndarray
    #: Edge ends (``a < b``) and lengths in metres, one row per distinct edge
    edge_a: np.ndarray
    edge_b: np.ndarray
    edge_m: np.ndarray
    nodes: _Points

    @property
    def n_nodes(self) -> int:
        return int(self.node_lat.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_m.shape[0])


def _min_edges(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """One edge per (a, b) pair, the shortest (a sparse matrix would add duplicates up)."""
    if a.size == 0:
        return a, b, w
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(a.size, dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], w[first]


def build_network(
    lat: npt.ArrayLike, lon: npt.ArrayLike, line_starts: npt.ArrayLike
) -> WalkNetwork:
    """A :class:`WalkNetwork` from polylines given as one run of vertices.

    Parameters
    ----------
    lat, lon : array_like
        The vertices of all polylines, one after another, in degrees.
    line_starts : array_like of int
        Offsets into ``lat``/``lon``: polyline ``i`` is ``line_starts[i]`` up to
        ``line_starts[i + 1]`` (the last entry is the number of vertices).

    Vertices with the same coordinates are one node, so polylines meet where they share
    a vertex (as in an OpenStreetMap export).  Zero-length segments are dropped.
    """
    vlat, vlon = _flat(lat, lon)
    starts = np.asarray(line_starts, dtype=np.intp)
    if starts.ndim != 1 or starts.size < 1 or starts[-1] != vlat.size:
        raise ValueError("line_starts must end with the number of vertices")
    if np.any(np.diff(starts) < 0):
        raise ValueError("line_starts must not decrease")
    pairs = np.column_stack((vlat, vlon))
    coords, node = np.unique(pairs, axis=0, return_inverse=True)
    node = node.reshape(-1)
    # a segment joins vertex j and j + 1 unless j + 1 starts the next polyline
    inner = np.ones(max(vlat.size - 1, 0), dtype=bool)
    breaks = starts[1:-1] - 1
    inner[breaks[(breaks >= 0) & (breaks < inner.size)]] = False
    j = np.flatnonzero(inner)
    a, b = node[j], node[j + 1]
    keep = a != b
    j, a, b = j[keep], a[keep], b[keep]
    w = haversine_m(vlat[j], vlon[j], vlat[j + 1], vlon[j + 1])
    a, b = np.minimum(a, b), np.maximum(a, b)
    a, b, w = _min_edges(a, b, w)
    node_lat = np.ascontiguousarray(coords[:, 0])
    node_lon = np.ascontiguousarray(coords[:, 1])
    return WalkNetwork(node_lat, node_lon, a, b, w, _Points.of(node_lat, node_lon))


@dataclass(frozen=True)
class Join:
    """Where points join a network: ``node`` (-1: off the network) and ``leg_m``, the
    straight-line length of the leg to that node (NaN when off the network)."""

    node: np.ndarray
    leg_m: np.ndarray

    @property
    def on(self) -> np.ndarray:
        return self.node >= 0


def join_network(
    network: WalkNetwork, lat: npt.ArrayLike, lon: npt.ArrayLike, limit_m: float = JOIN_LIMIT_M
) -> Join:
    """Join each point to its nearest node (haversine) when that node is within
    ``limit_m``; a point farther from every node stays off the network."""
    qlat, qlon = _flat(lat, lon)
    index, dist = _nearest(network.nodes, qlat, qlon, limit_m)
    on = dist <= limit_m
    return Join(np.where(on, index, -1), np.where(on, dist, np.nan))


@dataclass(frozen=True)
class CircleResult:
    """Coverage of communities by service type.

    ``covered[i, t]`` and ``nearest_m[i, t]`` are community ``i``'s answer for
    ``types[t]``; ``nearest_m`` is the distance to the nearest facility of the type (NaN
    when the type has no facility, or with a network when none is within the radius).
    With a network, ``community_join`` and ``facility_join`` say who joined it.
    """

    radius_m: float
    distance: DistanceKind
    types: tuple[str, ...]
    covered: np.ndarray
    nearest_m: np.ndarray
    community_join: Join | None = None
    facility_join: Join | None = None

    @property
    def missing_count(self) -> np.ndarray:
        """Number of types each community lacks."""
        return (~self.covered).sum(axis=1)

    def missing(self, service_type: str) -> np.ndarray:
        """Indices of the communities not covered for ``service_type``."""
        return np.flatnonzero(~self.covered[:, self.types.index(service_type)])


def _check_inputs(radius_m: float, n_types: int, facility_type: np.ndarray) -> None:
    if not (np.isfinite(radius_m) and radius_m > 0):
        raise ValueError(f"the radius must be a positive number of metres, not {radius_m!r}")
    if facility_type.size and (facility_type.min() < 0 or facility_type.max() >= n_types):
        raise ValueError("a facility's type index is outside the list of types")


def circle_coverage(
    community_lat: npt.ArrayLike,
    community_lon: npt.ArrayLike,
    facility_lat: npt.ArrayLike,
    facility_lon: npt.ArrayLike,
    facility_type: npt.ArrayLike,
    types: tuple[str, ...],
    radius_m: float = 1000.0,
    network: WalkNetwork | None = None,
) -> CircleResult:
    """Coverage of every community for every service type.

    Parameters
    ----------
    community_lat, community_lon : array_like
        Communities, degrees (WGS-84).
    facility_lat, facility_lon, facility_type : array_like
        One entry per facility and type it offers: ``facility_type`` indexes ``types``
        (a facility of two types is two entries at one place).
    types : tuple of str
        The service types reported, in order (a type without facility is reported too).
    radius_m : float
        Walking distance that counts as covered (inclusive).
    network : WalkNetwork, optional
        Network distance instead of straight-line (see the module's text).
    """
    clat, clon = _flat(community_lat, community_lon)
    flat, flon = _flat(facility_lat, facility_lon)
    ftype = np.asarray(facility_type, dtype=np.intp).reshape(-1)
    if ftype.size != flat.size:
        raise ValueError("facility_type must give one type per facility entry")
    _check_inputs(radius_m, len(types), ftype)
    n, n_types = clat.size, len(types)
    covered = np.zeros((n, n_types), dtype=bool)
    nearest = np.full((n, n_types), np.nan)
    if network is None:
        for t in range(n_types):
            mine = ftype == t
            points = _Points.of(flat[mine], flon[mine])
            _, dist = _nearest(points, clat, clon, radius_m)
            covered[:, t] = dist <= radius_m
            nearest[:, t] = np.where(np.isfinite(dist), dist, np.nan)
        return CircleResult(float(radius_m), "straight-line", tuple(types), covered, nearest)
    cjoin = join_network(network, clat, clon)
    fjoin = join_network(network, flat, flon)
    reach = _network_reach(network, fjoin, ftype, n_types, radius_m)
    con = cjoin.on
    for t in range(n_types):
        mine = ftype == t
        best = np.full(n, np.inf)
        # on the network: the community's leg plus the path from the nearest facility
        best[con] = cjoin.leg_m[con] + reach[t][cjoin.node[con]]
        # straight line: off-network communities to all, everyone to off-network facilities
        everyone = _Points.of(flat[mine], flon[mine])
        off_f = mine & ~fjoin.on
        straight_off = _Points.of(flat[off_f], flon[off_f])
        if (~con).any():
            _, d = _nearest(everyone, clat[~con], clon[~con], radius_m)
            best[~con] = d
        if straight_off.n and con.any():
            _, d = _nearest(straight_off, clat[con], clon[con], radius_m)
            best[con] = np.minimum(best[con], d)
        covered[:, t] = best <= radius_m
        nearest[:, t] = np.where(best <= radius_m, best, np.nan)
    return CircleResult(float(radius_m), "network", tuple(types), covered, nearest, cjoin, fjoin)


def _network_reach(
    network: WalkNetwork, fjoin: Join, ftype: np.ndarray, n_types: int, radius_m: float
) -> list[np.ndarray]:
    """Per type, the network distance of every node to the nearest facility of the type
    (its join leg included), up to the radius (inf beyond).

    One graph of the network's nodes plus one virtual source per type, with an edge from
    the source to each facility's node weighted by the facility's leg: a Dijkstra run
    from the source is the multi-source shortest path with the legs as head starts.
    """
    v = network.n_nodes
    on = fjoin.on
    src = v + ftype[on]
    dst = fjoin.node[on]
    legs = fjoin.leg_m[on]
    src, dst, legs = _min_edges(src, dst, legs)
    rows = np.concatenate((network.edge_a, network.edge_b, src))
    cols = np.concatenate((network.edge_b, network.edge_a, dst))
    weights = np.concatenate((network.edge_m, network.edge_m, legs))
    size = v + n_types
    graph = csr_matrix((weights, (rows, cols)), shape=(size, size))
    limit = radius_m * (1.0 + _INFLATE)
    out = []
    for t in range(n_types):
        dist = dijkstra(graph, directed=True, indices=v + t, limit=limit)
        out.append(np.asarray(dist[:v]))
    return out


def district_coverage(
    covered: np.ndarray, population: npt.ArrayLike, district: npt.ArrayLike, n_districts: int
) -> tuple[np.ndarray, np.ndarray]:
    """Population-weighted share of communities covered, per district and type (0–1).

    Returns the districts' populations and ``coverage[k, t] = Σ pop·covered / Σ pop``
    over district ``k``'s communities (NaN for a district of no population).
    """
    pop = np.asarray(population, dtype=np.float64).reshape(-1)
    codes = np.asarray(district, dtype=np.intp).reshape(-1)
    if pop.size != covered.shape[0] or codes.size != covered.shape[0]:
        raise ValueError("population and district must give one value per community")
    if pop.size and (np.any(pop < 0) or not np.all(np.isfinite(pop))):
        raise ValueError("population must be finite and not negative")
    totals = np.bincount(codes, weights=pop, minlength=n_districts)
    shares = np.full((n_districts, covered.shape[1]), np.nan)
    for t in range(covered.shape[1]):
        reached = np.bincount(codes, weights=pop * covered[:, t], minlength=n_districts)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[:, t] = np.where(totals > 0, reached / totals, np.nan)
    return totals, shares


@dataclass(frozen=True)
class SiteChoice:
    """One chosen site: the candidate's index, the population it newly covers (not
    covered before it nor by a site chosen earlier) and those communities' indices."""

    candidate: int
    population: float
    communities: np.ndarray


def choose_sites(
    candidate_lat: npt.ArrayLike,
    candidate_lon: npt.ArrayLike,
    community_lat: npt.ArrayLike,
    community_lon: npt.ArrayLike,
    population: npt.ArrayLike,
    covered: npt.ArrayLike,
    radius_m: float,
    k: int,
) -> tuple[SiteChoice, ...]:
    """Greedy maximal coverage: up to ``k`` candidate sites for one service type.

    Each step takes the candidate whose circle (straight-line, ``radius_m``) holds the
    most population not yet covered (``covered`` marks the communities that already have
    the type); ties go to the first candidate.  Stops early when no candidate adds any
    population.  A site at a community's own location covers that community.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if not (np.isfinite(radius_m) and radius_m > 0):
        raise ValueError(f"the radius must be a positive number of metres, not {radius_m!r}")
    slat, slon = _flat(candidate_lat, candidate_lon)
    clat, clon = _flat(community_lat, community_lon)
    pop = np.asarray(population, dtype=np.float64).reshape(-1)
    done = np.asarray(covered, dtype=bool).reshape(-1)
    if pop.size != clat.size or done.size != clat.size:
        raise ValueError("population and covered must give one value per community")
    open_ = np.flatnonzero(~done & (pop > 0))
    if open_.size == 0 or slat.size == 0:
        return ()
    incidence = _incidence(slat, slon, clat[open_], clon[open_], radius_m)
    weight = pop[open_].copy()
    chosen: list[SiteChoice] = []
    for _ in range(k):
        gain = incidence @ weight
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        row = incidence.indices[incidence.indptr[best] : incidence.indptr[best + 1]]
        row = row[weight[row] > 0]
        chosen.append(SiteChoice(best, float(weight[row].sum()), open_[np.sort(row)]))
        weight[row] = 0.0
    return tuple(chosen)


def _incidence(
    slat: np.ndarray, slon: np.ndarray, clat: np.ndarray, clon: np.ndarray, radius_m: float
) -> csr_matrix:
    """Sites × communities, 1 where the haversine distance is within the radius."""
    tree = cKDTree(unit_vectors(clat, clon))
    found = tree.query_ball_point(unit_vectors(slat, slon), chord_radius(radius_m))
    counts = np.fromiter((len(f) for f in found), dtype=np.intp, count=len(found))
    cols = (
        np.concatenate([np.asarray(f, dtype=np.intp) for f in found])
        if counts.sum()
        else np.zeros(0, dtype=np.intp)
    )
    rows = np.repeat(np.arange(slat.size), counts)
    inside = haversine_m(slat[rows], slon[rows], clat[cols], clon[cols]) <= radius_m
    rows, cols = rows[inside], cols[inside]
    data = np.ones(rows.size)
    return csr_matrix((data, (rows, cols)), shape=(slat.size, clat.size))
