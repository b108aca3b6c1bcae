"""The 15-minute circle engine (analysis.circle, reports.circle_map)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from analysis.circle import (
    EARTH_RADIUS_M,
    build_network,
    choose_sites,
    chord_radius,
    circle_coverage,
    district_coverage,
    haversine_m,
    join_network,
    unit_vectors,
)
from reports.circle_map import MapLabels, circle_map_svg, missing_colour

R = EARTH_RADIUS_M
LAT0, LON0 = 22.78, 100.97  # 普洱市思茅区
M_LAT = math.pi * R / 180.0  # metres per degree of latitude on the sphere


def north(m: float) -> float:
    """Degrees of latitude for ``m`` metres north (exact on the sphere)."""
    return m / M_LAT


def east(m: float, lat: float = LAT0) -> float:
    """Degrees of longitude for ``m`` metres east along the parallel (approximate)."""
    return m / (M_LAT * math.cos(math.radians(lat)))


def vincenty_sphere(lat1, lon1, lat2, lon2):
    """Great-circle distance by the atan2 (Vincenty special case) formula: a formula
    other than the haversine, well conditioned everywhere."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    dl = l2 - l1
    y = math.hypot(
        math.cos(p2) * math.sin(dl),
        math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl),
    )
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return R * math.atan2(y, x)


# ---------------------------------------------------------------- haversine


def test_haversine_exact_arcs_of_the_sphere():
    # a quarter meridian, a quarter equator, half the equator, one degree of latitude
    assert haversine_m(0, 0, 90, 0) == pytest.approx(math.pi * R / 2, rel=1e-15)
    assert haversine_m(0, 0, 0, 90) == pytest.approx(math.pi * R / 2, rel=1e-15)
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * R, rel=1e-15)
    assert haversine_m(10, 20, 11, 20) == pytest.approx(111_195.08, abs=0.01)
    assert haversine_m(LAT0, LON0, LAT0, LON0) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        # city pairs with their published great-circle distances (km, rounded; published
        # on the 6,371 km sphere, which differs from 6,371.0088 km by 1.4 ppm)
        ((39.9042, 116.4074), (31.2304, 121.4737), 1067),  # 北京 – 上海
        ((51.5074, -0.1278), (40.7128, -74.0060), 5570),  # London – New York
        ((22.7787, 100.9722), (25.0389, 102.7183), None),  # 普洱 – 昆明: the formula only
    ],
)
def test_haversine_city_pairs_against_another_formula(a, b, km):
    d = float(haversine_m(*a, *b))
    assert d == pytest.approx(vincenty_sphere(*a, *b), rel=1e-9)
    if km is not None:
        assert d / 1000 == pytest.approx(km, abs=0.5)


def test_haversine_broadcasts_and_is_symmetric():
    rng = np.random.default_rng(7)
    lat = rng.uniform(-80, 80, 50)
    lon = rng.uniform(-180, 180, 50)
    d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    assert d.shape == (50, 50)
    assert np.array_equal(d, d.T)
    for i, j in [(0, 1), (3, 40), (17, 17)]:
        assert d[i, j] == pytest.approx(vincenty_sphere(lat[i], lon[i], lat[j], lon[j]), abs=1e-6)


def test_chord_radius_matches_the_haversine_radius():
    a = unit_vectors([LAT0], [LON0])[0]
    b = unit_vectors([LAT0 + north(1000.0)], [LON0])[0]
    chord = float(np.linalg.norm(a - b))
    assert chord == pytest.approx(2 * math.sin(1000.0 / (2 * R)), rel=1e-10)
    assert chord <= chord_radius(1000.0)
    assert chord_radius(1000.0) == pytest.approx(chord, rel=2e-9)


# ---------------------------------------------------------------- coverage = brute force


