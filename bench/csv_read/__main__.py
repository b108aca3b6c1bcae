"""Benchmark: reading RESPONSES.csv, column-wise (pyarrow + numpy) against the row loop.

    python -m bench.csv_read [--n 200000] [--repeat 3] [--out FILE] [--no-save]

Writes a seeded RESPONSES.csv of ``--n`` catering respondents (16 items and the overall
item, three respondent questions, period, duration, a free-text column; one score in
twenty left empty), then reads it in this one process with the former per-row reader
(:mod:`.baseline`) and with :func:`surveyapp.responses.csv_layout.read_responses`
(best of ``--repeat`` each), checks that both give the same matrix, and prints the
figures and the ratio; they are written to ``bench/results/csv_read.txt``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow

from analysis import ResponseMatrix
from surveyapp.questionnaire import load_questionnaire
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.csv_layout import read_responses

from .baseline import read_responses_rowwise

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "csv_read.txt"
QUESTIONNAIRE = ROOT / "questionnaires" / "catering.yaml"
SEED = 20260611


def write_file(path: Path, q: Questionnaire, n: int) -> None:
    """A seeded RESPONSES.csv of ``n`` respondents in the analysis contract's layout."""
    rng = np.random.default_rng(SEED)
    header = ["respondent_id", *q.respondent_ids, "period", "duration", *q.answer_ids, "note"]
    scores = rng.integers(1, 6, size=(n, len(q.answer_ids))).astype(str).astype(object)
    scores[rng.random(scores.shape) < 0.05] = ""
    people = [rng.choice(np.array(rq.values, dtype=object), size=n) for rq in q.respondent]
    durations = rng.integers(60, 900, size=n).astype(str)
    notes = np.where(rng.random(n) < 0.1, "菜很好, 服务慢", "")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for i in range(n):
            out.writerow(
                [f"R{i:07d}", *(p[i] for p in people), "2026Q3", durations[i], *scores[i], notes[i]]
            )


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def same(a: ResponseMatrix, b: ResponseMatrix) -> bool:
    return (
        bool((a.respondent_ids == b.respondent_ids).all())
        and np.array_equal(a.scores, b.scores, equal_nan=True)
        and np.array_equal(a.overall, b.overall, equal_nan=True)
        and np.array_equal(a.durations, b.durations, equal_nan=True)
        and list(a.columns) == list(b.columns)
        and all((a.values(c) == b.values(c)).all() for c in a.columns)
    )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main(argv: Sequence[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-save", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    q = load_questionnaire(str(QUESTIONNAIRE))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "RESPONSES.csv"
        write_file(path, q, args.n)
        size = path.stat().st_size / 2**20
        old_s, old = best_of(args.repeat, lambda: read_responses_rowwise(str(path), q))
        new_s, new = best_of(args.repeat, lambda: read_responses(path, q).matrix)
    assert isinstance(old, ResponseMatrix) and isinstance(new, ResponseMatrix)
    lines = [
        "bench/csv_read: RESPONSES.csv read row by row (csv module) vs column-wise (pyarrow + numpy)",
        f"date {time.strftime('%Y-%m-%d %H:%M')}; machine: {os.cpu_count()} cores ({cpu_model()}), "
        f"shared with other jobs (load average {os.getloadavg()[0]:.1f}); Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"pyarrow {pyarrow.__version__}",
        f"data: {args.n:,} respondents x {len(q.answer_ids)} scores + 6 other columns, "
        f"{size:.1f} MB UTF-8; best of {args.repeat}, both in this process",
        f"row loop (former reader):          {old_s:8.3f} s",
        f"column-wise (read_table + layout): {new_s:8.3f} s",
        f"ratio: {old_s / new_s:.1f}x faster; same matrix: {'yes' if same(old, new) else 'NO'}",
    ]
    print("\n".join(lines))
    if not args.no_save:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


if __name__ == "__main__":
    main()
