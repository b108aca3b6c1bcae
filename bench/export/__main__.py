"""Export of a 1,000,000-response round: time and peak memory of each format.

    python -m bench.export [--n 1000000] [--db FILE] [--formats read,csv,xlsx,sav] [--no-save]

Fills a fresh SQLite database (bench.dbload's generator; one response in five also gets
a suggestion, one in five of those with a phone number, so the open-answer path and
its PII masking are paid for), then runs each export in a child process of its own
(so each peak memory is that export's alone) and, as baselines in the same run, a child
that only reads the rows (no formatting) and the CSV export.  ``--db`` keeps the filled
database in FILE and reuses it on the next run.  Goal of the issue: under 60 s and
under 300 MB.  Figures go to bench/results/export.txt.
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
import resource, sys, time
from pathlib import Path
from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.rounds.service import get_round
fmt, url, out = sys.argv[1:4]
app = create_app({"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
with app.app_context():
    r = get_round(db.session, "bench")
    base_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))
    t = time.perf_counter()
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = used.ru_utime + used.ru_stime
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
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = used.ru_utime + used.ru_stime - cpu0
# VmHWM, not ru_maxrss: getrusage's peak survives execve and would be the parent's
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"{seconds:.2f} {cpu:.2f} {peak_kb / 1024:.0f} {base_kb / 1024:.0f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument(
        "--db", type=Path, help="keep the filled SQLite database here (reused when it exists)"
    )
    parser.add_argument("--formats", default="read,csv,xlsx,sav")
    parser.add_argument("--no-save", action="store_true", help="print the figures only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    database = args.db.resolve() if args.db else folder / "bench.db"
    url = f"sqlite:///{database}"
    if not database.exists():
        _create(url, args.n)
    lines = [
        f"machine: {os.cpu_count()} cores (shared with other jobs: expect noise), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')} UTC; {args.n:,} responses (SQLite), "
        "20% with a suggestion",
        "seconds: wall clock; cpu s: the child's own CPU time (user + system), less disturbed by the "
        "other jobs; ratios are of CPU time.  peak MB: the child's VmHWM; base MB: its VmRSS once the app is "
        "created and the round loaded, before the export starts (imports, scipy/statsmodels/reportlab of create_app)",
        f"{'format':<8}{'seconds':>9}{'cpu s':>8}{'peak MB':>9}{'base MB':>9}{'file MB':>9}{'x read':>8}{'x csv':>7}",
    ]
    base: dict[str, float] = {}
    for fmt in args.formats.split(","):
        target = folder / f"export.{fmt}"
        done = subprocess.run(
            [sys.executable, "-c", CHILD, fmt, url, str(target)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if done.returncode != 0:
            lines.append(
                f"{fmt:<8} failed: {done.stderr.strip().splitlines()[-1] if done.stderr else '?'}"
            )
            print(lines[-1], flush=True)
            continue
        seconds, cpu, peak, rss0 = (float(v) for v in done.stdout.split()[-4:])
        if fmt in ("read", "csv"):
            base[fmt] = cpu
        size = target.stat().st_size / 2**20 if target.exists() else 0.0
        ratios = "".join(
            f"{cpu / base[b]:>{w}.1f}" if b in base else f"{'-':>{w}}"
            for b, w in (("read", 8), ("csv", 7))
        )
        lines.append(
            f"{fmt:<8}{seconds:>9.1f}{cpu:>8.1f}{peak:>9.0f}{rss0:>9.0f}{size:>9.1f}{ratios}"
        )
        print(lines[-1], flush=True)
        target.unlink(missing_ok=True)
    if not args.no_save:
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


SUGGESTIONS = (
    "希望增加无障碍通道",
    "菜价有点贵，份量可以再足一点",
    "服务员态度很好，环境干净",
    "建议延长营业时间，晚上九点后很难找到吃饭的地方",
    "请联系我 138 1234 5678，有情况反映",
)


def _create(url: str, n: int) -> None:
    """A fresh database at ``url`` with the round "bench" of ``n`` responses."""
    import numpy as np
    from flask_migrate import upgrade
    from sqlalchemy import text

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
        _fill(db.session, round_, q, n, np.random.default_rng(7))
        # one in five answers the open question; every fifth of those leaves a phone number
        db.session.execute(
            text(
                "UPDATE response SET open_answers = json_object('suggestions', CASE id % 25 WHEN 0 THEN :s4 "
                "WHEN 5 THEN :s0 WHEN 10 THEN :s1 WHEN 15 THEN :s2 ELSE :s3 END) WHERE id % 5 = 0"
            ),
            {f"s{i}": s for i, s in enumerate(SUGGESTIONS)},
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