def brute(clat, clon, flat, flon, ftype, n_types, radius):
    d = haversine_m(clat[:, None], clon[:, None], flat[None, :], flon[None, :])
    covered = np.zeros((clat.size, n_types), dtype=bool)
    nearest = np.full((clat.size, n_types), np.nan)
    for t in range(n_types):
        mine = d[:, ftype == t]
        if mine.shape[1]:
            covered[:, t] = (mine <= radius).any(axis=1)
            nearest[:, t] = mine.min(axis=1)
    return d, covered, nearest


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kdtree_coverage_equals_brute_force_including_points_at_the_radius(seed):
    rng = np.random.default_rng(seed)
    n, m, n_types = 400, 1500, 4
    clat = LAT0 + rng.random(n) * 0.08
    clon = LON0 + rng.random(n) * 0.08
    flat = LAT0 + rng.random(m) * 0.08
    flon = LON0 + rng.random(m) * 0.08
    ftype = rng.integers(0, n_types - 1, m)  # the last type has no facility
    # facilities on top of communities (distance 0) and duplicated facilities
    flat[:20], flon[:20] = clat[:20], clon[:20]
    flat[20:40], flon[20:40] = flat[40:60], flon[40:60]
    d = haversine_m(clat[:, None], clon[:, None], flat[None, :], flon[None, :])
    # radii that are exactly some community's distance to some facility, and to its
    # nearest facility of a type: those points lie exactly at the radius
    radii = [
        300.0,
        float(d[5, 100]),
        float(d[29, ftype == 0].min()),
        float(d[77, ftype == 2].min()),
    ]
    for radius in radii:
        result = circle_coverage(clat, clon, flat, flon, ftype, ("a", "b", "c", "d"), radius)
        _, covered, nearest = brute(clat, clon, flat, flon, ftype, n_types, radius)
        assert result.distance == "straight-line"
        assert np.array_equal(result.covered, covered)
        assert np.array_equal(result.nearest_m, nearest, equal_nan=True)
    assert not result.covered[:, 3].any() and np.isnan(result.nearest_m[:, 3]).all()
    at_radius = circle_coverage(clat, clon, flat, flon, ftype, ("a", "b", "c", "d"), radii[2])
    assert at_radius.covered[29, 0]  # the community whose nearest is exactly the radius


def test_a_point_a_hair_beyond_the_radius_is_not_covered():
    flat = np.array([LAT0 + north(1000.0)])
    d = float(haversine_m(LAT0, LON0, flat[0], LON0))
    inside = circle_coverage([LAT0], [LON0], flat, [LON0], [0], ("x",), d)
    outside = circle_coverage([LAT0], [LON0], flat, [LON0], [0], ("x",), math.nextafter(d, 0))
    assert inside.covered[0, 0] and not outside.covered[0, 0]
    assert inside.nearest_m[0, 0] == outside.nearest_m[0, 0] == d


def test_coverage_refuses_bad_input():
    with pytest.raises(ValueError, match="radius"):
        circle_coverage([LAT0], [LON0], [LAT0], [LON0], [0], ("x",), 0.0)
    with pytest.raises(ValueError, match="type index"):
        circle_coverage([LAT0], [LON0], [LAT0], [LON0], [1], ("x",), 100.0)


def test_district_coverage_is_population_weighted():
    covered = np.array([[True, False], [False, False], [True, True], [False, True]])
    population, share = district_coverage(covered, [1000, 3000, 500, 0], [0, 0, 1, 2], 3)
    assert population.tolist() == [4000, 500, 0]
    assert share[0].tolist() == [0.25, 0.0]
    assert share[1].tolist() == [1.0, 1.0]
    assert np.isnan(share[2]).all()  # no population: no share


# ---------------------------------------------------------------- network


def square_network():
    """A walk from A north 600 m to B, then east 600 m to C (an L); no diagonal."""
    a = (LAT0, LON0)
    b = (LAT0 + north(600.0), LON0)
    c = (b[0], LON0 + east(600.0, b[0]))
    lat = [a[0], b[0], b[0], c[0]]
    lon = [a[1], b[1], b[1], c[1]]
    return build_network(lat, lon, [0, 2, 4]), a, b, c


