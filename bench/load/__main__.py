"""Load benchmark: 200 residents, kiosks and readers at once under gunicorn, nothing lost;
and the highest arrival rate of residents the server holds with p99 under 1 s.

    python -m bench.load [--db sqlite|postgresql|both] [--clients 200] [--seconds 60]
                         [--workers 4] [--threads 4] [--baseline-seconds 20]
                         [--mix survey=45,api=35,bulletins=8,home=5,healthz=7] [--out PATH]

For each database: a fresh database prepared by the ``surveyapp`` CLI (schema, the
shipped questionnaires, an open catering round ``bench``; on PostgreSQL a database of
its own, ``bench_load``, created and dropped on the server of ``--pg-base``), gunicorn
with ``--workers`` gthread workers on a free loopback port, with
``SURVEYAPP_TRUST_PROXY=1`` (each resident arrives with their own ``X-Forwarded-For``
address, as behind nginx) and the rate limits off (one machine plays every resident).

Phase A is the baseline: ``GET /healthz`` only, from the same number of clients, for
``--baseline-seconds``.  Phase B is the mix (see :mod:`bench.load.mix`) for
``--seconds``: residents walking the HTML survey with its CSRF cookie and form, API
submissions, and page loads.  After gunicorn has stopped, the reconciliation: the id of
every API 201 and the device of every survey 303 against the rows of the round --
each success stored exactly once, no row without a success, every row whole.

Phase C (``--arrivals``, on by default; ``--only-arrivals`` runs it alone) is the
figure a city sizes its servers with for a QR campaign: residents arrive at random at a
given rate (residents per second, an open model), each on a connection of their own,
reading each page for a while (``--think``, mean seconds) before posting it.  The rate
climbs (``--arrival-start``, times ``--arrival-factor`` a step) until the 99th
percentile of the latency reaches ``--p99-limit`` (1000 ms) or a request fails, then one
step halfway refines it (see :mod:`bench.load.arrivals`).  Its residents are reconciled
with the rest.  PASS
also needs zero 5xx, zero transport errors and no other unexpected status.

Prints the report and writes it to ``bench/results/load.txt``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.load.arrivals import Search, find_rate
from bench.load.mix import DEFAULT_MIX, EXPECTED, MixResult, run_mix
from bench.load.resident import device_hash, device_id
from bench.submit.common import (
    Reconciliation,
    get_json,
    machine_line,
    publish,
    reconcile,
    submission_bodies,
)
from bench.submit.loadgen import PhaseResult, Request, percentile, run_phase, wait_quiet
from bench.submit.stack import ROUND_CODE, Gunicorn, fresh_database, prepare_database

OUT = Path(__file__).resolve().parents[1] / "results" / "load.txt"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_NAME = "bench_load"


@dataclass
class LoadResult:
    db: str
    baseline: PhaseResult
    mix: MixResult
    recon: Reconciliation
    rows_whole: tuple[int, int]  # (rows whose packed answers and profile have the right size, rows)
    unknown_devices: int  # survey 303s without a readable device cookie
    warmup_successes: int = 0  # 201/303 of the warm-up, reconciled with the rest
    log_problems: list[str] = field(default_factory=list)
    arrivals: Search | None = None  # phase C: the highest arrival rate that holds

    @property
    def rate(self) -> float:
        return self.mix.requests / self.mix.seconds if self.mix.seconds else 0.0

    @property
    def ratio(self) -> float:
        base = self.baseline.rate(200)
        return self.rate / base if base else 0.0

    @property
    def ok(self) -> bool:
        whole, rows = self.rows_whole
        return (
            self.recon.ok
            and whole == rows
            and not self.unknown_devices
            and not self.mix.unexpected()
            and not self.log_problems
        )


def stored_rows(
    url: str, code: str = ROUND_CODE
) -> tuple[str, list[tuple[str, str | None, int, int]], int]:
    """(round salt, (uid, device_hash, answer bytes, profile bytes) per row, table rows)."""
    from surveyapp.models import Response, Round

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            round_id, salt = conn.execute(
                select(Round.id, Round.salt).where(Round.code == code)
            ).one()
            rows = conn.execute(
                select(
                    Response.uid,
                    Response.device_hash,
                    func.length(Response.answers),
                    func.length(Response.profile),
                ).where(Response.round_id == round_id)
            ).all()
            total = conn.scalar(select(func.count()).select_from(Response))
    finally:
        engine.dispose()
    return salt, [tuple(r) for r in rows], int(total or 0)


def reconcile_mix(
    mixes: list[MixResult], url: str, sizes: tuple[int, int], code: str = ROUND_CODE
) -> tuple[Reconciliation, tuple[int, int], int]:
    """Each API 201 by its id, each survey 303 by its device's hash, against the stored rows."""
    salt, rows, total = stored_rows(url, code)
    devices = [device_id(cookie) for mix in mixes for cookie in mix.survey_devices]
    replies = [i for mix in mixes for i in mix.api_ids] + [
        device_hash(salt, d) for d in devices if d
    ]
    # an API row has no device hash (the bodies send no device id); a survey row has one
    keys = [dev or uid for uid, dev, _a, _p in rows]
    whole = sum(1 for _u, _d, a, p in rows if (a, p) == sizes)
    return (
        reconcile(replies, keys, total, success="201/303"),
        (whole, len(rows)),
        devices.count(None),
    )


