"""Our side of the benchmark, in a process of its own so that its peak memory is ours alone.

python -m bench.analysis.worker N OUT.json
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc

from analysis import run

from . import data

CORE = {"items": False, "drivers": False, "reliability": False}


def main(n: int, out: str) -> None:
    t = time.perf_counter()
    matrix = data.matrix(n)
    spec, margins = data.spec(), data.margins()
    gen = time.perf_counter() - t
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def once(**kw: bool) -> tuple[float, object]:
        t = time.perf_counter()
        r = run(matrix, spec, margins=margins, strata="district", by="district", **kw)
        return time.perf_counter() - t, r

    core = [once(**CORE) for _ in range(3)]
    core_time = min(c[0] for c in core)
    result = core[0][1]
    full_time, _ = once()
    tracemalloc.start()
    once(**CORE)
    core_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
    once()
    full_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    doc = {
        "n": n,
        "generate_seconds": gen,
        "core_seconds": core_time,
        "full_seconds": full_time,
        "core_traced_peak_mb": core_peak,
        "full_traced_peak_mb": full_peak,
        "data_rss_mb": rss_data,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "result": result.to_dict(),  # type: ignore[attr-defined]
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
