"""Benchmark of the 15-minute circle: coverage of every type, straight-line and network.

    python -m bench.circle [--communities 20000] [--facilities 200000] [--types 12]
                           [--edges 100000] [--brute 1000] [--repeat 3] [--out FILE] [--no-save]

A seeded synthetic region of 50 × 50 km from 普洱市思茅区: ``--communities``
communities and ``--facilities`` facilities spread over ``--types`` service types
(uniform places, a third of the facilities clustered in a few centres; the types' shares
fall off as 1/(t+1)^1.5, so the rare ones leave gaps), radius 1,000 m.

1. Straight-line coverage of all types with :func:`analysis.circle.circle_coverage`
   (KD-tree on unit vectors, haversine-confirmed), best of ``--repeat``.
2. The brute-force baseline in the same run: every community against every facility of
   each type with the haversine formula.  At full size that is billions of pairs, so
   it is timed on the first ``--brute`` communities and scaled up linearly (said in the
   output); its answers must equal the KD-tree's on those communities, bit for bit.
3. Network distance on a synthetic walking network of ``--edges`` edges (a jittered
   street grid, each street a two-point LineString, as OpenStreetMap exports them),
   slightly smaller than the city so that some points are off the network: building the
   graph, then coverage of all types (joins, one multi-source Dijkstra per type).

Goals (issue 19): straight-line under 5 s, network under 60 s.  Figures are printed and
written to ``bench/results/circle.txt``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy

from analysis.circle import EARTH_RADIUS_M, build_network, circle_coverage, haversine_m
from bench.csv_read.__main__ import cpu_model
from surveyapp.circle import compute_coverage, coverage_json, read_communities, read_facilities

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "circle.txt"
SEED = 20261206
LAT0, LON0 = 22.68, 100.88  # south-west corner, 普洱市思茅区
SIDE_M = 50_000.0
RADIUS_M = 1000.0
M_LAT = math.pi * EARTH_RADIUS_M / 180.0
M_LON = M_LAT * math.cos(math.radians(LAT0 + SIDE_M / M_LAT / 2))


def city(n_communities: int, n_facilities: int, n_types: int):
    """Seeded communities and facilities (lat, lon, type) in the square."""
    rng = np.random.default_rng(SEED)
    clat = LAT0 + rng.random(n_communities) * SIDE_M / M_LAT
    clon = LON0 + rng.random(n_communities) * SIDE_M / M_LON
    clustered = n_facilities // 3
    centres = rng.random((8, 2)) * SIDE_M
    pick = rng.integers(0, 8, clustered)
    xy = np.concatenate(
        (
            rng.random((n_facilities - clustered, 2)) * SIDE_M,
            np.clip(centres[pick] + rng.normal(0, 3000.0, (clustered, 2)), 0, SIDE_M),
        )
    )
    flat = LAT0 + xy[:, 1] / M_LAT
    flon = LON0 + xy[:, 0] / M_LON
    share = 1.0 / np.arange(1, n_types + 1) ** 1.5
    ftype = rng.choice(n_types, size=n_facilities, p=share / share.sum())
    return clat, clon, flat, flon, ftype


def grid_network(edges: int):
    """A jittered street grid of at least ``edges`` edges, one LineString per edge,
    covering the square less 300 m on each side."""
    rng = np.random.default_rng(SEED + 1)
    n = math.ceil((1 + math.sqrt(1 + 2 * edges)) / 2)  # n×n nodes have 2n(n-1) edges
    span = SIDE_M - 600.0
    step = span / (n - 1)
    gx, gy = np.meshgrid(np.arange(n) * step, np.arange(n) * step)
    gx = 300.0 + gx + rng.normal(0, step * 0.15, gx.shape)
    gy = 300.0 + gy + rng.normal(0, step * 0.15, gy.shape)
    node_lat = (LAT0 + gy / M_LAT).ravel()
    node_lon = (LON0 + gx / M_LON).ravel()
    ids = np.arange(n * n).reshape(n, n)
    a = np.concatenate((ids[:, :-1].ravel(), ids[:-1, :].ravel()))
    b = np.concatenate((ids[:, 1:].ravel(), ids[1:, :].ravel()))
    lat = np.column_stack((node_lat[a], node_lat[b])).ravel()
    lon = np.column_stack((node_lon[a], node_lon[b])).ravel()
    starts = np.arange(0, lat.size + 1, 2)
    return lat, lon, starts, int(a.size)


def brute_force(clat, clon, flat, flon, ftype, n_types, radius):
    """Every pair by the haversine formula: covered and nearest per type."""
    covered = np.zeros((clat.size, n_types), dtype=bool)
    nearest = np.full((clat.size, n_types), np.nan)
    for t in range(n_types):
        mine = ftype == t
        tl, tn = flat[mine], flon[mine]
        for start in range(0, clat.size, 100):
            stop = min(start + 100, clat.size)
            d = haversine_m(
                clat[start:stop, None], clon[start:stop, None], tl[None, :], tn[None, :]
            )
            covered[start:stop, t] = (d <= radius).any(axis=1)
            nearest[start:stop, t] = d.min(axis=1)
    return covered, nearest


CPU: dict[str, float] = {}


def best_of(repeat: int, fn: Callable[[], Any], label: str) -> tuple[float, Any]:
    """The best wall-clock time of ``repeat`` runs; that run's CPU time is kept in
    :data:`CPU` under ``label`` (the machine is shared: wall time waits for the CPU)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall = time.perf_counter() - start
        if wall < best:
            best, CPU[label] = wall, time.process_time() - cpu
    return best, result


