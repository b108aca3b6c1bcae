"""Export of a 1,000,000-response round: time and peak memory of each format.

    python -m bench.export [--n 1000000]

Fills a fresh SQLite database (bench.dbload's generator), then runs each export in a
child process of its own (so each peak memory is that export's alone) and, as the
baseline in the same run, a child that only reads the rows (no formatting).  Goal of
the issue: under 60 s and under 300 MB.  Figures go to bench/results/export.txt.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dbload.__main__ import _fill

OUT = Path(__file__).resolve().parents[1] / "results" / "export.txt"
REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys, time
from pathlib import Path
from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.rounds.service import get_round
fmt, url, out = sys.argv[1:4]
app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
with app.app_context():
    r = get_round(db.session, "bench")
    t = time.perf_counter()
    if fmt == "read":
        from sqlalchemy import text
        n = sum(1 for _ in db.session.execute(text("SELECT * FROM response")).yield_per(5000))
    elif fmt == "csv":
        from surveyapp.responses.exporter import export_csv
        with open(out, "w", encoding="utf-8", newline="") as fh:
            for chunk in export_csv(db.session, r):
                fh.write(chunk)
    else:
        from surveyapp.responses.formats import export_sav, export_xlsx
        (export_xlsx if fmt == "xlsx" else export_sav)(db.session, r, Path(out))
    seconds = time.perf_counter() - t
# VmHWM, not ru_maxrss: getrusage's peak survives execve and would be the parent's
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"{seconds:.2f} {peak_kb / 1024:.0f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    import numpy as np
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.catalog import publish_questionnaire
    from surveyapp.extensions import db
    from surveyapp.questionnaire import builtin_dir, load_questionnaire
    from surveyapp.rounds.service import create_round

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        path = builtin_dir() / "catering.yaml"
        q = load_questionnaire(path)
        version = publish_questionnaire(db.session, q, path.read_text("utf-8")).version
        round_ = create_round(db.session, version, "2026Q4", code="bench")
        db.session.commit()
        _fill(db.session, round_, q, args.n, np.random.default_rng(7))
        db.session.remove()
        db.engine.dispose()
    lines = [
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')} UTC; {args.n:,} responses (SQLite)",
        f"{'format':<8}{'seconds':>9}{'peak MB':>9}{'file MB':>9}{'ratio to read':>15}",
    ]
    base = None
    for fmt in ("read", "csv", "xlsx", "sav"):
        target = folder / f"export.{fmt}"
        done = subprocess.run([sys.executable, "-c", CHILD, fmt, url, str(target)], cwd=REPO,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            lines.append(f"{fmt:<8} failed: {done.stderr.strip().splitlines()[-1] if done.stderr else '?'}")
            print(lines[-1], flush=True)
            continue
        seconds, peak = (float(v) for v in done.stdout.split()[-2:])
        base = seconds if fmt == "read" else base
        size = target.stat().st_size / 2**20 if target.exists() else 0.0
        lines.append(f"{fmt:<8}{seconds:>9.1f}{peak:>9.0f}{size:>9.1f}{seconds / base:>15.1f}")
        print(lines[-1], flush=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
