"""Seeded provider tallies for the R comparison of :mod:`analysis.provider_scores`.

Run from anywhere:  python tests/analysis/results/provider_scores/make_data.py
Writes ``tallies_A.csv`` (300 providers, shares ~ Beta(6, 2), 1-200 ratings) and
``tallies_B.csv`` (60 providers, shares ~ Beta(2, 3), 1-12 ratings) next to this file:
``id, n, satisfied, stars_sum, stars_sq_sum`` per provider (overall stars 4-5 when
satisfied, else 1-3).  ``make_reference.R`` reads them and writes ``reference_*.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = {"A": (20261206, 300, 6.0, 2.0, 200), "B": (20261207, 60, 2.0, 3.0, 12)}


def main() -> None:
    for case, (seed, providers, a, b, n_hi) in CASES.items():
        rng = np.random.default_rng(seed)
        p = rng.beta(a, b, providers)
        n = rng.integers(1, n_hi + 1, providers)
        with open(HERE / f"tallies_{case}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["id", "n", "satisfied", "stars_sum", "stars_sq_sum"])
            for i in range(providers):
                sat = rng.random(n[i]) < p[i]
                # the satisfied rating's stars lean with the share: providers differ in mean stars too
                stars = np.where(sat, 4 + (rng.random(n[i]) < p[i]), rng.integers(1, 4, n[i]))
                w.writerow([f"{case}{i:03d}", n[i], sat.sum(), stars.sum(), (stars * stars).sum()])


if __name__ == "__main__":
    main()