def write_files(folder: Path, clat, clon, flat, flon, ftype, names) -> tuple[Path, Path]:
    """C.csv and F.csv of the synthetic city, as ``surveyapp circle coverage`` reads them."""
    c_path, f_path = folder / "C.csv", folder / "F.csv"
    district = np.char.add("区", (np.arange(clat.size) % 10).astype(str))
    rows = np.column_stack(
        (
            np.char.add("社区", np.arange(clat.size).astype(str)),
            district,
            np.full(clat.size, "1000"),
            np.char.mod("%.7f", clat),
            np.char.mod("%.7f", clon),
        )
    )
    c_path.write_text(
        "community,district,population,lat,lon\n" + "\n".join(",".join(r) for r in rows) + "\n",
        encoding="utf-8",
    )
    rows = np.column_stack(
        (
            np.char.add("设施", np.arange(flat.size).astype(str)),
            np.asarray(names)[ftype],
            np.char.mod("%.7f", flat),
            np.char.mod("%.7f", flon),
        )
    )
    f_path.write_text(
        "facility,service_type,lat,lon\n" + "\n".join(",".join(r) for r in rows) + "\n",
        encoding="utf-8",
    )
    return c_path, f_path


def from_files(c_path: Path, f_path: Path) -> Any:
    """What the command does before printing: read, check, compute, make the JSON."""
    communities = read_communities(c_path)
    facilities = read_facilities(f_path)
    return coverage_json(compute_coverage(communities, facilities, radius_m=RADIUS_M))


def verdict(seconds: float, goal: float) -> str:
    return f"goal under {goal:g} s: {'met' if seconds < goal else 'NOT reached'}"