def packed_sizes(definition: dict) -> tuple[int, int]:
    """Bytes of a stored response's packed answers and profile: one per question."""
    items = sum(len(d["items"]) for d in definition["dimensions"]) + 1  # + overall
    return items, len(definition.get("respondent", []))


def run_one(db_kind: str, args: argparse.Namespace, log=print) -> LoadResult:
    kind = "postgres" if db_kind == "postgresql" else db_kind
    name = args.pg_name if kind == "postgres" else None
    with fresh_database(kind, args.pg_base, name=name) as url:
        key = prepare_database(url)
        server = Gunicorn(
            url,
            workers=args.workers,
            worker_class="gthread",
            threads=args.threads,
            env={"SURVEYAPP_TRUST_PROXY": "1"},
            extra_args=("--keep-alive", "30", "--backlog", "2048"),
        )
        log(f"[{db_kind}] {' '.join(server.command[1:])}")
        try:
            server.start()
            host, port = server.host, server.port
            definition = get_json(host, port, "/api/v1/questionnaires/catering")
            bodies = submission_bodies(definition, args.pool, args.seed)
            pids = [server.proc.pid, *server.worker_pids()]
            run_phase(
                "warmup",
                host,
                port,
                [Request("GET", "/healthz")],
                clients=args.clients,
                seconds=1,
                server_pids=pids,
            )
            warm = (
                run_mix(
                    host,
                    port,
                    ROUND_CODE,
                    bodies,
                    clients=min(args.clients, 20),
                    seconds=args.warmup,
                    weights=args.mix,
                    timeout=args.timeout,
                    seed=args.seed + 1000,
                    api_key=key,
                )
                if args.warmup > 0
                else MixResult(0)
            )
            baseline, mix = PhaseResult("healthz", args.clients), MixResult(args.clients)
            if not args.only_arrivals:
                baseline, mix = saturation(host, port, bodies, key, pids, args, db_kind, log)
            search = None
            if args.arrivals or args.only_arrivals:
                wait_quiet(args.quiet_wait)
                log(
                    f"[{db_kind}] phase C: residents arriving (open model, think time "
                    f"{args.think:g} s), {args.arrival_seconds:g} s a step, until p99 >= "
                    f"{args.p99_limit:g} ms"
                )
                search = find_rate(
                    host,
                    port,
                    ROUND_CODE,
                    start=args.arrival_start,
                    factor=args.arrival_factor,
                    top=args.arrival_top,
                    seconds=args.arrival_seconds,
                    think=args.think,
                    p99_limit_ms=args.p99_limit,
                    timeout=args.timeout,
                    seed=args.seed,
                    server_pids=pids,
                    log=log,
                )
        finally:
            server.stop()
        problems = server.log_problems()
        shutil.rmtree(server.log_dir, ignore_errors=True)
        steps = search.results() if search else []
        recon, whole, unknown = reconcile_mix([warm, mix, *steps], url, packed_sizes(definition))
        log(f"[{db_kind}] reconciliation: {recon.line()}")
        problems += [f"warm-up: {k}: {v}" for k, v in warm.unexpected().items()]
        return LoadResult(
            db_kind,
            baseline,
            mix,
            recon,
            whole,
            unknown,
            log_problems=problems,
            warmup_successes=len(warm.api_ids) + len(warm.survey_devices),
            arrivals=search,
        )


