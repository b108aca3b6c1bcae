"""Benchmark: empirical-Bayes provider scores, simulated at scale and timed at 50,000 providers.

    python -m bench.provider_scores [--replications 20] [--providers 50000] [--repeat 3] [--no-save]

1. **Simulation** (the test's design, repeated): sectors of 2,000 providers whose true
   shares of satisfied ratings are drawn from a Beta distribution, with 1-500 ratings each
   (uniform), ``--replications`` seeds per prior.  For each: the posterior's and the raw
   share's mean squared error against the truth, and how often the 95% interval covers
   the truth, overall and by number of ratings (1-10, 11-50, 51-500); also a sector of
   small providers (1-20 ratings), where shrinkage matters most.
2. **Recompute**: ``score_providers`` over ``--providers`` providers in six sectors (two of
   them below 10 rated providers, so the all-sector fallback is fitted too) with 1-200
   ratings each (about 100 on average: 5,000,000 ratings at 50,000 providers), best of
   ``--repeat``; then :func:`scores_json` of the result.  The issue's goal: every
   provider's posterior recomputed in under 30 s.

Figures are printed and written to ``bench/results/provider_scores.txt``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import scipy

from analysis.provider_scores import ProviderLabel, ProviderTally, score_providers, scores_json

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "provider_scores.txt"
SEED = 20261206
PRIORS = [(4.0, 1.5), (8.0, 2.0), (1.5, 1.5)]
BANDS = [(1, 10), (11, 50), (51, 500)]


def tallies(
    rng: np.random.Generator, sector: str, p: np.ndarray, n: np.ndarray
) -> list[ProviderTally]:
    """Tallies of providers with true shares ``p`` and ``n`` ratings: 4-5 stars when satisfied."""
    k = rng.binomial(n, p)
    fives = rng.binomial(k, 0.5)
    low = rng.multinomial(n - k, [0.3, 0.3, 0.4])  # 1, 2 and 3 stars
    s1 = 4 * k + fives + low @ np.array([1, 2, 3])
    s2 = 16 * k + 9 * fives + low @ np.array([1, 4, 9])
    rows = zip(n.tolist(), k.tolist(), s1.tolist(), s2.tolist(), strict=True)
    return [ProviderTally(f"{sector}-{i}", sector, *r) for i, r in enumerate(rows)]


def simulate(seed: int, a: float, b: float, providers: int, n_hi: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(a, b, providers)
    n = rng.integers(1, n_hi + 1, providers)
    (sec,) = score_providers(tallies(rng, "sim", p, n))
    post = np.array([s.posterior_share for s in sec.providers], dtype=float)
    raw = np.array([s.raw_share for s in sec.providers], dtype=float)
    ci = np.array([s.ci for s in sec.providers], dtype=float)
    return {"p": p, "n": n, "post": post, "raw": raw, "cover": (ci[:, 0] <= p) & (p <= ci[:, 1])}


def simulation(replications: int) -> list[str]:
    lines = [
        "simulation: 2,000 providers a replication, true shares ~ Beta(a, b), ratings uniform on 1-500"
    ]
    lines.append("prior          reps  MSE posterior  MSE raw    ratio  coverage mean [min, max]   by ratings 1-10 / 11-50 / 51-500: MSE ratio, coverage")  # fmt: skip
    for a, b in PRIORS:
        runs = [simulate(SEED + r, a, b, 2000, 500) for r in range(replications)]
        mse_post = np.array([np.mean((x["post"] - x["p"]) ** 2) for x in runs])
        mse_raw = np.array([np.mean((x["raw"] - x["p"]) ** 2) for x in runs])
        cover = np.array([x["cover"].mean() for x in runs])
        bands = []
        for lo, hi in BANDS:
            sel = [(x["n"] >= lo) & (x["n"] <= hi) for x in runs]
            mp = sum(((x["post"] - x["p"])[s] ** 2).sum() for x, s in zip(runs, sel, strict=True))
            mr = sum(((x["raw"] - x["p"])[s] ** 2).sum() for x, s in zip(runs, sel, strict=True))
            cv = sum(x["cover"][s].sum() for x, s in zip(runs, sel, strict=True)) / sum(s.sum() for s in sel)  # fmt: skip
            bands.append(f"{mp / mr:.2f}, {cv:.3f}")
        lines.append(
            f"{f'Beta({a:g}, {b:g})':<14} {replications:4d}  {mse_post.mean():.6f}       {mse_raw.mean():.6f}   "
            f"{mse_post.mean() / mse_raw.mean():.2f}   {cover.mean():.3f} [{cover.min():.3f}, {cover.max():.3f}]"
            f"       {' / '.join(bands)}"
        )  # fmt: skip
    small = [simulate(SEED + 1000 + r, 4.0, 1.5, 2000, 20) for r in range(replications)]
    mp = np.mean([np.mean((x["post"] - x["p"]) ** 2) for x in small])
    mr = np.mean([np.mean((x["raw"] - x["p"]) ** 2) for x in small])
    cv = np.array([x["cover"].mean() for x in small])
    lines.append(
        f"small providers (1-20 ratings), Beta(4, 1.5), {replications} reps: MSE posterior {mp:.5f}, "
        f"raw {mr:.5f} (ratio {mp / mr:.2f}); coverage {cv.mean():.3f} [{cv.min():.3f}, {cv.max():.3f}]"
    )
    return lines


def recompute(providers: int, repeat: int) -> list[str]:
    rng = np.random.default_rng(SEED)
    shares = {"catering": 0.40, "lodging": 0.20, "retail": 0.25, "elderly_care": 0.15,
              "domestic": 0.0, "logistics": 0.0}  # fmt: skip
    rows: list[ProviderTally] = []
    for sector, share in shares.items():
        count = int(providers * share) if share else 8  # two sectors below 10 rated providers
        p = rng.beta(5.0, 1.8, count)
        rows += tallies(rng, sector, p, rng.integers(1, 201, count))
    ratings = sum(t.n for t in rows)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = score_providers(rows)
        times.append(time.perf_counter() - t0)
    labels = {t.id: ProviderLabel(None, t.id, "思茅区") for t in rows}
    t0 = time.perf_counter()
    scores_json(result, labels)
    json_s = time.perf_counter() - t0
    best = min(times)
    verdict = "met" if best < 30 else "NOT met"
    fallback = [s.sector for s in result if s.prior is not None and s.prior.scope == "all sectors"]
    return [
        f"recompute: {len(rows):,} providers in {len(result)} sectors, {ratings:,} ratings "
        f"(the all-sector prior fitted too, for {', '.join(fallback)})",
        f"score_providers (priors + every posterior): best of {repeat} {best:.2f} s "
        f"(all: {', '.join(f'{t:.2f}' for t in times)}); goal < 30 s: {verdict}",
        f"scores_json of the result: {json_s:.2f} s",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.provider_scores")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--providers", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    lines = [
        "bench/provider_scores: empirical-Bayes provider scores (analysis.provider_scores)",
        f"date {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; machine: {os.cpu_count()} cores, "
        f"shared with other jobs (load average {load:.1f}); Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}",
        *simulation(args.replications),
        *recompute(args.providers, args.repeat),
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if not args.no_save:
        OUT.write_text(text, encoding="utf-8")
    return 0
