"""Benchmark: analysis.run() on 1,000,000 respondents against R's survey package.

    python -m bench.analysis [--n 1000000] [--no-r]

Our side runs in a child process (:mod:`.worker`): it generates the seeded data, then
times ``run()`` with raking to district/age/gender margins, district strata, and the
index, satisfaction rate (logit interval) and dimension scores overall and by district
(best of 3), then the full ``run()`` (items, drivers, reliability too).  Its peak
memory is the child's ``ru_maxrss`` (data included) and the tracemalloc peak of
``run()`` alone.

When ``Rscript`` is on the PATH, the same data are written to CSV and ``bench.R`` does
the same analysis with the survey package under ``/usr/bin/time -v`` (peak memory) and
times itself after reading the CSV.  Both sets of numbers are compared (1e-6 relative).
Figures are printed and written to ``bench/results/analysis.txt``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import data

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUT = ROOT / "bench" / "results" / "analysis.txt"


def write_inputs(n: int, folder: Path) -> tuple[Path, Path, Path]:
    """The benchmark data as RESPONSES-style CSV, margins and spec, for R."""
    m = data.matrix(n)
    sp = data.spec()
    resp = folder / "data.csv"
    header = ["respondent_id", "district", "age_group", "gender", "period", *sp.item_ids, "overall"]
    scores = np.column_stack([m.scores, m.overall])
    text = np.where(np.isnan(scores), "", np.nan_to_num(scores).astype(np.int64).astype(str))
    with open(resp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        cols = [
            m.respondent_ids,
            *(m.columns[c] for c in ("district", "age_group", "gender", "period")),
        ]
        for i in range(0, n, 100_000):
            block = [c[i : i + 100_000] for c in cols]
            w.writerows(
                [*fixed, *row]
                for fixed, row in zip(
                    zip(*block, strict=True), text[i : i + 100_000].tolist(), strict=True
                )
            )
    marg = folder / "margins.csv"
    with open(marg, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["variable", "category", "population"])
        for var, cats in data.margins().totals.items():
            for cat, pop in cats.items():
                w.writerow([var, cat, int(pop)])
    spec_path = folder / "spec.csv"
    dims = {d.id: d.weight for d in sp.dimensions}
    with open(spec_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["kind", "id", "dimension", "weight", "dimension_weight", "min", "max", "threshold"]
        )
        for it in sp.items:
            w.writerow(
                ["item", it.id, it.dimension, it.weight, dims[it.dimension], it.min, it.max, ""]
            )
        w.writerow(["overall", sp.overall_id, "", "", "", sp.overall_min, sp.overall_max,
                    sp.satisfied_threshold])  # fmt: skip
    return resp, marg, spec_path


def run_r(folder: Path, resp: Path, marg: Path, spec: Path) -> dict[str, object]:
    out = folder / "r_out.csv"
    cmd = ["Rscript", str(HERE / "bench.R"), str(resp), str(marg), str(spec), str(out)]
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if timer:
        cmd = [timer, "-v", *cmd]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"R failed: {proc.stderr[-2000:]}")
    seconds = float(re.search(r"r_seconds\s+([0-9.]+)", proc.stdout).group(1))  # type: ignore[union-attr]
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        "seconds": seconds,
        "wall_seconds": wall,
        "peak_rss_mb": int(rss.group(1)) / 1024 if rss else math.nan,
        "rows": rows,
    }


def compare(ours: dict, rows: list[dict[str, str]]) -> tuple[float, int]:
    """Largest relative difference between R's numbers and ours, and how many were compared."""
    groups = {g["by"]["district"]: g for g in ours["groups"]}
    worst, count = 0.0, 0

    def rel(a: float, b: str) -> float:
        bv = float(b)
        return abs(a - bv) / abs(bv) if bv else abs(a - bv)

    for r in rows:
        node = ours if r["group"] == "all" else groups[r["group"]]
        q = r["quantity"]
        if q == "rate_ci":
            pairs = [(node["satisfaction_rate"]["ci"][0], r["ci_low"]),
                     (node["satisfaction_rate"]["ci"][1], r["ci_high"])]  # fmt: skip
        else:
            if q == "index":
                e = node["index"]
            elif q == "sat":
                e = node["satisfaction_rate"]
            else:
                e = next(d for d in node["dimensions"] if d["id"] == q[4:])
            pairs = [(e["estimate"], r["estimate"]), (e["se"], r["se"])]
        for a, b in pairs:
            worst = max(worst, rel(a, b))
            count += 1
    return worst, count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.analysis", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--no-r", action="store_true", help="skip R even when it is installed")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        folder = Path(tmp)
        ours_json = folder / "ours.json"
        subprocess.run(
            [sys.executable, "-m", "bench.analysis.worker", str(args.n), str(ours_json)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        ours = json.loads(ours_json.read_text(encoding="utf-8"))
        r = None
        if not args.no_r and shutil.which("Rscript"):
            resp, marg, spec = write_inputs(args.n, folder)
            r = run_r(folder, resp, marg, spec)

    res = ours["result"]
    lines = [
        "bench/analysis: analysis.run() vs R survey",
        f"date {time.strftime('%Y-%m-%d %H:%M')}; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
        f"Python {platform.python_version()}, numpy {np.__version__}",
        f"data: {args.n:,} respondents, {len(data.spec().items)} items in {len(data.DIMENSIONS)} dimensions, "
        f"raked to district/age_group/gender margins ({res['weights']['iterations']} sweeps), "
        f"strata district, by district ({len(res['groups'])} groups)",
        "",
        f"ours: rake + index, rate (logit CI), dimensions, overall and by district: "
        f"{ours['core_seconds']:.2f} s (best of 3); tracemalloc peak of run() {ours['core_traced_peak_mb']:.0f} MB",
        f"ours: full run() (+ 18 item scores, drivers, reliability): {ours['full_seconds']:.2f} s; "
        f"tracemalloc peak {ours['full_traced_peak_mb']:.0f} MB",
        f"ours: peak RSS of the process {ours['peak_rss_mb']:.0f} MB "
        f"(of which generating the data {ours['data_rss_mb']:.0f} MB)",
    ]
    if r is not None:
        worst, count = compare(res, r["rows"])  # type: ignore[arg-type]
        ratio = float(r["seconds"]) / ours["core_seconds"]  # type: ignore[arg-type]
        lines += [
            f"R survey: same analysis {r['seconds']:.2f} s (after reading the CSV; "
            f"whole Rscript {r['wall_seconds']:.1f} s); peak RSS {r['peak_rss_mb']:.0f} MB",
            f"speed-up: {ratio:.1f}x; memory: ours {ours['peak_rss_mb']:.0f} MB vs R {r['peak_rss_mb']:.0f} MB",
            f"numbers: {count} compared (estimates, SEs, rate CIs), largest relative difference "
            f"{worst:.2e} -> {'identical (<1e-6)' if worst < 1e-6 else 'DIFFERENT'}",
        ]
    else:
        lines.append("R: not run (Rscript not found or --no-r)")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0