def saturation(host, port, bodies, key, pids, args, db_kind, log) -> tuple[PhaseResult, MixResult]:
    """Phase A (``/healthz`` only) and phase B (the mix), ``--clients`` in a closed loop."""
    wait_quiet(args.quiet_wait)
    log(f"[{db_kind}] phase A: GET /healthz, {args.clients} clients, {args.baseline_seconds:g} s")
    baseline = run_phase(
        "healthz",
        host,
        port,
        [Request("GET", "/healthz")],
        clients=args.clients,
        seconds=args.baseline_seconds,
        timeout=args.timeout,
        server_pids=pids,
    )
    log(f"[{db_kind}]   {baseline.rate(200):,.0f} req/s")
    wait_quiet(args.quiet_wait)
    log(f"[{db_kind}] phase B: the mix, {args.clients} clients, {args.seconds:g} s")
    mix = run_mix(
        host,
        port,
        ROUND_CODE,
        bodies,
        clients=args.clients,
        seconds=args.seconds,
        weights=args.mix,
        timeout=args.timeout,
        seed=args.seed,
        server_pids=pids,
        api_key=key,
    )
    log(f"[{db_kind}]   {mix.requests / mix.seconds:,.0f} req/s")
    return baseline, mix


# --- report ------------------------------------------------------------------------------


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


def _row(name: str, requests: int, ok: int, seconds: float, lat: list[int], errors: str) -> str:
    ms = [percentile(lat, q) / 1e6 for q in (50, 90, 99)]
    top = max(lat, default=0) / 1e6
    rate = ok / seconds if seconds else 0.0
    return (
        f"  {name:<15}{requests:>9}{rate:>9,.1f}{ms[0]:>9.1f}{ms[1]:>9.1f}{ms[2]:>9.1f}"
        f"{top:>9.1f}  {errors}"
    )


