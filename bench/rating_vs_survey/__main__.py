"""A rating submission costs no more than a survey submission: same harness, same run.

    python -m bench.rating_vs_survey [--db sqlite|postgres|both] [--seconds 10]
                                     [--rounds 2] [--clients 16] [--workers 2]
                                     [--providers 200] [--seed 1] [--out PATH]

For each database: a fresh database prepared as ``bench.submit`` prepares it (schema,
questionnaires, a round ``bench``, a channel key) plus ``--providers`` catering
providers imported with ``surveyapp providers import``; one gunicorn (sync workers)
serving ``wsgi:app``; then, alternately (``--rounds`` times, to cancel drift on a shared
machine), phase S (``POST /api/v1/rounds/bench/responses``: seeded valid answers, the
``bench.submit`` bodies) and phase R (``POST /api/v1/providers/<code>/ratings``: seeded
stars for every item of the catering rating form, a comment one time in four, a
``device_id`` from a pool, so that later posts of a device *replace* its rating, as the
one-per-window rule does).  Both through the same channel key, the same load generator
(``bench.submit.loadgen``), the same server.  A rating stored also nudges the stored
scores' background refresh, which is part of what a rating costs and is measured with it.

The figures compared: submissions per second, median and p99 latency, and the server's
CPU time per stored submission (gunicorn master and workers; PostgreSQL's own processes
apart).  "No more than" holds when the ratings' CPU per submission and median latency
are at most the survey's (ratios ≤ 1 within the run's noise).  Prints a table and
writes it to bench/results/rating_vs_survey.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from bench.submit.common import get_json, machine_line, publish, submission_bodies
from bench.submit.loadgen import PhaseResult, Request, run_phase, wait_quiet
from bench.submit.stack import (
    PG_BASE,
    Gunicorn,
    cli,
    fresh_database,
    key_header,
    keyed_posts,
    prepare_database,
)
from surveyapp.providers.credit_code import check_character
from surveyapp.ratings.forms import shipped_form

OUT = Path(__file__).resolve().parents[1] / "results" / "rating_vs_survey.txt"
COMMENTS = ("干净卫生，上菜快。", "价格实惠，服务热情。", "排队有点久。", "味道不错，会再来。")


def provider_codes(n: int) -> list[str]:
    """``n`` well-formed credit codes (their GB 32100-2015 check characters right)."""
    return [(f := f"91530800MB{i:07d}") + check_character(f) for i in range(1, n + 1)]


def import_providers(url: str, codes: list[str]) -> None:
    """The providers, all catering in 思茅区, through ``surveyapp providers import``."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as fh:
        fh.write("credit_code,name,sector,district\n")
        fh.writelines(f"{c},餐馆{i},catering,思茅区\n" for i, c in enumerate(codes, 1))
        path = fh.name
    try:
        cli(url, "providers", "import", path)
    finally:
        os.unlink(path)


def rating_requests(codes: list[str], key: str, n: int, devices: int, seed: int) -> list[Request]:
    """``n`` seeded rating posts of the catering form, spread over the providers."""
    form = shipped_form("catering")
    assert form is not None
    rng = random.Random(seed)
    out = []
    for i in range(n):
        centre = rng.uniform(2.5, 4.8)
        stars = {
            item.id: max(1, min(5, round(rng.gauss(centre, 0.8))))
            for item in form.items
            if item.required or rng.random() > 0.05
        }
        body: dict[str, object] = {"stars": stars, "device_id": f"bench-{i % devices}"}
        if rng.random() < 0.25:
            body["comment"] = rng.choice(COMMENTS)
        path = f"/api/v1/providers/{codes[i % len(codes)]}/ratings"
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        out.append(Request("POST", path, raw, "application/json", key_header(key)))
    return out


@dataclass
class Pair:
    survey: list[PhaseResult]
    rating: list[PhaseResult]


def cpu_ms(p: PhaseResult, ok: int = 201) -> float:
    """The server's CPU time per stored submission, in ms."""
    done = p.statuses.get(ok, 0)
    return (p.server_cpu_s or 0.0) * 1000 / done if done else float("nan")


