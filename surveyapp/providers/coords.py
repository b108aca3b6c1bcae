"""GCJ-02 (the offset coordinates of Chinese web maps) to WGS-84, and back.

Chinese web maps (AMap/Gaode, Tencent, Google's China tiles) publish GCJ-02 (火星坐标),
WGS-84 shifted by a published non-linear offset of a few hundred metres.  The offset is
the well-known transform computed on the Krasovsky 1940 ellipsoid (a = 6,378,245 m,
e² = 0.00669342162296594323) from the polynomial-and-sine terms in ``_shift``; outside
China's rough bounding box (longitude 72.004–137.8347, latitude 0.8293–55.8271) there is
no offset.  References: the "eviltransform" implementations (github.com/googollee/
eviltransform, whose test pairs :mod:`tests.providers.test_coords` uses) and
coordtransform; the algorithm itself circulated as ``Converter.java`` (emq).

:func:`wgs84_to_gcj02` is the forward transform.  There is no closed-form inverse:
:func:`gcj02_to_wgs84` solves ``wgs84_to_gcj02(p) = q`` by fixed-point iteration, which
converges to a few millimetres in three or four steps (the one-step inverse many
libraries use is off by one to two metres).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "gcj02_to_wgs84",
    "gcj02_to_wgs84_array",
    "in_china",
    "in_china_array",
    "wgs84_to_gcj02",
    "wgs84_to_gcj02_array",
]

_A = 6378245.0
_EE = 0.00669342162296594323
#: Iterate the inverse until it moves less than this (degrees: about 1 mm)
_TOLERANCE = 1e-8
_MAX_STEPS = 30


def in_china(lat: float, lon: float) -> bool:
    """Whether the point is inside the box where GCJ-02 differs from WGS-84."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _shift(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (latitude, longitude)."""
    x, y = lon - 105.0, lat - 35.0
    root = math.sqrt(abs(x))
    wave = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root + wave
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root + wave
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    root_magic = math.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * root_magic) * math.pi)
    dlon = dlon * 180.0 / (_A / root_magic * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 point of a WGS-84 one (unchanged outside China)."""
    if not in_china(lat, lon):
        return lat, lon
    dlat, dlon = _shift(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 point is ``(lat, lon)`` (unchanged outside China)."""
    if not in_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(_MAX_STEPS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        step_lat, step_lon = glat - lat, glon - lon
        wlat, wlon = wlat - step_lat, wlon - step_lon
        if abs(step_lat) < _TOLERANCE and abs(step_lon) < _TOLERANCE:
            break
    return wlat, wlon


# ---------------------------------------------------------------- whole columns (numpy)


def _shift_array(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_shift` on arrays: the same terms in the same order, element by element."""
    x, y = lon - 105.0, lat - 35.0
    root = np.sqrt(np.abs(x))
    pi = math.pi
    wave = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2 / 3
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root + wave
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2 / 3
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y / 30.0 * pi)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root + wave
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2 / 3
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2 / 3
    rad = lat / 180.0 * pi
    magic = 1 - _EE * np.sin(rad) ** 2
    root_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * root_magic) * pi)
    dlon = dlon * 180.0 / (_A / root_magic * np.cos(rad) * pi)
    return dlat, dlon


def _columns(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.broadcast_arrays(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64))
    return a.copy(), b.copy()


def in_china_array(lat: npt.ArrayLike, lon: npt.ArrayLike) -> np.ndarray:
    """:func:`in_china` per element (NaN is outside)."""
    a, b = _columns(lat, lon)
    return (72.004 <= b) & (b <= 137.8347) & (0.8293 <= a) & (a <= 55.8271)


def wgs84_to_gcj02_array(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wgs84_to_gcj02` on whole columns (new arrays; points outside China and NaN
    unchanged)."""
    a, b = _columns(lat, lon)
    inside = in_china_array(a, b)
    dlat, dlon = _shift_array(a[inside], b[inside])
    a[inside] += dlat
    b[inside] += dlon
    return a, b


def gcj02_to_wgs84_array(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """:func:`gcj02_to_wgs84` on whole columns: the same fixed-point iteration, each point
    stopping at the step where the scalar one stops, so the answers agree to rounding
    (about 1e-14 degrees) at a fraction of the time of a Python loop."""
    glat, glon = _columns(lat, lon)
    wlat, wlon = glat.copy(), glon.copy()
    active = np.flatnonzero(in_china_array(glat, glon))
    for _ in range(_MAX_STEPS):
        if active.size == 0:
            break
        flat, flon = wgs84_to_gcj02_array(wlat[active], wlon[active])
        step_lat, step_lon = flat - glat[active], flon - glon[active]
        wlat[active] -= step_lat
        wlon[active] -= step_lon
        moving = (np.abs(step_lat) >= _TOLERANCE) | (np.abs(step_lon) >= _TOLERANCE)
        active = active[moving]
    return wlat, wlon
