"""Run wrk (Debian's ``wrk`` package) against a loopback URL and read its report.

wrk is written in C and keeps 32 connections busy from one thread using a fraction of
a core, so on a 2-core machine it measures the server rather than the client.  Install
it with ``apt-get install wrk``; without it the benchmark falls back to its own asyncio
client (``bench.submit.loadgen``), which is slower and is said so in the report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.submit.loadgen import check_loopback

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    percentiles_ms: dict[int, float]
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def available() -> str | None:
    """The path of ``wrk``, or None."""
    return shutil.which("wrk")


def parse(text: str) -> WrkResult:
    """The figures of a ``wrk --latency`` report (ValueError when it has none)."""
    total = _TOTAL.search(text)
    if total is None:
        raise ValueError(f"no request count in wrk's report:\n{text[-500:]}")
    seconds = float(total.group(2)) * _UNITS[total.group(3)] / 1000
    percentiles = {int(p): float(v) * _UNITS[u] for p, v, u in _PERCENTILE.findall(text)}
    errors: dict[str, int] = {}
    sock = _SOCKET.search(text)
    if sock:
        for name, value in zip(("connect", "read", "write", "timeout"), sock.groups(), strict=True):
            if int(value):
                errors[name] = int(value)
    non2xx = _NON_2XX.search(text)
    if non2xx:
        errors["non-2xx"] = int(non2xx.group(1))
    requests = int(total.group(1)) - errors.get("non-2xx", 0)
    return WrkResult(requests, seconds, percentiles, errors)


def run(url: str, *, connections: int, seconds: float, timeout: float = 10.0) -> WrkResult:
    """``wrk -t1 -c<connections> -d<seconds>s --latency <url>`` (loopback only)."""
    check_loopback(urlsplit(url).hostname or "")
    exe = available()
    if exe is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    cmd = [
        exe,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout))}s",
        "--latency",
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 30)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip()[:300]}")
    return parse(proc.stdout)
