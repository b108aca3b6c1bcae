"""Submission benchmark: valid responses POSTed to the API under gunicorn, against /healthz.

    python -m bench.submit [--db sqlite|postgres|both] [--seconds 20] [--clients 32]
                           [--workers 2] [--worker-class sync|gthread|both] [--threads 4]
                           [--client asyncio|threads] [--seed 1] [--out PATH]

For each database and worker class: a fresh database prepared with the ``surveyapp`` CLI
(``db upgrade``, ``questionnaires load``, ``rounds create ... --code bench``), gunicorn
serving ``wsgi:app`` on a free loopback port, a short warm-up, then phase A (``GET
/healthz``) and phase B (``POST /api/v1/rounds/bench/responses`` with seeded random valid
answers), each for ``--seconds`` with ``--clients`` concurrent clients.  After gunicorn has
stopped, the ids of all 201 replies (warm-up included) are compared with the rows stored
for the round: PASS only when they are the same set, with no duplicates on either side.

Prints a table and writes it to bench/results/submit.txt.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.submit.common import (
    Reconciliation,
    get_json,
    machine_line,
    publish,
    reconcile,
    submission_bodies,
)
from bench.submit.loadgen import PhaseResult, Request, run_phase, wait_quiet
from bench.submit.stack import (
    PG_BASE,
    Gunicorn,
    fresh_database,
    keyed_posts,
    prepare_database,
    stored_ids,
)

OUT = Path(__file__).resolve().parents[1] / "results" / "submit.txt"
GOAL_RATE = 1000.0
GOAL_P99_MS = 100.0


@dataclass
class RunResult:
    db: str
    worker_class: str
    healthz: PhaseResult
    submit: PhaseResult
    recon: Reconciliation
    warmup_201: int
    log_problems: list[str] = field(default_factory=list)
    setup_s: float = 0.0

    @property
    def ratio(self) -> float:
        h = self.healthz.rate(200)
        return self.submit.rate(201) / h if h else 0.0

    def goal_met(self) -> bool:
        errors = sum(v for k, v in self.submit.statuses.items() if k != 201)
        return (
            self.submit.rate(201) >= GOAL_RATE
            and self.submit.percentile_ms(99) < GOAL_P99_MS
            and self.recon.ok
            and errors == 0
        )


# --- one configuration -------------------------------------------------------------------


def run_one(db_kind: str, worker_class: str, args: argparse.Namespace, log=print) -> RunResult:
    with fresh_database(db_kind, args.pg_base) as url:
        t0 = time.perf_counter()
        key = prepare_database(url)
        setup_s = time.perf_counter() - t0
        server = Gunicorn(
            url, workers=args.workers, worker_class=worker_class, threads=args.threads
        )
        log(f"[{db_kind}/{worker_class}] {' '.join(server.command[1:])}")
        try:
            server.start()
            host, port = server.host, server.port
            definition = get_json(host, port, "/api/v1/questionnaires/catering")
            bodies = submission_bodies(definition, args.pool, args.seed)
            posts = keyed_posts(bodies, key)
            gets = [Request("GET", "/healthz")]
            pids = [server.proc.pid, *server.worker_pids()]
            common = dict(
                clients=args.clients,
                mode=args.client,
                timeout=args.timeout,
                max_requests=args.max_requests,
                server_pids=pids,
            )
            if args.warmup > 0:
                run_phase("warmup", host, port, gets, seconds=args.warmup / 2, **common)
                warm = run_phase(
                    "warmup",
                    host,
                    port,
                    posts,
                    seconds=args.warmup / 2,
                    collect_status=201,
                    **common,
                )
            else:
                warm = PhaseResult("warmup", args.clients)
            idle = wait_quiet(args.quiet_wait)
            log(
                f"[{db_kind}/{worker_class}] machine busy before phase A: {idle if idle is not None else float('nan'):.2f} cores"
            )
            log(f"[{db_kind}/{worker_class}] phase A: GET /healthz for {args.seconds:g} s")
            healthz = run_phase("healthz", host, port, gets, seconds=args.seconds, **common)
            log(f"[{db_kind}/{worker_class}]   {healthz.rate(200):,.0f} req/s")
            wait_quiet(args.quiet_wait)
            log(f"[{db_kind}/{worker_class}] phase B: POST responses for {args.seconds:g} s")
            submit = run_phase(
                "submit", host, port, posts, seconds=args.seconds, collect_status=201, **common
            )
            log(f"[{db_kind}/{worker_class}]   {submit.rate(201):,.0f} submissions/s")
        finally:
            server.stop()
        problems = server.log_problems()
        shutil.rmtree(server.log_dir, ignore_errors=True)
        uids, table_rows = stored_ids(url)
        recon = reconcile(warm.ids + submit.ids, uids, table_rows)
        log(f"[{db_kind}/{worker_class}] reconciliation: {recon.line()}")
        return RunResult(
            db_kind, worker_class, healthz, submit, recon, len(warm.ids), problems, setup_s
        )


# --- report ------------------------------------------------------------------------------


def _fmt_statuses(statuses: Counter, ok: int) -> str:
    bad = {str(k): v for k, v in statuses.items() if k != ok and v}
    return ", ".join(f"{k}: {v}" for k, v in sorted(bad.items())) or "none"


def _cpu(p: PhaseResult) -> str:
    """Cores used: client / gunicorn / PostgreSQL / everything else on the machine."""
    if not p.seconds or p.server_cpu_s is None or p.system_busy is None:
        return "?"
    ncpu = len(os.sched_getaffinity(0))
    client, server, pg = (
        p.client_cpu_s / p.seconds,
        p.server_cpu_s / p.seconds,
        (p.db_cpu_s or 0) / p.seconds,
    )
    other = max(0.0, p.system_busy * ncpu - client - server - pg)
    return f"{client:.2f}/{server:.2f}/{pg:.2f}/{other:.2f}"


def report(
    results: list[RunResult], args: argparse.Namespace, machine: str, load_before: str
) -> str:
    lines = [
        "surveyapp submission benchmark (issue 2)",
        machine,
        f"load average before the run: {load_before}",
        f"command: python -m bench.submit --db {args.db} --seconds {args.seconds:g} "
        f"--clients {args.clients} --workers {args.workers} --worker-class {args.worker_class} "
        f"--threads {args.threads} --client {args.client} --seed {args.seed}",
        f"server: gunicorn -w {args.workers} -b 127.0.0.1:<free port> wsgi:app (gthread: "
        f"--threads {args.threads}); client: {args.client}, {args.clients} concurrent clients in one "
        "process on the same machine, loopback; latency = send to last byte (incl. connect "
        "when the server closes the connection)",
        f"goal: >= {GOAL_RATE:,.0f} valid submissions/s, p99 < {GOAL_P99_MS:.0f} ms, every 201 "
        "stored exactly once and nothing else stored, no errors",
        "cpu = cores used by the client / gunicorn (master+workers) / PostgreSQL / anything else "
        "(other users of the machine: > 0.2 means the figures are disturbed)",
        "",
        f"{'db':<9}{'workers':<17}{'phase':<9}{'requests':>9}{'ok/s':>9}{'p50 ms':>8}"
        f"{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}  {'cpu':<20}errors by status",
    ]
    for r in results:
        wc = r.worker_class + (f" x{args.threads}" if r.worker_class == "gthread" else "")
        for p, ok in ((r.healthz, 200), (r.submit, 201)):
            lines.append(
                f"{r.db:<9}{wc:<17}{p.name:<9}{p.requests:>9}{p.rate(ok):>9,.0f}"
                f"{p.percentile_ms(50):>8.1f}{p.percentile_ms(90):>8.1f}{p.percentile_ms(99):>8.1f}"
                f"{max(p.latencies_ns, default=0) / 1e6:>8.1f}  {_cpu(p):<20}{_fmt_statuses(p.statuses, ok)}"
            )
        lines.append(
            f"{'':<26}ratio submissions/healthz {r.ratio * 100:.1f}%; "
            f"goal {'MET' if r.goal_met() else 'NOT MET'}"
        )
        lines.append(f"{'':<26}reconciliation ({r.warmup_201} warm-up + phase B): {r.recon.line()}")
        if r.log_problems:
            lines.append(
                f"{'':<26}gunicorn error log: {len(r.log_problems)} problem line(s), "
                f"first: {r.log_problems[0][:120]}"
            )
    if results:
        best = max(results, key=lambda r: (r.recon.ok, r.submit.rate(201)))
        lines += [
            "",
            "overall: "
            + ("PASS" if all(r.recon.ok for r in results) else "FAIL")
            + f" (reconciliation); best submissions/s: {best.submit.rate(201):,.0f} "
            f"({best.db}, {best.worker_class})",
        ]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.submit", description=__doc__.split("\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--seconds", type=float, default=20.0, help="per phase (default 20)")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--worker-class", choices=["sync", "gthread", "both"], default="both")
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--client", choices=["asyncio", "threads"], default="asyncio")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds, split healthz/submit")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="before each phase, wait up to this long for other load to settle",
    )
    p.add_argument("--timeout", type=float, default=10.0, help="per request, seconds")
    p.add_argument("--max-requests", type=int, default=2_000_000, help="per phase")
    p.add_argument("--pool", type=int, default=1000, help="distinct submission bodies")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-base", default=os.environ.get("BENCH_PG_URL", PG_BASE))
    p.add_argument("--out", type=Path, default=OUT, help="report file ('-' for none)")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 1024:
        p.error("--clients must be 1..1024")
    if not 0 < args.seconds <= 600:
        p.error("--seconds must be in (0, 600]")
    if not 1 <= args.workers <= 64:
        p.error("--workers must be 1..64")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl+C: gunicorn is stopped and the database removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    classes = ["sync", "gthread"] if args.worker_class == "both" else [args.worker_class]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = machine_line(dbs, args.pg_base)
    print(machine, flush=True)
    results = [
        run_one(db, wc, args, log=lambda m: print(m, flush=True)) for db in dbs for wc in classes
    ]
    text_ = report(results, args, machine, load_before)
    publish(text_, args.out)
    return 0 if all(r.recon.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
