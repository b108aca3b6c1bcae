"""Server time of the public provider pages at 50,000 providers and 5,000,000 ratings.

    python -m bench.provider_pages [--providers 50000] [--ratings 5000000]
                                   [--db sqlite|postgres|both] [--views 20]

For each database: a fresh database (SQLite file; on PostgreSQL a database of its own,
created and dropped) migrated to head, ``--providers`` providers (registration numbers,
one of the six sectors each, eleven districts) and ``--ratings`` ratings over the last
eleven months (per provider a log-normal share of them, 2% with a comment; every rating answers its
sector's shipped form, so the per-item scores have their real cost), written in bulk
(executemany / COPY).  Then, in this process through the Flask test client
(server time: routing, the staleness check, queries, template; no network):

- the full refresh of the stored scores (``refresh_published_scores``: one pass over
  the ratings for the stars and the items, the estimation, the last period's scores,
  writing 50,000 rows and their items), which a page never waits for once stored:
  wall time, this process's CPU time (and PostgreSQL's backend's) and the 1-minute
  load average; then the same again with nothing new (the rows compared, none written);
- ``--views`` views each (median, 90th percentile) of the directory (default order;
  a sector sorted by number of ratings; a name search; page 200) and of provider
  pages (the provider with the most ratings, and random ones), anonymous.

Figures go to bench/results/provider_pages.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from bench.dashboard.__main__ import postgres_database

OUT = Path(__file__).resolve().parents[1] / "results" / "provider_pages.txt"
SECTORS = ("elderly_care", "domestic", "catering", "lodging", "supermarket", "logistics")
DISTRICTS = ("思茅区", "宁洱县", "墨江县", "景东县", "景谷县", "镇沅县", "江城县", "孟连县",
             "澜沧县", "西盟县", "普洱新区")  # fmt: skip
RATING_COLUMNS = ("provider_id", "sector", "form_id", "form_version", "answers", "overall",
                  "comment", "window_start", "created_at")  # fmt: skip


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh SQLite file, or a PostgreSQL database of its own (dropped afterwards)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield "sqlite:///" + os.path.join(tmp, "bench.db")
        return
    with postgres_database() as url:
        yield url


def _copy_or_insert(raw, dialect: str, table: str, cols: tuple[str, ...], rows) -> None:
    if dialect == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
        return
    cur = raw.cursor()
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == 50_000:
            cur.executemany(sql, chunk)
            chunk.clear()
    if chunk:
        cur.executemany(sql, chunk)
    cur.close()


def _forms(url: str) -> dict[str, tuple[str, int, int, int]]:
    """Each sector's shipped rating form published (version 1): sector → (form id,
    version, number of items, position of ``overall``), so ratings carry real answers."""
    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.ratings.forms import OVERALL, form_version, shipped_form

    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
    out = {}
    with app.app_context():
        for sector in SECTORS:
            form = shipped_form(sector)
            assert form is not None, sector
            version = form_version(db.session, form)
            ids = form.item_ids
            out[sector] = (form.id, version.version, len(ids), ids.index(OVERALL))
        db.session.remove()
        db.engine.dispose()
    return out


def load(url: str, providers: int, ratings: int, seed: int = 7) -> None:
    """Providers, their sectors and ratings in bulk (ids 1..providers); every rating
    answers its sector's form (each item 1-5 stars around the overall, 5% unanswered)."""
    forms = _forms(url)
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    sector_of = rng.integers(0, len(SECTORS), providers)
    district_of = rng.integers(0, len(DISTRICTS), providers)
    weights = rng.lognormal(0, 1.2, providers)
    counts = rng.multinomial(ratings, weights / weights.sum())
    quality = rng.beta(6, 2, providers)
    engine = create_engine(url)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        dialect = engine.dialect.name
        stamp = now.isoformat(sep=" ") if dialect == "sqlite" else now
        _copy_or_insert(
            raw, dialect, "provider",
            ("id", "registration_no", "name", "district", "service_types", "status", "created_at", "updated_at"),
            ((i + 1, f"B{i + 1:07d}", f"{DISTRICTS[district_of[i]][:2]}第{i + 1}号服务店",
              DISTRICTS[district_of[i]], "[]", "open", stamp, stamp) for i in range(providers)),
        )  # fmt: skip
        _copy_or_insert(
            raw, dialect, "provider_sector", ("provider_id", "sector"),
            ((i + 1, SECTORS[sector_of[i]]) for i in range(providers)),
        )  # fmt: skip

        def rows() -> Iterator[tuple]:
            for i in range(providers):
                n = int(counts[i])
                if not n:
                    continue
                sat = rng.random(n) < quality[i]
                stars = np.where(sat, rng.integers(4, 6, n), rng.integers(1, 4, n))
                ages = rng.integers(0, 330 * 86400, n)
                commented = rng.random(n) < 0.02
                sector = SECTORS[sector_of[i]]
                form_id, version, width, at_overall = forms[sector]
                items = np.clip(stars[:, None] + rng.integers(-1, 2, (n, width)), 1, 5)
                items[rng.random((n, width)) < 0.05] = 255  # not answered
                items[:, at_overall] = stars
                answers = [bytes(row) for row in items.astype(np.uint8).tolist()]
                for s, age, c, a in zip(
                    stars.tolist(), ages.tolist(), commented.tolist(), answers, strict=True
                ):
                    at = now - timedelta(seconds=age)
                    yield (i + 1, sector, form_id, version, a, s,
                           "服务不错，电话13812345678" if c else None, at.date(),
                           at.isoformat(sep=" ") if dialect == "sqlite" else at)  # fmt: skip

        _copy_or_insert(raw, dialect, "rating", RATING_COLUMNS, rows())
        raw.commit()
    engine.dispose()


