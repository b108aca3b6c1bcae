"""Complaints at scale: 1,000,000 complaints, a month's publicity edition, the overdue
list, and the cost of intake against a survey submission.

    python -m bench.complaints [--db sqlite|postgres|both] [--complaints 1000000]
                               [--providers 50000] [--runs 5] [--intake-seconds 10]
                               [--intake-rounds 2] [--clients 16] [--skip-intake]
                               [--skip-scale] [--url URL]

**Scale** (per database, in this process): a fresh database migrated to head,
``--providers`` providers and ``--complaints`` complaints received over the last 365
days (per provider a log-normal share; one in ten naming its provider by free text only),
most of them handled, some open past their deadline, written in bulk (executemany /
COPY).  Then, ``--runs`` times each (median and slowest):

- a month's publicity edition (``publicity_files``: the counts, the approved
  explanations, the PDF and the CSV) of the last full month;
- the overdue list as a page of it (``open_cases(limit=100)``: the oldest 100, the
  columns shown, with ``open_case_counts``: how many in all), its counts per handler
  (``open_case_counts``), the whole list of those columns, and, for comparison, as
  whole objects (``overdue``, the command line's);
- the dashboard's complaints of six sectors for the quarter (``sector_complaints``) and
  the bulletin's counts for the quarter and the one before (``complaints_record``).

**Intake** (per database): the harness of ``bench.submit`` (its helpers, imported
read-only): a fresh database prepared like its own, gunicorn (2 sync workers) on a
loopback port, a warm-up, then ``--intake-seconds`` of survey submissions
(``POST /api/v1/rounds/bench/responses``) and as long of complaints
(``POST /api/v1/complaints``, free-text provider, the same channel key), alternating
``--intake-rounds`` times (the order flipped each round), ``--clients`` concurrent
clients; each run with the gunicorn workers' own CPU per request (utime + stime from
/proc) and on PostgreSQL its processes' CPU per request.  Goal: complaints/s at least
the submissions/s (intake costs no more than a submission).  ``--skip-scale`` writes
to bench/results/complaints_intake.txt.

``--url`` measures a database of one's own instead of a fresh one: loaded there when it
holds no complaints, else measured as it is (loading 1,000,000 complaints takes 5 to 30
minutes on a shared machine), and never dropped.  Each figure gives wall time and this
process's CPU time.

Figures go to bench/results/complaints.txt with the machine's load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from bench.provider_pages.__main__ import DISTRICTS, SECTORS, _copy_or_insert, database
from bench.submit.common import get_json, submission_bodies
from bench.submit.loadgen import PhaseResult, Request, run_phase
from bench.submit.stack import Gunicorn, fresh_database, key_header, keyed_posts, prepare_database

OUT = Path(__file__).resolve().parents[1] / "results" / "complaints.txt"
OUT_INTAKE = OUT.with_name("complaints_intake.txt")  # --skip-scale: intake alone
GOAL_PUBLICITY_S = 5.0
GOAL_OVERDUE_MS = 200.0
PAGE = 100  # cases on a page of the overdue list
CATEGORIES = ("价格", "商品质量", "服务态度", "食品安全", "虚假宣传", "合同", "预付卡", "其他")
COLUMNS = ("id", "external_id", "receipt_hash", "channel", "received_at", "provider_id",
           "provider_name", "sector", "category", "description", "amount", "complainant_name",
           "complainant_phone", "status", "accepted_at", "closed_at", "outcome", "reason",
           "created_at")  # fmt: skip


def _stamp(dialect: str) -> Callable[[datetime | None], object]:
    if dialect == "sqlite":
        return lambda at: None if at is None else at.isoformat(sep=" ")
    return lambda at: at


def load(url: str, complaints: int, providers: int, now: datetime, seed: int = 17) -> int:
    """Providers (ids 1..providers) and complaints in bulk; returns how many complaints
    are open past their deadline by construction (about)."""
    rng = np.random.default_rng(seed)
    sector_of = rng.integers(0, len(SECTORS), providers)
    district_of = rng.integers(0, len(DISTRICTS), providers)
    weights = rng.lognormal(0, 1.2, providers)
    owner = rng.choice(providers, size=complaints, p=weights / weights.sum())
    # plain lists: indexing numpy arrays one element at a time is slow
    owner = owner.tolist()
    ages = rng.uniform(0, 365, complaints).tolist()  # days before now
    free = (rng.random(complaints) < 0.1).tolist()
    roll = rng.random(complaints).tolist()
    category = rng.integers(0, len(CATEGORIES), complaints).tolist()
    outcome_roll = rng.random(complaints).tolist()
    sector_names = [SECTORS[s] for s in sector_of.tolist()]
    engine = create_engine(url)
    late = 0
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        dialect = engine.dialect.name
        at = _stamp(dialect)
        stamp = at(now)
        _copy_or_insert(
            raw, dialect, "provider",
            ("id", "registration_no", "name", "district", "service_types", "status",
             "created_at", "updated_at"),
            ((i + 1, f"B{i + 1:07d}", f"{DISTRICTS[district_of[i]][:2]}第{i + 1}号服务店",
              DISTRICTS[district_of[i]], "[]", "open", stamp, stamp) for i in range(providers)),
        )  # fmt: skip
        _copy_or_insert(
            raw, dialect, "provider_sector", ("provider_id", "sector"),
            ((i + 1, SECTORS[sector_of[i]]) for i in range(providers)),
        )  # fmt: skip

        def rows() -> Iterator[tuple]:
            nonlocal late
            for i in range(complaints):
                age = ages[i]
                received = now - timedelta(days=age)
                r = roll[i]
                status, accepted, closed, outcome, reason = "received", None, None, None, None
                if age > 10 or (age > 2 and r < 0.7):
                    if age > 10 and r < 0.05:
                        status, closed, reason = (
                            "not_accepted",
                            received + timedelta(days=3),
                            "不属于受理范围",
                        )  # noqa: E501
                    elif age > 10 and r < 0.06:
                        late += 1  # never decided: overdue
                    else:
                        accepted = received + timedelta(days=1 + 4 * r)
                        status = "mediation"
                        if age > 70 and r > 0.063:  # ended within the statutory days
                            status = "closed"
                            closed = accepted + timedelta(days=5 + 50 * r)
                            o = outcome_roll[i]
                            outcome = (
                                "和解成功" if o < 0.55 else ("未达成和解" if o < 0.85 else "终止")
                            )
                            reason = "调解完毕"
                        elif age > 70:
                            late += 1  # in mediation past 45 working days
                        elif age > 10 and r > 0.5:
                            status = "closed"
                            closed = min(now, accepted + timedelta(days=3 + 5 * r))
                            outcome = "和解成功" if outcome_roll[i] < 0.6 else "未达成和解"
                            reason = "调解完毕"
                pid = owner[i] + 1
                sector = sector_names[pid - 1]
                yield (
                    i + 1, f"H{i + 1:08d}", hashlib.sha256(b"r%d" % i).hexdigest(), "12345",
                    at(received), None if free[i] else pid,
                    f"服务店{pid}号" if free[i] else None, sector, CATEGORIES[category[i]],
                    "结账金额与标价不一致，要求退还差价", None, "居民", "13800000000",
                    status, at(accepted), at(closed), outcome, reason, at(received),
                )  # fmt: skip

        _copy_or_insert(raw, dialect, "complaint", COLUMNS, rows())
        if dialect == "postgresql":
            with raw.cursor() as cur:
                cur.execute("SELECT setval('complaint_id_seq', %s)", (complaints,))
                cur.execute("SELECT setval('provider_id_seq', %s)", (providers,))
        raw.commit()
    engine.dispose()
    return late


def _timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def _timed_cpu(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float], object]:
    """As :func:`_timed`, with this process's CPU seconds of each run (the machine is
    shared: wall time alone says more of the neighbours than of the code)."""
    times, cpu, out = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, cpu, out


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:,.0f} ms, slowest {max(times) * 1000:,.0f} ms"


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def _loaded(url: str) -> int:
    """How many complaints a database given by ``--url`` holds (0: none, or no tables)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM complaint")).scalar_one())
    except Exception:  # noqa: BLE001 - a new database: no table yet
        return 0
    finally:
        engine.dispose()