def report(
    results: list[LoadResult], args: argparse.Namespace, machine: str, load_before: str
) -> str:
    mix = ",".join(f"{k}={v}" for k, v in args.mix.items())
    lines = [
        "surveyapp load benchmark (issue 6: load without loss)",
        machine,
        f"load average before the run: {load_before}",
        f"command: python -m bench.load --db {args.db} --clients {args.clients} --seconds "
        f"{args.seconds:g} --baseline-seconds {args.baseline_seconds:g} --workers {args.workers} "
        f"--threads {args.threads} --mix {mix} --seed {args.seed}"
        + (" --only-arrivals" if args.only_arrivals else "")
        + ("" if args.arrivals or args.only_arrivals else " --no-arrivals")
        + (
            f" --arrival-start {args.arrival_start:g} --arrival-factor {args.arrival_factor:g} "
            f"--arrival-seconds {args.arrival_seconds:g} --think {args.think:g}"
            if args.arrivals or args.only_arrivals
            else ""
        ),
    ]
    if not args.only_arrivals:
        lines += [
            f"server: gunicorn -k gthread -w {args.workers} --threads {args.threads} --keep-alive 30 "
            "wsgi:app, SURVEYAPP_TRUST_PROXY=1, rate limits off; client: one asyncio process on "
            f"the same machine, {args.clients} concurrent clients, loopback, no think time "
            "(closed loop: latency includes queueing)",
            "mix, per client turn: survey = one resident's whole HTML survey (GET the page with its "
            "CSRF cookie, POST each of the 7 pages, 303 to the thank-you page, GET it), api = one "
            "POST /api/v1/rounds/bench/responses, bulletins / home / healthz = one page load",
            "cpu = cores used by the client / gunicorn / PostgreSQL / anything else on the machine "
            "(2 cores shared with other work: figures are noisy; compare with the baseline of the same run)",
        ]
    else:
        lines.append(
            f"server: gunicorn -k gthread -w {args.workers} --threads {args.threads} --keep-alive 30 "
            "wsgi:app, SURVEYAPP_TRUST_PROXY=1, rate limits off; client: one asyncio process on "
            "the same machine, loopback"
        )
    lines.append("")
    head = (
        f"  {'kind':<15}{'requests':>9}{'ok/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}  errors by status"
    )
    for r in results:
        m = r.mix
        lines.append(f"== {r.db}")
        if not m.requests:  # --only-arrivals
            lines += arrivals_lines(r.arrivals, args) if r.arrivals else []
            lines.append(f"  reconciliation: {r.recon.line()}")
            lines.append(f"  result: {'PASS' if r.ok else 'FAIL'}")
            lines.append("")
            continue
        lines.append(head)
        b = r.baseline
        lines.append(
            _row(
                "baseline:healthz",
                b.requests,
                b.statuses.get(200, 0),
                b.seconds,
                b.latencies_ns,
                _errors(b.statuses, 200),
            )
        )
        for kind in EXPECTED:
            if kind in m.kinds:
                k = m.kinds[kind]
                lines.append(
                    _row(
                        kind,
                        k.requests,
                        k.statuses.get(EXPECTED[kind], 0),
                        m.seconds,
                        k.latencies_ns,
                        _errors(k.statuses, EXPECTED[kind]),
                    )
                )
        all_ok = sum(k.statuses.get(EXPECTED[n], 0) for n, k in m.kinds.items())
        lines.append(
            _row(
                "mix: all",
                m.requests,
                all_ok,
                m.seconds,
                m.latencies_ns(),
                ", ".join(f"{k}: {v}" for k, v in sorted(m.unexpected().items())) or "none",
            )
        )
        subs = len(m.api_ids) + len(m.survey_devices)
        lines += [
            f"  throughput: {r.rate:,.1f} req/s in the mix vs {b.rate(200):,.1f} req/s /healthz-only "
            f"baseline = {r.ratio * 100:.1f}%; stored submissions {subs / m.seconds:,.1f}/s "
            f"({len(m.api_ids)} API + {len(m.survey_devices)} HTML surveys in {m.seconds:.1f} s)",
            f"  surveys: {m.surveys_started} started, {len(m.survey_devices)} completed, "
            f"{m.surveys_abandoned} cut by the deadline, {m.surveys_failed} ended by an error",
            f"  cpu baseline {_cpu(b)}, mix {_cpu(m.cpu)}; 5xx: {m.server_errors()}",
            f"  reconciliation ({r.warmup_successes} warm-up + phase B): {r.recon.line()}; rows whole {r.rows_whole[0]}/{r.rows_whole[1]}"
            + (f"; {r.unknown_devices} 303 without a device cookie" if r.unknown_devices else ""),
        ]
        if r.log_problems:
            lines.append(
                f"  problems (gunicorn error log, warm-up): {len(r.log_problems)}, first: "
                f"{r.log_problems[0][:120]}"
            )
        if r.arrivals is not None:
            lines += arrivals_lines(r.arrivals, args)
        lines.append(f"  result: {'PASS' if r.ok else 'FAIL'}")
        lines.append("")
    lines.append("overall: " + ("PASS" if results and all(r.ok for r in results) else "FAIL"))
    return "\n".join(lines) + "\n"


def arrivals_lines(search: Search, args: argparse.Namespace) -> list[str]:
    """Phase C: each step of the ladder, then the figure."""
    lines = [
        f"  phase C: residents arriving at random (Poisson), each on a connection of their own: "
        f"open the survey, read each page (exponential, mean {search.think:g} s), post it, "
        f"see the thank-you page; {args.arrival_seconds:g} s of arrivals a step, then "
        f"everyone finishes; a step holds with p99 < {search.p99_limit_ms:g} ms and no failure",
        f"  {'asked/s':>9}{'started/s':>10}{'residents':>10}{'requests':>9}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'lag ms':>8}  {'failures':<9}holds",
    ]
    for st in sorted(search.steps, key=lambda x: x.rate):
        lines.append(
            f"  {st.rate:>9.1f}{st.achieved:>10.1f}{st.arrived:>10}{st.requests:>9}"
            f"{st.p50_ms:>9.0f}{st.p99_ms:>9.0f}{st.lag_ms:>8.0f}  {st.failures():<9}"
            f"{'yes' if st.holds(search.p99_limit_ms) else 'no'}"
        )
    best = search.best
    if best is None:
        lines.append("  highest arrival rate held: none (even the first step did not hold)")
    else:
        bound = "" if search.limit_found else " (the top of the ladder: the limit is higher)"
        lines.append(
            f"  highest arrival rate held: {best.rate:g} residents/s ({best.achieved:.1f} "
            f"started/s), p99 {best.p99_ms:.0f} ms{bound}"
        )
    return lines