def test_network_and_straight_line_differ_on_a_hand_made_network():
    network, a, b, c = square_network()
    assert network.n_nodes == 3 and network.n_edges == 2  # B is shared by both lines
    # the community stands 50 m south of A, the facility 30 m east of C
    community = (a[0] - north(50.0), a[1])
    facility = (c[0], c[1] + east(30.0, c[0]))
    straight = float(haversine_m(*community, *facility))
    leg_c = float(haversine_m(*community, *a))
    leg_f = float(haversine_m(*facility, *c))
    path = float(haversine_m(*a, *b) + haversine_m(*b, *c))
    walk = leg_c + path + leg_f
    assert straight < 1000.0 < walk  # about 910 m straight, 1,280 m on foot
    line = circle_coverage(
        [community[0]], [community[1]], [facility[0]], [facility[1]], [0], ("早餐店",), 1000.0
    )
    net = circle_coverage(
        [community[0]],
        [community[1]],
        [facility[0]],
        [facility[1]],
        [0],
        ("早餐店",),
        1000.0,
        network,
    )
    assert line.covered[0, 0] and line.nearest_m[0, 0] == pytest.approx(straight)
    assert net.distance == "network"
    assert not net.covered[0, 0] and np.isnan(net.nearest_m[0, 0])  # beyond the radius
    far = circle_coverage(
        [community[0]],
        [community[1]],
        [facility[0]],
        [facility[1]],
        [0],
        ("早餐店",),
        walk,
        network,
    )
    assert far.covered[0, 0]
    assert far.nearest_m[0, 0] == pytest.approx(walk, rel=1e-12)
    assert net.community_join.leg_m[0] == pytest.approx(leg_c)
    assert net.facility_join.leg_m[0] == pytest.approx(leg_f)


def test_the_200_m_join_rule():
    network, a, b, c = square_network()
    near = (a[0] - north(190.0), a[1])  # joins A, 190 m leg
    far = (a[0] - north(210.0), a[1])  # off the network: straight-line
    join = join_network(network, [near[0], far[0]], [near[1], far[1]])
    assert join.on.tolist() == [True, False]
    assert join.leg_m[0] == pytest.approx(190.0, abs=1e-6) and np.isnan(join.leg_m[1])
    # a facility at C: the near community walks 190 + 1200 m, the far one is measured
    # straight (about 1,140 m from C), so radius 1,300 covers only the far one by rule
    result = circle_coverage(
        [near[0], far[0]], [near[1], far[1]], [c[0]], [c[1]], [0], ("x",), 1300.0, network
    )
    assert result.covered.tolist() == [[False], [True]]
    assert result.nearest_m[1, 0] == pytest.approx(float(haversine_m(*far, *c)))
    # an off-network facility is reached straight from everyone
    off = (a[0], a[1] - east(500.0))
    result = circle_coverage([near[0]], [near[1]], [off[0]], [off[1]], [0], ("x",), 1000.0, network)
    assert not result.facility_join.on[0]
    assert result.covered[0, 0]
    assert result.nearest_m[0, 0] == pytest.approx(float(haversine_m(*near, *off)))


def test_network_nearest_facility_among_several_and_types_apart():
    network, a, b, c = square_network()
    flat = [b[0], c[0], a[0]]
    flon = [b[1], c[1], a[1]]
    result = circle_coverage(
        [a[0]], [a[1]], flat, flon, [0, 0, 1], ("x", "y", "z"), 2000.0, network
    )
    assert result.nearest_m[0, 0] == pytest.approx(float(haversine_m(*a, *b)))  # B, not C
    assert result.nearest_m[0, 1] == 0.0  # a type-y facility right at A
    assert not result.covered[0, 2] and np.isnan(result.nearest_m[0, 2])