def scale(
    kind: str, complaints: int, providers: int, runs: int, url: str | None = None, log=print
) -> list[str]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.complaints import (
        ComplaintSettings,
        open_case_counts,
        open_cases,
        overdue,
    )
    from surveyapp.complaints.bulletin import complaints_record
    from surveyapp.complaints.handling import publicity_files
    from surveyapp.complaints.panel import sector_complaints
    from surveyapp.extensions import db
    from surveyapp.rounds.dates import china_today

    lines = []
    now = datetime.now(UTC).replace(microsecond=0)
    today = china_today(now)
    last = today.replace(day=1) - timedelta(days=1)
    month = f"{last.year}-{last.month:02d}"
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    settings = ComplaintSettings()
    held = _loaded(url) if url else 0
    with _given(url) if url else database(kind) as url:
        app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
        if held:  # --url: loaded by an earlier run (its "now" minutes before this one's)
            lines.append(f"{kind}: the database given holds {held:,} complaints (not reloaded)")
        else:
            with app.app_context():
                upgrade()
            start = time.perf_counter()
            late = load(url, complaints, providers, now)
            lines.append(f"{kind}: loaded {providers:,} providers, {complaints:,} complaints in "
                         f"{time.perf_counter() - start:.0f} s (about {late:,} open past a deadline)")  # fmt: skip
        log(lines[-1])
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            # both databases: plan on real sizes; PostgreSQL also sets the visibility map
            # (as autovacuum does on a live database) so covering indexes are read alone
            conn.execute(text("VACUUM ANALYZE" if kind == "postgresql" else "ANALYZE"))
        engine.dispose()
        with app.app_context():
            calendar = settings.calendar()

            def edition():
                pdf, csv, _ = publicity_files(db.session, month, settings, "zh", today)
                db.session.rollback()
                return len(pdf), len(csv)

            times, cpu, (pdf_bytes, csv_bytes) = _timed_cpu(edition, runs)  # type: ignore[misc]
            met = statistics.median(times) < GOAL_PUBLICITY_S
            lines.append(f"{kind}: publicity edition of {month} (PDF {pdf_bytes / 1e6:.1f} MB, "
                         f"CSV {csv_bytes / 1e6:.1f} MB): {_ms(times)}, CPU median "
                         f"{statistics.median(cpu) * 1000:,.0f} ms; goal < "
                         f"{GOAL_PUBLICITY_S:g} s {'MET' if met else 'NOT MET'}")  # fmt: skip
            log(lines[-1])

            def page():
                cases = open_cases(db.session, now, calendar, settings, "overdue", limit=PAGE)
                n = open_case_counts(db.session, now, calendar, settings, "overdue", "all")["all"]
                db.session.rollback()
                return len(cases), n

            def per_handler():
                per = open_case_counts(db.session, now, calendar, settings, "overdue", "handler")
                db.session.rollback()
                return sum(per.values())

            def fast():
                n = len(open_cases(db.session, now, calendar, settings, "overdue"))
                db.session.rollback()
                return n

            def whole():
                n = len(overdue(db.session, now, calendar, settings))
                db.session.expunge_all()
                db.session.rollback()
                return n

            page()  # warm the caches
            times, cpu, (shown, n) = _timed_cpu(page, max(runs, 10))  # type: ignore[misc]
            met = statistics.median(times) * 1000 < GOAL_OVERDUE_MS
            lines.append(f"{kind}: overdue list, a page ({shown} of {n:,} cases, oldest first, "
                         f"open_cases(limit={PAGE}) + open_case_counts all): "
                         f"{_ms(times)}, CPU median {statistics.median(cpu) * 1000:,.0f} ms; "
                         f"goal < {GOAL_OVERDUE_MS:g} ms {'MET' if met else 'NOT MET'}")  # fmt: skip
            log(lines[-1])
            times, cpu, n = _timed_cpu(per_handler, max(runs, 5))
            lines.append(f"{kind}: its counts per handler ({n:,} cases, open_case_counts): "
                         f"{_ms(times)}, CPU median {statistics.median(cpu) * 1000:,.0f} ms")  # fmt: skip
            log(lines[-1])
            times, cpu, n = _timed_cpu(fast, max(runs, 5))
            lines.append(f"{kind}: the whole list ({n:,} cases, open_cases: the columns shown): "
                         f"{_ms(times)}, CPU median {statistics.median(cpu) * 1000:,.0f} ms")  # fmt: skip
            log(lines[-1])
            times, n = _timed(whole, max(runs, 5))
            lines.append(f"{kind}: the same as whole objects (overdue(), the command line's): "
                         f"{_ms(times)}")  # fmt: skip
            log(lines[-1])
            for sectors in ((SECTORS[2],), SECTORS):
                times, _ = _timed(
                    lambda s=sectors: sector_complaints(db.session, s, quarter, now, settings),
                    runs,
                )
                lines.append(f"{kind}: dashboard complaints of {len(sectors)} sector(s), "
                             f"{quarter}: {_ms(times)}")  # fmt: skip
                log(lines[-1])
            times, _ = _timed(lambda: complaints_record(db.session, quarter, SECTORS, now), runs)
            lines.append(f"{kind}: bulletin counts, {quarter} and the quarter before, 6 sectors: "
                         f"{_ms(times)}")  # fmt: skip
            log(lines[-1])
            db.session.remove()
            db.engine.dispose()
    return lines