def _server_cpu(session) -> float | None:
    """CPU seconds of the PostgreSQL backend serving ``session`` (its /proc entry, when
    the server runs on this machine); None on SQLite or elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _views(client, url: str, views: int) -> tuple[float, float]:
    times = []
    for _ in range(views):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def measure(kind: str, providers: int, ratings: int, views: int) -> list[str]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.extensions import db
    from surveyapp.models.base import utcnow
    from surveyapp.providers.published import ScoreSettings, refresh_published_scores
    from surveyapp.rounds.dates import china_today

    lines = []
    with database(kind) as url:
        app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": url, "ACCESS_LOG": False})
        with app.app_context():
            upgrade()
        start = time.perf_counter()
        load(url, providers, ratings)
        lines.append(f"{kind}: loaded {providers:,} providers, {ratings:,} ratings in "
                     f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        if kind == "postgresql":
            with app.app_context():
                db.session.execute(text("ANALYZE"))
                db.session.commit()
        with app.app_context():
            for label in ("full refresh of the stored scores",
                          "the same again, nothing new (writes no row)"):  # fmt: skip
                server = _server_cpu(db.session)
                start, cpu = time.perf_counter(), time.process_time()
                refresh_published_scores(db.session, china_today(utcnow()), ScoreSettings(12, 5))
                db.session.commit()
                # CPU of this process beside the wall time: on the shared machine the wall
                # time mostly measures the others' load (SQLite's work is in this process;
                # PostgreSQL's server CPU is read from its backend's /proc entry); the
                # load average says how shared it was
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                served = _server_cpu(db.session)
                spent = "" if server is None or served is None else (
                    f", server CPU {served - server:.1f} s")  # fmt: skip
                lines.append(f"{kind}: {label}: {wall:.1f} s (CPU of this process "
                             f"{cpu:.1f} s{spent}, load average {os.getloadavg()[0]:.1f})")  # fmt: skip
            busiest = db.session.execute(
                text("SELECT provider_id FROM provider_score ORDER BY n DESC LIMIT 1")
            ).scalar()
        client = app.test_client()
        rng = np.random.default_rng(1)
        pages = {
            "directory, default (by score, all sectors)": "/providers",
            "directory, catering by number of ratings": "/providers?sector=catering&sort=n",
            "directory, district + name search": "/providers?district=思茅区&q=第12",
            "directory, page 200": "/providers?page=200",
            "provider page, most ratings": f"/providers/B{busiest:07d}",
        }
        for i, pid in enumerate(rng.integers(1, providers + 1, 3).tolist()):
            pages[f"provider page, random {i + 1}"] = f"/providers/B{pid:07d}"
        client.get("/providers")  # warm the template cache
        for label, url_ in pages.items():
            median, p90 = _views(client, url_, views)
            lines.append(f"{kind}: {label}: median {median:.1f} ms, p90 {p90:.1f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--providers", type=int, default=50_000)
    ap.add_argument("--ratings", type=int, default=5_000_000)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--views", type=int, default=20)
    args = ap.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [
        "postgresql" if args.db == "postgres" else "sqlite"]  # fmt: skip
    lines = [f"python -m bench.provider_pages --providers {args.providers} --ratings "
             f"{args.ratings} --db {args.db} --views {args.views}",
             f"machine: {platform.machine()}, {os.cpu_count()} cores (shared, noisy), "
             f"{platform.python_implementation()} {platform.python_version()}"]  # fmt: skip
    for kind in kinds:
        for line in measure(kind, args.providers, args.ratings, args.views):
            print(line, flush=True)
            lines.append(line)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