def test_build_network_merges_vertices_and_counts_a_repeated_segment_once():
    p, q = (LAT0, LON0), (LAT0 + north(100.0), LON0)
    mid = (LAT0 + north(50.0), LON0 + east(30.0))
    # p-q, the same street drawn again q-p, and p-mid-q with a repeated vertex
    lat = [p[0], q[0], q[0], p[0], p[0], mid[0], mid[0], q[0]]
    lon = [p[1], q[1], q[1], p[1], p[1], mid[1], mid[1], q[1]]
    network = build_network(lat, lon, [0, 2, 4, 8])
    assert network.n_nodes == 3 and network.n_edges == 3
    pq = float(haversine_m(*p, *q))
    assert sorted(network.edge_m.tolist())[-1] == pq  # once, not added up to 2 × 100 m
    walk = circle_coverage([p[0]], [p[1]], [q[0]], [q[1]], [0], ("x",), 150.0, network)
    assert walk.covered[0, 0] and walk.nearest_m[0, 0] == pq
    with pytest.raises(ValueError, match="line_starts"):
        build_network(lat, lon, [0, 2, 5])


# ---------------------------------------------------------------- where to add next


def line_of_communities():
    """Four communities along a parallel at 0, 900, 1800 and 5000 m east."""
    xs = [0.0, 900.0, 1800.0, 5000.0]
    return np.full(4, LAT0), np.array([LON0 + east(x) for x in xs])


def test_greedy_choice_on_a_case_solved_by_hand():
    lat, lon = line_of_communities()
    pop = [100, 100, 100, 250]
    # radius 1000 m: the site at 900 m reaches 0, 900, 1800 (300 people); at 5000 m, 250
    chosen = choose_sites(lat, lon, lat, lon, pop, [False] * 4, 1000.0, k=3)
    assert [c.candidate for c in chosen] == [1, 3]  # then nothing left to cover: stops
    assert [c.population for c in chosen] == [300.0, 250.0]
    assert [c.communities.tolist() for c in chosen] == [[0, 1, 2], [3]]


def test_greedy_counts_only_uncovered_population_and_breaks_ties_by_order():
    lat, lon = line_of_communities()
    pop = [100, 100, 100, 250]
    # community 1 has the service already: 900 m now adds 200, 5000 m adds 250
    chosen = choose_sites(lat, lon, lat, lon, pop, [False, True, False, False], 1000.0, k=2)
    assert [(c.candidate, c.population) for c in chosen] == [(3, 250.0), (1, 200.0)]
    # candidates at 0 and 1800 m each add 100 after the first pick: the first one wins
    lat2, lon2 = lat[[0, 2]], lon[[0, 2]]
    chosen = choose_sites(lat2, lon2, lat, lon, pop, [False, True, False, True], 500.0, k=1)
    assert [(c.candidate, c.population) for c in chosen] == [(0, 100.0)]
    with pytest.raises(ValueError, match="k must"):
        choose_sites(lat, lon, lat, lon, pop, [False] * 4, 1000.0, k=0)


# ---------------------------------------------------------------- the map


def test_map_svg_colours_communities_by_missing_types():
    svg = circle_map_svg(
        [LAT0, LAT0 + 0.01, LAT0 + 0.02],
        [LON0, LON0 + 0.01, LON0],
        [0, 1, 2],
        2,
        [LAT0 + 0.005, LAT0 + 0.006],
        [LON0, LON0],
        titles=["甲 <a&b>", "乙", "丙"],
        labels=MapLabels(title="生活圈 map"),
    )
    root = ET.fromstring(svg)  # well-formed, names escaped
    ns = "{http://www.w3.org/2000/svg}"
    circles = root.findall(f".//{ns}circle")
    assert len(circles) == 5  # two facilities, three communities
    fills = [c.get("fill") for c in circles if c.get("r") == "4.5"]
    assert fills == [missing_colour(0, 2), missing_colour(1, 2), missing_colour(2, 2)]
    assert missing_colour(0, 2) == "#1a9850" and missing_colour(2, 2) == "#d73027"
    assert "甲 &lt;a&amp;b&gt;" in svg and "生活圈 map" in svg
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "0 (1)" in texts and "2 (1)" in texts  # legend with the count of communities
    assert any(t and t.endswith(" m") or t and t.endswith(" km") for t in texts)  # scale bar
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # no tiles
