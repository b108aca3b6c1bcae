"""Benchmark of the stored 15-minute circle (the dashboard's numbers) and of the
vectorised GCJ-02 conversion.

    python -m bench.circle.stored [--communities 20000] [--providers 200000]
                                  [--gcj 200000] [--repeat 3] [--out FILE] [--no-save]

A SQLite database in a temporary folder holds ``--communities`` communities and
``--providers`` open providers with coordinates and service types, placed as
:mod:`bench.circle` places its city (the same seed).  Timed:

1. the data state (two aggregate queries, read at most every ``RECHECK_SECONDS`` per
   process), and a request answered from the kept report;
2. the first request after a change: loading communities and providers and computing
   coverage of every type (:func:`surveyapp.circle.stored.stored_report`);
3. ``coverage_share`` as a bound plan indicator asks it (kept report), and reading the
   providers alone;
4. GCJ-02 → WGS-84 on ``--gcj`` points, numpy columns against the row-by-row function
   (the baseline in the same run), with the largest difference between the two.

Figures are printed and written to ``bench/results/circle_stored.txt``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.circle.__main__ import city, emit
from bench.csv_read.__main__ import cpu_model

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "circle_stored.txt"
TYPES = ("便利店", "早餐店", "蔬菜零售", "洗染", "美容美发", "家政服务",
         "代收代缴", "再生资源回收", "卫生", "养老", "文化", "体育")  # fmt: skip


def _fill(session, n_communities: int, n_providers: int) -> None:
    from sqlalchemy import insert

    from surveyapp.models import Provider
    from surveyapp.models.base import utcnow
    from surveyapp.models.circle import CircleCommunity

    clat, clon, flat, flon, ftype = city(n_communities, n_providers, len(TYPES))
    now = utcnow()
    rng = np.random.default_rng(7)
    session.execute(
        insert(CircleCommunity),
        [
            {"name": f"社区{i}", "district": f"区{i % 10}", "population": int(p),
             "lat": float(a), "lon": float(b), "source_row": i + 2, "source": "bench.csv",
             "imported_at": now}
            for i, (a, b, p) in enumerate(zip(clat, clon, rng.integers(300, 9000, clat.size),
                                              strict=True))
        ],
    )  # fmt: skip
    session.execute(
        insert(Provider),
        [
            {"registration_no": f"B{i:09d}", "name": f"商户{i}", "district": f"区{i % 10}",
             "lat": float(a), "lon": float(b), "service_types": [TYPES[int(t)]],
             "status": "open", "created_at": now, "updated_at": now}
            for i, (a, b, t) in enumerate(zip(flat, flon, ftype, strict=True))
        ],
    )  # fmt: skip
    session.commit()


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(argv: Sequence[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m bench.circle.stored")
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--providers", type=int, default=200_000)
    parser.add_argument("--gcj", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    from sqlalchemy import text

    from surveyapp import create_app
    from surveyapp.circle import stored
    from surveyapp.extensions import db
    from surveyapp.models import Base
    from surveyapp.providers.coords import gcj02_to_wgs84, gcj02_to_wgs84_array

    load_before = os.getloadavg()[0]
    folder = tempfile.mkdtemp(prefix="bench-circle-")
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": f"sqlite:///{folder}/b.db",
                      "ACCESS_LOG": False})  # fmt: skip
    with app.app_context():
        Base.metadata.create_all(db.engine)
        _fill(db.session, args.communities, args.providers)
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        stored.data_state(db.session)  # a warm connection, as a running server has
        cheap = max(args.repeat, 7)
        state_s = _median(lambda: stored.data_state(db.session), cheap)
        load_s = _median(lambda: stored.registry_facilities(db.session), args.repeat)
        first = []
        for _ in range(args.repeat):
            stored.clear_cache()
            start = time.perf_counter()
            report = stored.stored_report(db.session)
            first.append(time.perf_counter() - start)
        first_s = float(np.median(first))
        kept_s = _median(lambda: stored.stored_report(db.session), cheap)
        share_s = _median(lambda: stored.coverage_share(db.session, "便利店"), cheap)
        assert report is not None
        share = stored.coverage_share(db.session, "便利店")
        db.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)

    rng = np.random.default_rng(11)
    lat = rng.uniform(18.0, 53.0, args.gcj)
    lon = rng.uniform(74.0, 134.0, args.gcj)
    vec_s = _median(lambda: gcj02_to_wgs84_array(lat, lon), args.repeat)
    start = time.perf_counter()
    scalar = np.array([gcj02_to_wgs84(a, b) for a, b in zip(lat.tolist(), lon.tolist(),
                                                            strict=True)])  # fmt: skip
    scalar_s = time.perf_counter() - start
    wlat, wlon = gcj02_to_wgs84_array(lat, lon)
    diff = float(max(np.abs(wlat - scalar[:, 0]).max(), np.abs(wlon - scalar[:, 1]).max()))

    lines = [
        "15-minute circle, stored (python -m bench.circle.stored)",
        f"machine: {os.cpu_count()} cores ({cpu_model()}), shared with other jobs (load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after); SQLite; medians of "
        f"{args.repeat}",
        f"{args.communities:,} communities x {args.providers:,} open providers, "
        f"{len(TYPES)} types, radius 1,000 m, straight-line",
        f"the data state (2 aggregate queries, read at most every "
        f"{stored.RECHECK_SECONDS:g} s per process): {state_s * 1000:8.1f} ms",
        f"per request, a kept report (look-up):              {kept_s * 1000:8.3f} ms",
        f"coverage_share of a bound indicator (kept report):  {share_s * 1000:8.1f} ms "
        f"(便利店: {share:.4f})",
        f"first request after a change (load + coverage):   {first_s:8.2f} s "
        f"({first_s / kept_s:,.0f}x a kept request); of which reading the providers "
        f"{load_s:.2f} s",
        f"GCJ-02 -> WGS-84 of {args.gcj:,} points: numpy columns {vec_s:.3f} s, row by row "
        f"{scalar_s:.2f} s ({scalar_s / vec_s:.0f}x); largest difference {diff:.1e} degrees",
    ]
    return emit(lines, None if args.no_save else args.out)


if __name__ == "__main__":
    main()