def run_one(db: str, args: argparse.Namespace, log=print) -> Pair:
    with fresh_database(db, args.pg_base) as url:
        key = prepare_database(url)
        codes = provider_codes(args.providers)
        import_providers(url, codes)
        server = Gunicorn(url, workers=args.workers)
        log(f"[{db}] {' '.join(server.command[1:])}")
        pair = Pair([], [])
        try:
            server.start()
            host, port = server.host, server.port
            definition = get_json(host, port, "/api/v1/questionnaires/catering")
            surveys = keyed_posts(submission_bodies(definition, args.pool, args.seed), key)
            ratings = rating_requests(codes, key, args.pool, args.devices, args.seed)
            common = dict(clients=args.clients, timeout=args.timeout,
                          server_pids=[server.proc.pid, *server.worker_pids()])  # fmt: skip
            run_phase("warmup", host, port, surveys, seconds=1.0, **common)
            run_phase("warmup", host, port, ratings, seconds=1.0, **common)
            for r in range(args.rounds):
                for name, requests, bucket in (("survey", surveys, pair.survey),
                                               ("rating", ratings, pair.rating)):  # fmt: skip
                    wait_quiet(args.quiet_wait)
                    p = run_phase(name, host, port, requests, seconds=args.seconds, **common)
                    bucket.append(p)
                    log(f"[{db}] round {r + 1} {name}: {p.rate(201):,.0f}/s, "
                        f"p50 {p.percentile_ms(50):.1f} ms, {cpu_ms(p):.2f} ms CPU each, "
                        f"errors {p.errors(201) or 'none'}")  # fmt: skip
        finally:
            server.stop()
        return pair


def report(results: dict[str, Pair], args: argparse.Namespace, machine: str, load: str) -> str:
    lines = [
        "surveyapp: a rating submission against a survey submission (issue 16)",
        machine,
        f"load average before the run: {load}",
        f"command: python -m bench.rating_vs_survey --db {args.db} --seconds {args.seconds:g} "
        f"--rounds {args.rounds} --clients {args.clients} --workers {args.workers} "
        f"--providers {args.providers} --seed {args.seed}",
        "server: gunicorn sync workers, rate limits off (as bench.submit); both kinds through "
        "one channel key, alternating phases; medians over the rounds",
        "cpu/each = server CPU (gunicorn master + workers) per stored submission",
        "",
        f"{'db':<10}{'kind':<8}{'ok/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'cpu/each ms':>12}  errors",
    ]
    for db, pair in results.items():
        rows = {}
        for kind, phases in (("survey", pair.survey), ("rating", pair.rating)):
            rate = median(p.rate(201) for p in phases)
            p50 = median(p.percentile_ms(50) for p in phases)
            p99 = median(p.percentile_ms(99) for p in phases)
            cpu = median(cpu_ms(p) for p in phases)
            errors = sum(sum(p.errors(201).values()) for p in phases)
            rows[kind] = (rate, p50, cpu)
            lines.append(f"{db:<10}{kind:<8}{rate:>8,.0f}{p50:>8.1f}{p99:>8.1f}{cpu:>12.2f}  "
                         f"{errors}")  # fmt: skip
        (s_rate, s_p50, s_cpu), (r_rate, r_p50, r_cpu) = rows["survey"], rows["rating"]
        lines.append(
            f"{'':<10}rating/survey: throughput {r_rate / s_rate:.2f}, median latency "
            f"{r_p50 / s_p50:.2f}, CPU per submission {r_cpu / s_cpu:.2f} "
            + (
                "(no more than a survey submission)"
                if r_cpu <= s_cpu * 1.05 and r_p50 <= s_p50 * 1.05
                else "(MORE than a survey submission)"
            )  # fmt: skip
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.rating_vs_survey",
                                description=__doc__.split("\n")[0])  # fmt: skip
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--seconds", type=float, default=10.0, help="per phase (default 10)")
    p.add_argument("--rounds", type=int, default=2, help="survey/rating phase pairs")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--providers", type=int, default=200)
    p.add_argument("--pool", type=int, default=2000, help="distinct request bodies per kind")
    p.add_argument("--devices", type=int, default=1500, help="distinct rating devices")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--quiet-wait", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-base", default=os.environ.get("BENCH_PG_URL", PG_BASE))
    p.add_argument("--out", type=Path, default=OUT, help="report file ('-' for none)")
    args = p.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 1 <= args.rounds <= 20:
        p.error("--seconds must be in (0, 600] and --rounds 1..20")
    if not 1 <= args.providers <= 100_000 or not 1 <= args.clients <= 1024:
        p.error("--providers must be 1..100000 and --clients 1..1024")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = machine_line(dbs, args.pg_base)
    print(machine, flush=True)
    results = {db: run_one(db, args, log=lambda m: print(m, flush=True)) for db in dbs}
    publish(report(results, args, machine, load), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