def _errors(statuses, ok) -> str:
    bad = {str(k): v for k, v in statuses.items() if k != ok and v}
    return ", ".join(f"{k}: {v}" for k, v in sorted(bad.items())) or "none"


def _mix(text: str) -> dict[str, int]:
    out = {}
    for part in text.split(","):
        name, _, share = part.partition("=")
        if name.strip() not in DEFAULT_MIX or not share.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"expected e.g. {','.join(f'{k}={v}' for k, v in DEFAULT_MIX.items())}"
            )
        out[name.strip()] = int(share)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--seconds", type=float, default=60.0, help="the mix (default 60)")
    p.add_argument(
        "--baseline-seconds", type=float, default=20.0, help="/healthz only (default 20)"
    )
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--mix", type=_mix, default=dict(DEFAULT_MIX))
    p.add_argument(
        "--warmup",
        type=float,
        default=4.0,
        help="seconds of the mix from 20 clients before the baseline (reconciled, not reported)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        help="before each phase, wait up to this long for other load to settle",
    )
    p.add_argument("--pool", type=int, default=500, help="distinct API bodies")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--pg-base",
        default=os.environ.get("BENCH_PG_URL", PG_BASE),
        help="a PostgreSQL server URL whose user may create databases",
    )
    p.add_argument(
        "--pg-name", default=PG_NAME, help="the benchmark's own database (dropped after)"
    )
    p.add_argument(
        "--arrivals",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="phase C: the highest arrival rate with p99 under --p99-limit (default on)",
    )
    p.add_argument("--only-arrivals", action="store_true", help="phase C alone (no saturation run)")
    p.add_argument("--arrival-start", type=float, default=2.0, help="residents/s, first step")
    p.add_argument("--arrival-factor", type=float, default=1.5, help="each step's rate x this")
    p.add_argument("--arrival-top", type=float, default=200.0, help="residents/s, last step")
    p.add_argument("--arrival-seconds", type=float, default=20.0, help="of arrivals per step")
    p.add_argument("--think", type=float, default=2.0, help="mean seconds on each page")
    p.add_argument("--p99-limit", type=float, default=1000.0, help="ms (default 1000)")
    p.add_argument("--out", type=Path, default=OUT, help="report file ('-' for none)")
    args = p.parse_args(argv)
    if not 0 < args.arrival_start <= args.arrival_top <= 1000 or args.arrival_factor <= 1:
        p.error("need 0 < --arrival-start <= --arrival-top <= 1000 and --arrival-factor > 1")
    if not 0 < args.arrival_seconds <= 600 or not 0 <= args.think <= 60:
        p.error("--arrival-seconds must be in (0, 600] and --think in [0, 60]")
    if not 1 <= args.clients <= 1024:
        p.error("--clients must be 1..1024")
    if not 0 < args.seconds <= 600 or not 0 < args.baseline_seconds <= 600:
        p.error("--seconds and --baseline-seconds must be in (0, 600]")
    if not 1 <= args.workers <= 64 or not 1 <= args.threads <= 64:
        p.error("--workers and --threads must be 1..64")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl+C: gunicorn is stopped and the database removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = machine_line(["postgres" if d == "postgresql" else d for d in dbs], args.pg_base)
    print(machine, flush=True)
    results = [run_one(db, args, log=lambda m: print(m, flush=True)) for db in dbs]
    text_ = report(results, args, machine, load_before)
    publish(text_, args.out)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
