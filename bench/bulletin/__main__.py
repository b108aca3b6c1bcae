"""Benchmark: the bulletin of the latest of four periods, six sectors x ten districts.

    python -m bench.bulletin [--per-round 600] [--repeat 3] [--database-url URL] [--out FILE]

Seeds a fresh SQLite database (or the empty database at ``--database-url``) with the
demo's six sectors and ten districts over four closed quarters (:mod:`.seed`), then
makes the latest quarter's bulletin ``--repeat`` times, each from scratch (a new
analyser: nothing cached between runs).  Every run is split into

- *read*: :func:`load_round_matrix`, the rounds' responses from the database to arrays;
- *compute*: :func:`analysis.run` (24 rounds: the current one in full, the previous one
  for the change, the two before for the trend) and :func:`analysis.compare_periods`;
- *other*: the rest of :func:`prepare_bulletin` (finding rounds, margin fitting, quality
  flags, suggestions, the content);
- *render*: :meth:`Draft.render`, ReportLab's layout and PDF.

The goal of issue 4 is under 2 s in total.  Figures are printed and written to
``bench/results/bulletin.txt`` (``--out -``: printed only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "results" / "bulletin.txt"
GOAL_SECONDS = 2.0


@dataclass(frozen=True)
class Run:
    read: float
    compute: float
    other: float
    render: float
    cpu: float
    pages: int
    size: int
    font: str

    @property
    def analysis(self) -> float:
        return self.read + self.compute + self.other

    @property
    def total(self) -> float:
        return self.analysis + self.render


@contextmanager
def timed(targets: list[tuple[Any, str, str]], spent: dict[str, float]) -> Iterator[None]:
    """Add the time spent in each ``(owner, attribute)`` function to ``spent[bucket]``."""
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]

    def wrap(fn: Callable, bucket: str) -> Callable:
        def inner(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[bucket] += time.perf_counter() - t

        return inner

    for (owner, name, bucket), (_, _, fn) in zip(targets, saved, strict=True):
        setattr(owner, name, wrap(fn, bucket))
    try:
        yield
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def one_run(session, period: str) -> Run:
    import analysis
    from surveyapp.bulletins.service import prepare_bulletin
    from surveyapp.indices import stored
    from surveyapp.publications import page_count

    spent: dict[str, float] = defaultdict(float)
    targets = [
        (stored, "load_round_matrix", "read"),
        (analysis, "run", "compute"),
        (analysis, "compare_periods", "compute"),
    ]
    c0, t0 = time.process_time(), time.perf_counter()
    with timed(targets, spent):
        draft = prepare_bulletin(session, period)
    t1 = time.perf_counter()
    pdf = draft.render()
    t2, c2 = time.perf_counter(), time.process_time()
    session.rollback()
    other = (t1 - t0) - spent["read"] - spent["compute"]
    return Run(
        spent["read"],
        spent["compute"],
        other,
        t2 - t1,
        c2 - c0,
        page_count(pdf),
        len(pdf),
        f"{draft.fonts.name} ({'embedded' if draft.fonts.embedded else 'not embedded'})",
    )


def measure(database_url: str | None, per_round: int, repeat: int) -> tuple[list[Run], dict]:
    """Seed, then time ``repeat`` bulletins; returns the runs and what was measured."""
    if database_url:
        return _measure(database_url, per_round, repeat)
    with tempfile.TemporaryDirectory() as folder:
        return _measure(f"sqlite:///{Path(folder) / 'bench.db'}", per_round, repeat)


def _measure(url: str, per_round: int, repeat: int) -> tuple[list[Run], dict]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.extensions import db

    from .seed import last_closed_quarters, seed_periods

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
    with app.app_context():
        upgrade()
        periods = last_closed_quarters(4)
        n = seed_periods(db.session, periods, per_round)
        runs = [one_run(db.session, periods[-1]) for _ in range(repeat)]
        db.session.remove()
        db.engine.dispose()
    return runs, {"url": url.split("://")[0], "periods": periods, "responses": n}


def report(runs: list[Run], about: dict, per_round: int) -> list[str]:
    warm = runs[1:] or runs
    wmed = {
        a: statistics.median(getattr(r, a) for r in warm)
        for a in ("read", "compute", "other", "analysis", "render", "total", "cpu")
    }
    first = runs[0]
    lines = [
        f"machine: {os.cpu_count()} cores shared with other jobs (load average "
        f"{os.getloadavg()[0]:.1f} at the end), "
        f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC",
        f"data: 6 sectors x 10 districts x 4 periods ({', '.join(about['periods'])}), "
        f"{per_round} responses a round, {about['responses']:,} in all ({about['url']}); "
        f"bulletin of {about['periods'][-1]}: {first.pages} pages, {first.size / 1024:.0f} KB, "
        f"font {first.font}",
        f"{'seconds':<12}{'read':>8}{'compute':>9}{'other':>8}{'analysis':>10}{'render':>8}{'total':>8}{'cpu':>7}",
    ]

    def row(label: str, r: dict[str, float]) -> str:
        return (
            f"{label:<12}{r['read']:>8.2f}{r['compute']:>9.2f}{r['other']:>8.2f}"
            f"{r['analysis']:>10.2f}{r['render']:>8.2f}{r['total']:>8.2f}{r['cpu']:>7.2f}"
        )

    lines.append(row("first run", {a: getattr(first, a) for a in wmed}))
    lines.append(row(f"median of {len(warm)}", wmed))

    def verdict(seconds: float) -> str:
        return "met" if seconds < GOAL_SECONDS else "NOT met"

    share = wmed["render"] / wmed["total"] if wmed["total"] else 0.0
    lines.append(
        f"goal: under {GOAL_SECONDS:g} s in total, warm process: wall clock "
        f"{verdict(wmed['total'])} ({wmed['total']:.2f} s), CPU {verdict(wmed['cpu'])} "
        f"({wmed['cpu']:.2f} s); first run of a process: wall clock {verdict(first.total)} "
        f"({first.total:.2f} s: it also imports statsmodels for the drivers); "
        f"rendering is {share:.0%} of the warm wall clock"
    )
    lines.append(
        "columns: wall-clock seconds; cpu = this process's CPU seconds for the whole "
        "bulletin (on an idle machine the wall clock is about that plus database waits)"
    )
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-round", type=int, default=600, help="responses per round")
    parser.add_argument(
        "--repeat", type=int, default=4, help="bulletins to time (the first is cold)"
    )
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a new SQLite file)"
    )
    parser.add_argument("--out", default=str(OUT), help="file for the figures ('-': print only)")
    args = parser.parse_args(argv)
    if args.per_round < 1 or args.repeat < 1:
        parser.error("--per-round and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> list[str]:
    args = parse_args(argv)
    runs, about = measure(args.database_url, args.per_round, args.repeat)
    lines = report(runs, about, args.per_round)
    print("\n".join(lines))
    if args.out != "-":
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


if __name__ == "__main__":
    main()
