"""The vectorised GCJ-02 ↔ WGS-84 conversion: equal to the scalar one on many points,
against the published reference pairs, and used by the circle's file readers."""

from __future__ import annotations

import numpy as np
import pytest

from surveyapp.providers.coords import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    in_china,
    in_china_array,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)
from tests.providers.test_provider_coords import PAIRS


def _points(n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Points over China and its box edges, some outside it, and a NaN."""
    rng = np.random.default_rng(20261207)
    lat = rng.uniform(-5.0, 60.0, n)
    lon = rng.uniform(65.0, 145.0, n)
    lat[:4], lon[:4] = [0.8293, 55.8271, 22.78, np.nan], [72.004, 137.8347, 100.97, 100.0]
    return lat, lon


def test_forward_equals_the_scalar_one_on_many_points():
    lat, lon = _points()
    glat, glon = wgs84_to_gcj02_array(lat, lon)
    scalar = np.array(
        [wgs84_to_gcj02(a, b) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    )
    np.testing.assert_allclose(glat, scalar[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(glon, scalar[:, 1], rtol=0, atol=1e-9)
    assert np.array_equal(
        in_china_array(lat, lon), [in_china(a, b) for a, b in zip(lat, lon, strict=True)]
    )
    outside = ~in_china_array(lat, lon) & np.isfinite(lat)
    assert outside.sum() > 1000 and np.array_equal(glat[outside], lat[outside])


def test_inverse_equals_the_scalar_one_on_many_points():
    lat, lon = _points()
    wlat, wlon = gcj02_to_wgs84_array(lat, lon)
    scalar = np.array(
        [gcj02_to_wgs84(a, b) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    )
    np.testing.assert_allclose(wlat, scalar[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(wlon, scalar[:, 1], rtol=0, atol=1e-9)
    assert np.isnan(wlat[3])
    # and it is the inverse: forward of the answer is the input, to a millimetre (away
    # from the box's edges, where the answer may fall outside the box)
    inside = in_china_array(wlat, wlon) & in_china_array(lat - 0.1, lon - 0.1)
    inside &= in_china_array(lat + 0.1, lon + 0.1)
    back_lat, back_lon = wgs84_to_gcj02_array(wlat[inside], wlon[inside])
    assert np.abs(back_lat - lat[inside]).max() < 1e-8
    assert np.abs(back_lon - lon[inside]).max() < 1e-8


def test_the_published_pairs():
    wgs = np.array([p[:2] for p in PAIRS])
    gcj = np.array([p[2:] for p in PAIRS])
    glat, glon = wgs84_to_gcj02_array(wgs[:, 0], wgs[:, 1])
    np.testing.assert_allclose(np.column_stack((glat, glon)), gcj, rtol=0, atol=1e-9)
    wlat, wlon = gcj02_to_wgs84_array(gcj[:, 0], gcj[:, 1])
    np.testing.assert_allclose(np.column_stack((wlat, wlon)), wgs, rtol=0, atol=1e-7)


def test_inputs_are_not_changed_and_scalars_broadcast():
    lat, lon = np.array([22.78, 48.85]), np.array([100.97, 2.35])
    keep = lat.copy(), lon.copy()
    gcj02_to_wgs84_array(lat, lon)
    assert np.array_equal(lat, keep[0]) and np.array_equal(lon, keep[1])
    a, b = wgs84_to_gcj02_array(22.78, [100.97, 100.98])
    assert a.shape == b.shape == (2,)
    assert (float(a[0]), float(b[0])) == pytest.approx(wgs84_to_gcj02(22.78, 100.97), abs=1e-12)


def test_a_gcj02_file_is_converted_row_by_row_equal(tmp_path):
    from surveyapp.circle.files import read_facilities

    rows = ["facility,service_type,lat,lon,crs"]
    rng = np.random.default_rng(3)
    pts = rng.uniform([22.0, 100.0], [23.5, 101.5], size=(300, 2))
    crs = ["GCJ02" if i % 3 else "WGS84" for i in range(300)]
    rows += [
        f"f{i},便利店,{a!r},{b!r},{c}"
        for i, ((a, b), c) in enumerate(zip(pts.tolist(), crs, strict=True))
    ]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    f = read_facilities(path)
    for i, ((a, b), c) in enumerate(zip(pts.tolist(), crs, strict=True)):
        want = gcj02_to_wgs84(a, b) if c == "GCJ02" else (a, b)
        assert (f.lat[i], f.lon[i]) == pytest.approx(want, abs=1e-9)
