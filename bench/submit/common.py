"""Pieces shared by the benchmarks that drive the app over HTTP (``bench.submit``, ``bench.load``).

Valid, varied API bodies for a questionnaire; the reconciliation of the ids of the
success replies with the rows the database kept; the machine line of a report.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version as dist_version

SUGGESTIONS = [
    "希望增加无障碍通道",
    "菜价再实惠一些",
    "服务很好，继续保持",
    "希望提供小份菜",
    "卫生间需要改进",
    "Please add English menus",
    "",
]


@dataclass
class Reconciliation:
    replied: int  # 201 replies
    stored: int  # rows of the round
    table_rows: int  # rows of the whole response table
    dup_replied: int
    dup_stored: int
    missing: int  # 201 ids not stored
    extra: int  # stored rows without a 201
    success: str = "201"  # what counts as a success reply, for the report line

    @property
    def ok(self) -> bool:
        return (
            self.replied == self.stored == self.table_rows
            and not self.dup_replied
            and not self.dup_stored
            and not self.missing
            and not self.extra
        )

    def line(self) -> str:
        ok = self.success
        return (
            f"{self.replied} x {ok}, {self.stored} rows stored ({self.table_rows} in table); "
            f"{ok} ids not stored {self.missing}, rows without a {ok} {self.extra}, "
            f"duplicate ids {self.dup_replied}/{self.dup_stored} -> {'PASS' if self.ok else 'FAIL'}"
        )


def reconcile(
    reply_ids: list[str], uids: list[str], table_rows: int, success: str = "201"
) -> Reconciliation:
    """Compare the ids of the success replies with the ids of the stored rows."""
    replied, stored = set(reply_ids), set(uids)
    return Reconciliation(
        replied=len(reply_ids),
        stored=len(uids),
        table_rows=table_rows,
        dup_replied=len(reply_ids) - len(replied),
        dup_stored=len(uids) - len(stored),
        missing=len(replied - stored),
        extra=len(stored - replied),
        success=success,
    )


def _scale(spec: dict | None, default: tuple[int, int]) -> tuple[int, int]:
    if not spec:
        return default
    return int(spec.get("min", default[0])), int(spec.get("max", default[1]))


def submission_bodies(definition: dict, n: int, seed: int) -> list[bytes]:
    """``n`` valid, varied JSON bodies for the questionnaire ``definition`` (seeded)."""
    rng = random.Random(seed)
    top = _scale(definition.get("scale"), (1, 5))
    items = [
        (it["id"], _scale(it.get("scale"), top), bool(it.get("required")))
        for dim in definition["dimensions"]
        for it in dim["items"]
    ]
    overall = definition["overall"]
    items.append((overall["id"], _scale(overall.get("scale"), top), True))
    respondent = [
        (q["id"], [o["value"] if isinstance(o, dict) else str(o) for o in q["options"]])
        for q in definition.get("respondent", [])
    ]
    open_ids = [q["id"] for q in definition.get("open_questions", [])]
    bodies = []
    for _ in range(n):
        centre = rng.uniform(2.5, 4.8)
        answers = {}
        for aid, (lo, hi), required in items:
            if not required and rng.random() < 0.05:
                answers[aid] = None
            else:
                answers[aid] = max(lo, min(hi, round(rng.gauss(centre, 0.8))))
        body = {
            "respondent": {qid: rng.choice(options) for qid, options in respondent},
            "answers": answers,
            "open": {oid: rng.choice(SUGGESTIONS) for oid in open_ids},
        }  # no "channel": a response's channel is its channel key's
        bodies.append(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return bodies


def get_json(host: str, port: int, path: str) -> dict:
    """GET ``path`` and decode its JSON body (set-up requests, not measured)."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {path}: {resp.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        conn.close()


def machine_line(dbs: list[str], pg_base: str) -> str:
    """One line naming the machine and the versions measured, for the report's head."""
    mem = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    parts = [
        f"nproc {len(os.sched_getaffinity(0))}",
        f"memory {mem}",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
        f"gunicorn {dist_version('gunicorn')}",
        f"Flask {dist_version('flask')}",
        f"SQLAlchemy {dist_version('sqlalchemy')}",
    ]
    if "postgres" in dbs:
        parts.append(f"PostgreSQL {_pg_version(pg_base)}")
    parts.append(f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    return "machine: " + ", ".join(parts)


def _pg_version(pg_base: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_base)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    except Exception as exc:  # noqa: BLE001 - only for the report line
        return f"unavailable ({type(exc).__name__})"
    finally:
        engine.dispose()


def publish(text: str, out) -> None:
    """Print a report and write it to ``out`` (a Path; ``-`` for no file)."""
    print()
    print(text, end="")
    if str(out) != "-":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")
