"""Benchmark: the whole ``surveyapp analyze`` command against R's survey package.

    python -m bench.analyze_cli [--n 1000000] [--runs 3] [--no-r] [--out FILE]

Writes a seeded RESPONSES.csv of ``--n`` respondents (18 items in five dimensions and
the overall item; district, age group, gender; one period), MARGINS.csv and the
questionnaire (:mod:`.data`), then times, each as a whole process under
``/usr/bin/time -v`` (wall clock, CPU, peak resident memory):

* ``surveyapp analyze --margins … --strata district --by district --format json``
  (read, check, quality rules, score, rake, estimate overall and by district, drivers,
  reliability, item scores: everything the JSON holds), ``--runs`` times;
* the same with the default table output (no item scores: it shows none);
* ``Rscript bench/analysis/bench.R`` reading the same CSV and doing the same read +
  score + rake + ``svymean``/``svyby`` (+ ``svyciprop`` for the rate's interval), with
  ``rake``'s ``epsilon`` at 1e-7 so its weights converge as far as ours (1e-10).

The estimates and standard errors of the index, the satisfaction rate and the five
dimensions, overall and in each district, are compared (1e-9 relative); the logit
intervals of the rate are reported apart (``svyciprop`` fits a GLM to 1e-8, so they
agree to about 1e-9).  Figures are printed and written to
``bench/results/analyze_cli.txt``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.analysis.run import HERE as ANALYSIS_DIR

from .data import write_files

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "analyze_cli.txt"
TIME = "/usr/bin/time"
R_EPSILON = "1e-7"
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float


def timed(cmd: list[str], stdout: Path) -> Run:
    """Run ``cmd`` under ``/usr/bin/time -v``, its standard output to ``stdout``."""
    start = time.perf_counter()
    with open(stdout, "wb") as out:
        proc = subprocess.run(
            [TIME, "-v", *cmd], stdout=out, stderr=subprocess.PIPE, text=True, check=False
        )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")

    def field(name: str) -> float:
        found = re.search(rf"{re.escape(name)}: ([0-9.]+)", proc.stderr)
        return float(found.group(1)) if found else float("nan")

    cpu = field("User time (seconds)") + field("System time (seconds)")
    return Run(wall, cpu, field("Maximum resident set size (kbytes)") / 1024)


def compare(ours: dict, rows: list[dict[str, str]]) -> tuple[float, int, float, int]:
    """Largest relative difference of estimates and SEs (and how many), then of the
    rate's interval ends (and how many)."""
    groups = {g["by"]["district"]: g for g in ours["groups"]}
    worst, count, worst_ci, count_ci = 0.0, 0, 0.0, 0
    for r in rows:
        node = ours if r["group"] == "all" else groups[r["group"]]
        q = r["quantity"]
        if q == "rate_ci":
            for a, b in zip(
                node["satisfaction_rate"]["ci"], (r["ci_low"], r["ci_high"]), strict=True
            ):
                worst_ci = max(worst_ci, abs(a - float(b)) / abs(float(b)))
                count_ci += 1
            continue
        named = {"index": node["index"], "sat": node["satisfaction_rate"]}
        named.update((f"dim_{d['id']}", d) for d in node["dimensions"])
        e = named[q]
        for a, b in ((e["estimate"], r["estimate"]), (e["se"], r["se"])):
            worst = max(worst, abs(a - float(b)) / abs(float(b)))
            count += 1
    return worst, count, worst_ci, count_ci


def summary(runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    return (
        f"wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}, "
        f"{len(runs)} runs); CPU median {statistics.median(r.cpu for r in runs):.2f} s; "
        f"peak RSS {max(r.peak_mb for r in runs):.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.analyze_cli", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    if not os.path.exists(TIME):
        print("needs /usr/bin/time (apt-get install time)", file=sys.stderr)
        return 2
    surveyapp = shutil.which("surveyapp") or str(Path(sys.executable).parent / "surveyapp")
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        folder = Path(tmp)
        questionnaire, responses, margins = write_files(args.n, folder)
        size_mb = responses.stat().st_size / 2**20
        cmd = [surveyapp, "analyze", "--questionnaire", str(questionnaire), "--responses",
               str(responses), "--margins", str(margins), "--strata", "district", "--by", "district"]  # fmt: skip
        ours_json = [
            timed([*cmd, "--format", "json"], folder / "ours.json") for _ in range(args.runs)
        ]
        ours_table = [timed(cmd, folder / "ours.txt") for _ in range(args.runs)]
        doc = json.loads((folder / "ours.json").read_text(encoding="utf-8"))
        r_run = r_rows = None
        if not args.no_r and shutil.which("Rscript"):
            r_out = folder / "r_out.csv"
            r_cmd = ["Rscript", str(ANALYSIS_DIR / "bench.R"), str(responses), str(margins),
                     str(folder / "spec.csv"), str(r_out), R_EPSILON]  # fmt: skip
            r_run = timed(r_cmd, folder / "r_stdout.txt")
            with open(r_out, newline="", encoding="utf-8") as fh:
                r_rows = list(csv.DictReader(fh))

    lines = [
        "bench/analyze_cli: the whole `surveyapp analyze` process vs Rscript with survey",
        f"date {time.strftime('%Y-%m-%d %H:%M')}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, shared; "
        f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}",
        f"data: {args.n:,} respondents, {len(doc['items'])} items + overall, {size_mb:.0f} MB CSV; raked to "
        f"district/age_group/gender ({doc['weights']['iterations']} sweeps), strata district, "
        f"by district ({len(doc['groups'])} groups)",
        "",
        f"surveyapp analyze --format json: {summary(ours_json)}",
        f"surveyapp analyze (table):       {summary(ours_table)}",
    ]
    if r_run is not None and r_rows is not None:
        worst, count, worst_ci, count_ci = compare(doc, r_rows)
        best = statistics.median(r.wall for r in ours_json)
        lines += [
            f"Rscript (read.csv + score + rake + svymean/svyby + svyciprop): wall {r_run.wall:.1f} s; "
            f"CPU {r_run.cpu:.1f} s; peak RSS {r_run.peak_mb:.0f} MB",
            f"ratio (R wall / surveyapp json median wall): {r_run.wall / best:.1f}x; "
            f"table: {r_run.wall / statistics.median(r.wall for r in ours_table):.1f}x; "
            f"CPU: {r_run.cpu / statistics.median(r.cpu for r in ours_json):.1f}x",
            f"numbers: {count} estimates and SEs compared, largest relative difference {worst:.2e} "
            f"-> {'identical (< 1e-9)' if worst < TOLERANCE else 'DIFFERENT'}; "
            f"{count_ci} rate interval ends to {worst_ci:.2e}",
        ]
    else:
        lines.append("R: not run (Rscript not found or --no-r)")
    publish(lines, Path(args.out))
    return 0


def publish(lines: list[str], out: Path) -> None:
    """Print the figures and write them to ``out``."""
    text = "".join(f"{line}\n" for line in lines)
    sys.stdout.write(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
