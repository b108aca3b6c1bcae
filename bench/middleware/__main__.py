"""Middleware benchmark: what surveyapp's request path costs over a bare Flask app (issue 15).

    python -m bench.middleware [--db sqlite|postgres|both] [--worker-class sync,gthread,gevent]
                               [--seconds 10] [--rounds 3] [--clients 32] [--workers 2]
                               [--threads 4] [--client auto|wrk|asyncio] [--out PATH]

The server (gunicorn, master and ``--workers`` workers) is pinned to CPU 0 with
``taskset``, this process and its load client to CPU 1, so each figure is per server
core.  For each database and worker class, ``--rounds`` times in turn:

1. ``GET /healthz`` of a bare Flask app (``bench.middleware.bare``: no middleware);
2. ``GET /healthz`` of surveyapp (``wsgi:app``) through its whole stack: request id,
   JSON access log (written to a file, as it would be to the journal), security
   headers, rate limiter (on), NUL guard, sessions, CSRF, Babel, login manager;
3. ``POST /api/v1/rounds/bench/responses``: a valid response with a channel key, a
   device id of its own (the one-response-per-device check), counted by the rate
   limits (set high enough not to refuse: the check runs, nothing is refused) and
   validated, then stored.

The ``/healthz`` phases use wrk (``apt-get install wrk``: a C client that leaves the
client core mostly idle) when it is installed, else the asyncio client of
``bench.submit``; submissions always use the asyncio client, which keeps the id of
every 201.  After the runs the ids are reconciled with the rows stored: nothing lost,
nothing duplicated, nothing extra.  Figures are medians over the rounds; the ratios
are taken within each round, then their median.  PostgreSQL runs on the same two
cores, unpinned: its figures compare with each other, not with SQLite's.

The server and the client run at ``--nice`` -10 when run as root, so that the other
work of a shared machine disturbs the figures less.  gevent comes with the ``bench``
extra (``pip install -e '.[bench]'``), wrk with ``apt-get install wrk``.

Goals: stack /healthz within 1.5x of the bare app's; submissions at least 30% of the
stack's /healthz, p99 under 100 ms, 0 lost.

Prints a table and writes it to bench/results/middleware.txt.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.middleware import wrk
from bench.submit.common import get_json, machine_line, publish, reconcile, submission_bodies
from bench.submit.loadgen import PhaseResult, Request, run_phase
from bench.submit.stack import (
    PG_BASE,
    ROUND_CODE,
    Gunicorn,
    fresh_database,
    key_header,
    prepare_database,
    stored_ids,
)

OUT = Path(__file__).resolve().parents[1] / "results" / "middleware.txt"
CLASSES = ("sync", "gthread", "gevent")
GOAL_STACK_RATIO = 1.5
GOAL_SUBMIT_SHARE = 0.30
GOAL_P99_MS = 100.0
#: The limits of the server under test: high enough that nothing is refused, so the
#: checks run on every submission without turning it into a 429 or a held response.
LIMITS = {
    "SURVEYAPP_RATELIMIT_ENABLED": "1",
    "SURVEYAPP_RATELIMIT_API_KEY": "10000000/minute",
    "SURVEYAPP_RATELIMIT_API_ROUND": "10000000/minute",
    "SURVEYAPP_RATELIMIT_API_CLIENT": "10000000/minute",
    "SURVEYAPP_RATELIMIT_BURST": "10000000/10minutes",
}


@dataclass
class Figure:
    """One phase: successes per second and latency percentiles, and what went wrong."""

    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: dict[str, int] = field(default_factory=dict)
    client_cores: float | None = None  # CPU the client used (asyncio client only)


@dataclass
class Round:
    bare: Figure
    stack: Figure
    submit: Figure

    @property
    def stack_ratio(self) -> float:
        return self.bare.rate / self.stack.rate if self.stack.rate else float("inf")

    @property
    def submit_share(self) -> float:
        return self.submit.rate / self.stack.rate if self.stack.rate else 0.0


@dataclass
class Run:
    db: str
    worker_class: str
    rounds: list[Round] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def median(self, pick) -> float:
        return statistics.median(pick(r) for r in self.rounds) if self.rounds else 0.0

    def lost_or_failed(self) -> int:
        return sum(sum(r.submit.errors.values()) for r in self.rounds)

    def goals(self) -> tuple[bool, bool]:
        stack = self.median(lambda r: r.stack_ratio) <= GOAL_STACK_RATIO
        submit = (
            self.median(lambda r: r.submit_share) >= GOAL_SUBMIT_SHARE
            and self.median(lambda r: r.submit.p99_ms) < GOAL_P99_MS
            and self.lost_or_failed() == 0
        )
        return stack, submit


def _from_phase(p: PhaseResult, ok: int) -> Figure:
    return Figure(
        p.rate(ok),
        p.percentile_ms(50),
        p.percentile_ms(99),
        p.requests,
        p.errors(ok),
        p.client_cpu_s / p.seconds if p.seconds else None,
    )


def get_figure(server: Gunicorn, args: argparse.Namespace, client: str) -> Figure:
    """``GET /healthz`` for ``--seconds`` from ``--clients`` connections."""
    if client == "wrk":
        r = wrk.run(
            f"http://{server.host}:{server.port}/healthz",
            connections=args.clients,
            seconds=args.seconds,
            timeout=args.timeout,
        )
        return Figure(
            r.rate,
            r.percentiles_ms.get(50, 0.0),
            r.percentiles_ms.get(99, 0.0),
            r.requests,
            r.errors,
        )
    phase = run_phase(
        "healthz",
        server.host,
        server.port,
        [Request("GET", "/healthz")],
        clients=args.clients,
        seconds=args.seconds,
        timeout=args.timeout,
    )
    return _from_phase(phase, 200)


def unique_posts(bodies: list[bytes], key: str, prefix: str, n: int) -> list[Request]:
    """``n`` submissions cycling through ``bodies``, each with a device id of its own."""
    path = f"/api/v1/rounds/{ROUND_CODE}/responses"
    headers = key_header(key)
    out = []
    for i in range(n):
        body = bodies[i % len(bodies)]
        device = f'{{"device_id":"{prefix}-{i}",'.encode()
        out.append(Request("POST", path, device + body[1:], "application/json", headers))
    return out


def run_class(
    db: str, url: str, key: str, worker_class: str, args: argparse.Namespace, ids: list[str], log
) -> Run:
    logs = tempfile.mkdtemp(prefix="surveyapp-bench-mw-")
    extra = ("--worker-connections", "1000") if worker_class == "gevent" else ()
    common = dict(
        workers=args.workers,
        worker_class=worker_class,
        threads=args.threads,
        cpus=args.server_cpu,
        nice=args.nice,
    )
    bare = Gunicorn(url, **common, app="bench.middleware.bare:app", log_dir=logs, extra_args=extra)
    stack = Gunicorn(
        url,
        **common,
        log_dir=logs,
        extra_args=extra,
        env=dict(LIMITS),
        stderr_path=os.path.join(logs, "access.log"),
    )
    run = Run(db, worker_class)
    client = "wrk" if args.client in ("auto", "wrk") and wrk.available() else "asyncio"
    try:
        bare.start()
        stack.start()
        log(f"[{db}/{worker_class}] {' '.join(stack.command)}")
        definition = get_json(stack.host, stack.port, "/api/v1/questionnaires/catering")
        bodies = submission_bodies(definition, args.pool, args.seed)
        warm = unique_posts(bodies, key, f"{db}-{worker_class}-w", 2000)
        get_figure(bare, argparse.Namespace(**{**vars(args), "seconds": 1}), client)
        get_figure(stack, argparse.Namespace(**{**vars(args), "seconds": 1}), client)
        w = run_phase(
            "warmup",
            stack.host,
            stack.port,
            warm,
            clients=args.clients,
            seconds=2,
            collect_status=201,
            max_requests=len(warm),
        )
        ids.extend(w.ids)
        for i in range(args.rounds):
            b = get_figure(bare, args, client)
            s = get_figure(stack, args, client)
            posts = unique_posts(bodies, key, f"{db}-{worker_class}-{i}", args.max_posts)
            p = run_phase(
                "submit",
                stack.host,
                stack.port,
                posts,
                clients=args.clients,
                seconds=args.seconds,
                timeout=args.timeout,
                collect_status=201,
                max_requests=len(posts),
            )
            ids.extend(p.ids)
            if p.requests >= len(posts):
                run.problems.append(
                    f"round {i + 1}: all {len(posts)} prepared posts sent before the time was up (raise --max-posts)"
                )
            run.rounds.append(Round(b, s, _from_phase(p, 201)))
            r = run.rounds[-1]
            log(
                f"[{db}/{worker_class}] round {i + 1}: bare {b.rate:,.0f}/s, stack {s.rate:,.0f}/s "
                f"({r.stack_ratio:.2f}x), submit {r.submit.rate:,.0f}/s ({r.submit_share:.0%}), "
                f"p99 {r.submit.p99_ms:.1f} ms"
            )
    finally:
        bare.stop()
        stack.stop()
        run.problems += bare.log_problems() + stack.log_problems()
        shutil.rmtree(logs, ignore_errors=True)
    run.client = client  # type: ignore[attr-defined]
    return run


def report(runs: list[Run], recon: dict[str, str], args, machine: str, load_before: str) -> str:
    client = getattr(runs[0], "client", "?") if runs else "?"
    lines = [
        "surveyapp middleware benchmark (issue 15, goal 3)",
        machine,
        f"load average before the run: {load_before}",
        f"command: python -m bench.middleware --db {args.db} --worker-class {','.join(args.worker_class)} "
        f"--seconds {args.seconds:g} --rounds {args.rounds} --clients {args.clients} "
        f"--workers {args.workers} --threads {args.threads} --client {args.client} "
        f"--nice {args.nice}",
        f"server: gunicorn -w {args.workers} (gthread: --threads {args.threads}; gevent: "
        f"--worker-connections 1000) pinned to CPU {args.server_cpu}; client pinned to CPU "
        f"{args.client_cpu}: /healthz by {client}, submissions by the asyncio client; "
        f"{args.clients} connections; rate limits on (high), access log on (to a file); "
        f"server and client at nice {args.nice:+d}",
        "figures: medians of the rounds; ratios taken within each round, then their median",
        "PostgreSQL is not pinned and shares the cores: compare its rows with each other only",
        f"goals: stack /healthz <= {GOAL_STACK_RATIO}x bare; submissions >= "
        f"{GOAL_SUBMIT_SHARE:.0%} of stack /healthz, p99 < {GOAL_P99_MS:.0f} ms, 0 lost",
        "",
        f"{'db':<9}{'workers':<10}{'bare/s':>9}{'stack/s':>9}{'ratio':>7}{'submit/s':>10}"
        f"{'share':>7}{'p50 ms':>8}{'p99 ms':>8}  goals (stack, submit)",
    ]
    for r in runs:
        g = r.goals()
        lines.append(
            f"{r.db:<9}{r.worker_class:<10}{r.median(lambda x: x.bare.rate):>9,.0f}"
            f"{r.median(lambda x: x.stack.rate):>9,.0f}{r.median(lambda x: x.stack_ratio):>6.2f}x"
            f"{r.median(lambda x: x.submit.rate):>10,.0f}{r.median(lambda x: x.submit_share):>7.1%}"
            f"{r.median(lambda x: x.submit.p50_ms):>8.1f}{r.median(lambda x: x.submit.p99_ms):>8.1f}"
            f"  {'met' if g[0] else 'NOT MET'}, {'met' if g[1] else 'NOT MET'}"
        )
        detail = "; ".join(
            f"round {i + 1}: bare p99 {x.bare.p99_ms:.1f} ms, stack p99 {x.stack.p99_ms:.1f} ms, "
            f"submit client {x.submit.client_cores or 0:.2f} cores"
            for i, x in enumerate(r.rounds)
        )
        lines.append(f"{'':<19}{detail}")
        errors = {}
        for x in r.rounds:
            for name, fig in (("bare", x.bare), ("stack", x.stack), ("submit", x.submit)):
                for k, v in fig.errors.items():
                    errors[f"{name} {k}"] = errors.get(f"{name} {k}", 0) + v
        if errors:
            lines.append(
                f"{'':<19}errors: " + ", ".join(f"{k}: {v}" for k, v in sorted(errors.items()))
            )
        for problem in r.problems[:3]:
            lines.append(f"{'':<19}problem: {problem[:140]}")
    lines.append("")
    for db, line in recon.items():
        lines.append(f"reconciliation {db}: {line}")
    return "\n".join(lines) + "\n"


def _classes(text: str) -> list[str]:
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in chosen if c not in CLASSES]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"worker classes are {', '.join(CLASSES)} (comma-separated)"
        )
    return chosen


def _has_gevent() -> bool:
    return importlib.util.find_spec("gevent") is not None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.middleware", description=__doc__.split("\n")[0]
    )
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument(
        "--worker-class",
        type=_classes,
        default=[c for c in CLASSES if c != "gevent" or _has_gevent()],
        help="comma-separated (default: all three; gevent only when installed: .[bench])",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="per phase (default 10)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    p.add_argument("--server-cpu", default="0", help="taskset CPU list of the server")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU of this process and wrk")
    p.add_argument(
        "--nice",
        type=int,
        default=-10 if os.geteuid() == 0 else 0,
        help="priority change of the server and the client (default -10 as root: the "
        "machine's other work disturbs the figures less)",
    )
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--pool", type=int, default=1000, help="distinct answer sets")
    p.add_argument("--max-posts", type=int, default=40000, help="prepared posts per phase")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-base", default=os.environ.get("BENCH_PG_URL", PG_BASE))
    p.add_argument("--out", type=Path, default=OUT, help="report file ('-' for none)")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 1024 or not 1 <= args.rounds <= 20:
        p.error("--clients must be 1..1024 and --rounds 1..20")
    if not 0 < args.seconds <= 600:
        p.error("--seconds must be in (0, 600]")
    if "gevent" in args.worker_class and not _has_gevent():
        p.error("gevent is not installed: pip install -e '.[bench]'")
    if args.client == "wrk" and not wrk.available():
        p.error("wrk is not installed (apt-get install wrk), or use --client asyncio")
    if args.client_cpu not in os.sched_getaffinity(0):
        p.error(f"--client-cpu {args.client_cpu}: not a CPU this process may use")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = machine_line(dbs, args.pg_base)
    os.sched_setaffinity(0, {args.client_cpu})  # the load client (and wrk, its child)
    if args.nice:
        os.nice(args.nice)
    print(machine, flush=True)
    runs: list[Run] = []
    recon: dict[str, str] = {}
    ok = True
    for db in dbs:
        with fresh_database(db, args.pg_base) as url:
            key = prepare_database(url)
            ids: list[str] = []
            for wc in args.worker_class:
                runs.append(run_class(db, url, key, wc, args, ids, lambda m: print(m, flush=True)))
            uids, total = stored_ids(url)
            result = reconcile(ids, uids, total)
            recon[db] = result.line()
            ok = ok and result.ok
    text = report(runs, recon, args, machine, load_before)
    publish(text, args.out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