def complaint_bodies(n: int, seed: int) -> list[bytes]:
    """``n`` valid complaint bodies (free-text provider, no external id: each POST is a
    new complaint)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = {
            "sector": "catering",
            "category": rng.choice(CATEGORIES),
            "description": f"结账金额与标价不一致（{i}）",
            "provider_name": f"普洱第{rng.randint(1, 500)}号餐馆",
            "amount": rng.choice([None, 12.5, 88, 300]),
            "complainant_name": "张三",
            "complainant_phone": f"138{rng.randint(10_000_000, 99_999_999)}",
        }
        out.append(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return out


def _per_request_ms(seconds: float | None, ok: int) -> float | None:
    return None if seconds is None or not ok else seconds / ok * 1000


def _phase_line(kind: str, p: PhaseResult, ok: int) -> str:
    bad = {k: v for k, v in p.statuses.items() if k != ok}
    n = p.statuses.get(ok, 0)
    cpu = _per_request_ms(p.server_cpu_s, n)
    db = _per_request_ms(p.db_cpu_s, n) if kind == "postgres" else None
    return (f"{kind}: {p.name:<11} {p.requests:>7,} requests, {p.rate(ok):>7,.0f} ok/s, "
            f"p50 {p.percentile_ms(50):6.1f} ms, p99 {p.percentile_ms(99):6.1f} ms, "
            f"workers' CPU {cpu or 0:.2f} ms/request, "
            f"load client's {_per_request_ms(p.client_cpu_s, n) or 0:.2f}"
            f"{f', PostgreSQL (all its processes) CPU {db:.2f} ms/request' if db is not None else ''}, "
            f"load {os.getloadavg()[0]:.2f}"
            f"{', errors ' + str(dict(bad)) if bad else ''}")  # fmt: skip


def _spread(values: list[float], fmt: str = ".2f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def intake_cost(kind: str, seconds: float, clients: int, rounds: int = 2, log=print) -> list[str]:
    """``rounds`` alternating runs of submissions and complaints on one server (the
    order flips each round, so a neighbour's load hits both alike), each with its
    rate and the gunicorn workers' own CPU (utime + stime from /proc) per request."""
    lines = []
    names = ("submission", "complaint")
    rates: dict[str, list[float]] = {n: [] for n in names}
    p50: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    ratios: list[float] = []
    load0 = os.getloadavg()[0]
    with fresh_database(kind) as url:
        key = prepare_database(url, in_process=True)
        server = Gunicorn(url, workers=2, worker_class="sync")
        server.start()
        try:
            host, port = server.host, server.port
            definition = get_json(host, port, "/api/v1/questionnaires/catering")
            posts = keyed_posts(submission_bodies(definition, 2000, 1), key)
            complaints = [
                Request("POST", "/api/v1/complaints", b, "application/json", key_header(key))
                for b in complaint_bodies(2000, 1)
            ]
            # the workers only: their CPU per request is the cost of the request itself
            common = dict(clients=clients, server_pids=server.worker_pids())
            run_phase("warm", host, port, posts, seconds=2, **common)  # type: ignore[arg-type]
            run_phase("warm", host, port, complaints, seconds=2, **common)  # type: ignore[arg-type]
            for r in range(rounds):
                order = ((names[0], posts), (names[1], complaints))
                got: dict[str, float] = {}
                for name, requests in order if r % 2 == 0 else order[::-1]:
                    # 201 counted either way: a complaint's reply has a receipt, not an id
                    p = run_phase(name, host, port, requests, seconds=seconds,
                                  **common)  # type: ignore[arg-type]  # fmt: skip
                    got[name] = p.rate(201)
                    rates[name].append(p.rate(201))
                    p50[name].append(p.percentile_ms(50))
                    cpu[name].append(_per_request_ms(p.server_cpu_s, p.statuses[201]) or 0.0)
                    lines.append(_phase_line(kind, p, 201))
                    log(lines[-1])
                ratios.append(got["complaint"] / got["submission"])
        finally:
            server.stop()
    ratio = statistics.median(rates["complaint"]) / statistics.median(rates["submission"])
    cpu_ratio = statistics.median(cpu["complaint"]) / statistics.median(cpu["submission"])
    lines.append(
        f"{kind}: complaints/s over submissions/s (medians of {rounds} runs each): {ratio:.2f} "
        f"(each round's ratio {_spread(ratios)}); complaints {_spread(rates['complaint'], '.0f')}"
        f"/s, submissions {_spread(rates['submission'], '.0f')}/s; workers' CPU per request "
        f"{_spread(cpu['complaint'])} vs {_spread(cpu['submission'])} ms ({cpu_ratio:.2f}x); "
        f"p50 {statistics.median(p50['complaint']):.1f} vs "
        f"{statistics.median(p50['submission']):.1f} ms; load {load0:.2f} to "
        f"{os.getloadavg()[0]:.2f}; goal >= 1.00 (within 5%: >= 0.95) "
        f"{'MET' if ratio >= 0.95 else 'NOT MET'}"
    )
    log(lines[-1])
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--providers", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--intake-seconds", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--intake-rounds", type=int, default=2, help="alternating rounds of intake")
    ap.add_argument("--skip-intake", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--out", type=Path, help=f"default {OUT} ({OUT_INTAKE} with --skip-scale)")
    ap.add_argument(
        "--url",
        help="scale part on this database (one --db): loaded here when it has no "
        "complaints, else measured as it is (not dropped afterwards)",
    )
    args = ap.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.url and args.db == "both":
        ap.error("--url needs --db sqlite or --db postgres")
    load_before = os.getloadavg()
    lines = [
        f"python -m bench.complaints --db {args.db} --complaints {args.complaints} "
        f"--providers {args.providers} --runs {args.runs} --intake-seconds "
        f"{args.intake_seconds:g} --intake-rounds {args.intake_rounds} --clients {args.clients}"
        f"{' --skip-scale' if args.skip_scale else ''}{' --skip-intake' if args.skip_intake else ''}",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, a 2-core VM shared with other "
        f"work during the run (load average before: {load_before[0]:.2f}); Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC",
    ]
    for kind in kinds:
        if not args.skip_scale:
            lines += scale("postgresql" if kind == "postgres" else "sqlite", args.complaints,
                           args.providers, args.runs, args.url)  # fmt: skip
        if not args.skip_intake:
            lines += intake_cost(kind, args.intake_seconds, args.clients, args.intake_rounds)
    lines.append(f"load average at the end: {os.getloadavg()[0]:.2f}")
    out = args.out or (OUT_INTAKE if args.skip_scale else OUT)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
