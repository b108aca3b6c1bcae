"""GCJ-02 ↔ WGS-84 against the published test pairs of eviltransform."""

from __future__ import annotations

import random

import pytest

from surveyapp.providers.coords import gcj02_to_wgs84, in_china, wgs84_to_gcj02

# (WGS-84 lat, lon, GCJ-02 lat, lon): the test pairs of github.com/googollee/eviltransform
PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PAIRS)
def test_forward_matches_published_pairs(wlat, wlon, glat, glon):
    lat, lon = wgs84_to_gcj02(wlat, wlon)
    assert lat == pytest.approx(glat, abs=1e-9) and lon == pytest.approx(glon, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PAIRS)
def test_inverse_recovers_wgs84_to_a_centimetre(wlat, wlon, glat, glon):
    lat, lon = gcj02_to_wgs84(glat, glon)
    assert lat == pytest.approx(wlat, abs=1e-7) and lon == pytest.approx(wlon, abs=1e-7)
    # the one-step inverse (q − shift(q)) is metres off: the iteration is needed
    assert abs(lat - wlat) + abs(lon - wlon) < 1e-7


def test_round_trip_across_china():
    rng = random.Random(20261206)
    for _ in range(500):
        lat, lon = rng.uniform(18.0, 53.0), rng.uniform(74.0, 134.0)
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
        assert back == pytest.approx((lat, lon), abs=1e-7)


def test_the_offset_is_hundreds_of_metres_in_china_and_none_outside():
    glat, glon = wgs84_to_gcj02(22.7810, 100.9720)  # 普洱市思茅区
    assert 1e-4 < abs(glat - 22.7810) + abs(glon - 100.9720) < 1e-2
    assert not in_china(48.8566, 2.3522)
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)
    assert gcj02_to_wgs84(48.8566, 2.3522) == (48.8566, 2.3522)