def main(argv: Sequence[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--facilities", type=int, default=200_000)
    parser.add_argument("--types", type=int, default=12)
    parser.add_argument("--edges", type=int, default=100_000)
    parser.add_argument("--brute", type=int, default=1000, help="communities brute-forced")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-save", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    names = tuple(f"type{t}" for t in range(args.types))
    clat, clon, flat, flon, ftype = city(args.communities, args.facilities, args.types)
    load_before = os.getloadavg()[0]

    line_s, line = best_of(
        args.repeat,
        lambda: circle_coverage(clat, clon, flat, flon, ftype, names, RADIUS_M),
        "line",
    )
    k = min(args.brute, args.communities)
    brute_s, (covered_b, nearest_b) = best_of(
        1,
        lambda: brute_force(clat[:k], clon[:k], flat, flon, ftype, args.types, RADIUS_M),
        "brute",
    )
    same = bool(
        np.array_equal(line.covered[:k], covered_b)
        and np.array_equal(line.nearest_m[:k], nearest_b, equal_nan=True)
    )
    brute_full = brute_s * args.communities / k

    nlat, nlon, starts, n_edges = grid_network(args.edges)
    build_s, network = best_of(args.repeat, lambda: build_network(nlat, nlon, starts), "build")
    net_s, net = best_of(
        args.repeat,
        lambda: circle_coverage(clat, clon, flat, flon, ftype, names, RADIUS_M, network),
        "net",
    )
    cj, fj = net.community_join, net.facility_join
    subset = bool(not (net.covered & ~line.covered).any())
    total_net = build_s + net_s
    with tempfile.TemporaryDirectory() as folder:
        c_path, f_path = write_files(Path(folder), clat, clon, flat, flon, ftype, names)
        files_s, doc = best_of(1, lambda: from_files(c_path, f_path), "files")
    same_files = [c["covered"][names[0]] for c in doc["communities"]] == line.covered[:, 0].tolist()
    lines = [
        "bench/circle: 15-minute circle coverage, straight-line (KD-tree) vs brute force, "
        "and network distance",
        f"date {time.strftime('%Y-%m-%d %H:%M')} UTC; machine: {os.cpu_count()} cores "
        f"({cpu_model()}), shared with other jobs (load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after); Python {sys.version.split()[0]}, numpy "
        f"{np.__version__}, scipy {scipy.__version__}",
        f"data: {args.communities:,} communities x {args.facilities:,} facilities in "
        f"{args.types} types over {SIDE_M / 1000:g} x {SIDE_M / 1000:g} km, radius "
        f"{RADIUS_M:g} m; best of {args.repeat}",
        f"straight-line, all types (KD-tree + haversine): {line_s:8.3f} s (CPU "
        f"{CPU['line']:.3f} s)   {verdict(line_s, 5.0)}",
        f"brute force on the first {k:,} communities:        {brute_s:8.3f} s (CPU "
        f"{CPU['brute']:.3f} s)   "
        f"(x {args.communities / k:g} = {brute_full:.1f} s estimated for all; "
        f"not run at full size)",
        f"ratio (estimated brute force / KD-tree): {brute_full / line_s:.0f}x; "
        f"same answers on those {k:,} communities (covered and nearest_m, bit for bit): "
        f"{'yes' if same else 'NO'}",
        f"network: {n_edges:,} edges, {network.n_nodes:,} nodes (jittered grid); "
        f"{int(cj.on.sum()):,} communities and {int(fj.on.sum()):,} facilities joined "
        f"within 200 m, the rest straight-line",
        f"network build (GeoJSON-like lines -> graph):    {build_s:8.3f} s (CPU "
        f"{CPU['build']:.3f} s)",
        f"network coverage, all types (joins + Dijkstra): {net_s:8.3f} s (CPU {CPU['net']:.3f} s)",
        f"network total:                                   {total_net:8.3f} s   "
        f"{verdict(total_net, 60.0)}",
        f"covered by network is a subset of covered by straight line: "
        f"{'yes' if subset else 'NO'}; covered share straight-line "
        f"{line.covered.mean():.3f}, network {net.covered.mean():.3f}",
        f"from files (read + check C.csv and F.csv, coverage, the spec's JSON): "
        f"{files_s:.3f} s (CPU {CPU['files']:.3f} s); same coverage: "
        f"{'yes' if same_files else 'NO'}",
    ]
    return emit(lines, None if args.no_save else args.out)


def emit(lines: list[str], out: Path | None) -> list[str]:
    """Print the figures and, unless ``out`` is None, write them to ``out``."""
    print("\n".join(lines))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


if __name__ == "__main__":
    main()
