"""A small, bounded HTTP/1.1 load generator for loopback benchmarks (standard library only).

``N`` clients each send one request at a time for a fixed time; every reply is read
completely and its status counted exactly.  Two implementations of the same loop:

* ``asyncio``: raw HTTP/1.1 over asyncio streams, keep-alive when the server allows it
  (gunicorn's sync worker closes after every reply; the client then reconnects, and the
  connect time is part of that request's latency, as for any real client);
* ``threads``: ``http.client`` in ``N`` threads.

Only loopback addresses are accepted.  A run stops at the deadline or after
``max_requests``, whichever comes first; requests in flight at the deadline finish (each
bounded by ``timeout``).  For replies with status ``collect_status`` the JSON body's
``id`` is kept, so the caller can reconcile them with what the server stored.
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_HEAD = 64 * 1024
MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()  # more headers, e.g. Cookie (replace the defaults)

    def raw(self, host: str, port: int) -> bytes:
        extra = {name.lower() for name, _ in self.headers}
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [
            f"{name}: {value}"
            for name, value in (("User-Agent", "surveyapp-bench"), ("Accept", "application/json"))
            if name.lower() not in extra
        ]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        if self.content_type:
            lines.append(f"Content-Type: {self.content_type}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


@dataclass
class PhaseResult:
    name: str
    clients: int
    seconds: float = 0.0  # wall time from the start to the last reply
    statuses: Counter = field(default_factory=Counter)  # int status, or an error name
    latencies_ns: list[int] = field(default_factory=list)  # every request, any outcome
    ids: list[str] = field(default_factory=list)  # the ``id`` of each collected reply
    client_cpu_s: float = 0.0
    server_cpu_s: float | None = None
    db_cpu_s: float | None = None  # PostgreSQL server processes, when any run here
    system_busy: float | None = None  # fraction of all CPUs busy during the phase

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def rate(self, status: int) -> float:
        return self.statuses.get(status, 0) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        return percentile(self.latencies_ns, p) / 1e6

    def errors(self, ok: int) -> dict[str, int]:
        return {str(k): v for k, v in sorted(self.statuses.items(), key=str) if k != ok}


def percentile(values: Sequence[int], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of unsorted ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if p <= 0:
        return float(ordered[0])
    rank = -(-len(ordered) * p // 100)  # ceil
    return float(ordered[min(len(ordered), int(rank)) - 1])


def check_loopback(host: str) -> None:
    try:
        infos = {ai[4][0] for ai in socket.getaddrinfo(host, None)}
    except OSError as exc:
        raise ValueError(f"cannot resolve {host!r}: {exc}") from None
    if not infos or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in infos):
        raise ValueError(f"refusing to load a non-loopback host: {host!r}")


class _Stop:
    """Shared stop condition: the deadline or the request budget."""

    def __init__(self, seconds: float, max_requests: int):
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self) -> bool:  # asyncio: single thread, no lock needed
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True

    def take_locked(self) -> bool:
        with self.lock:
            return self.take()


def _collect(result: PhaseResult, status: int, body: bytes, collect_status: int | None) -> None:
    result.statuses[status] += 1
    if status == collect_status:
        try:
            result.ids.append(str(json.loads(body)["id"]))
        except (ValueError, KeyError, TypeError):
            result.statuses["bad_body"] += 1
            result.statuses[status] -= 1


# --- asyncio -----------------------------------------------------------------------------


class ProtocolError(Exception):
    pass


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]  # (lower-case name, value), in order; repeats kept
    body: bytes
    closes: bool  # the server closes the connection after this reply

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server_closes) of one HTTP/1.1 response."""
    reply = await read_reply(reader)
    return reply.status, reply.body, reply.closes


async def read_reply(reader: asyncio.StreamReader) -> Reply:
    """One complete HTTP/1.1 response (``Content-Length`` or read-to-close bodies)."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEAD:
        raise ProtocolError("head too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(f"bad status line {lines[0]!r}")
    status = int(parts[1])
    length = None
    closes = parts[0] == "HTTP/1.0"
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        name = name.strip().lower()
        headers.append((name, value.strip()))
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            closes = value.strip().lower() == "close"
        elif name == "transfer-encoding" and value.strip().lower() != "identity":
            raise ProtocolError("chunked replies are not supported")
    if length is None:
        body = await reader.read(MAX_BODY)  # until EOF
        closes = True
    elif length > MAX_BODY:
        raise ProtocolError("body too large")
    else:
        body = await reader.readexactly(length)
    return Reply(status, headers, body, closes)


async def _async_client(host, port, raws, offset, stop, result, timeout, collect_status):
    reader = writer = None
    i = offset
    n = len(raws)
    perf = time.perf_counter_ns
    lat = result.latencies_ns
    while stop.take():
        raw = raws[i % n]
        i += 1
        t0 = perf()
        try:
            async with asyncio.timeout(timeout):
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(raw)
                status, body, closes = await _read_response(reader)
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ProtocolError,
            ValueError,
            TimeoutError,
        ) as exc:
            lat.append(perf() - t0)
            result.statuses[error_name(exc)] += 1
            if writer is not None:
                writer.close()
                reader = writer = None
            continue
        lat.append(perf() - t0)
        _collect(result, status, body, collect_status)
        if closes:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


def error_name(exc: BaseException) -> str:
    """A short name for a transport failure, counted where a status would be."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(
        exc,
        ConnectionResetError
        | BrokenPipeError
        | asyncio.IncompleteReadError
        | http.client.RemoteDisconnected,
    ):
        return "disconnected"
    return type(exc).__name__


async def _run_async(host, port, raws, clients, stop, result, timeout, collect_status):
    await asyncio.gather(
        *(
            _async_client(host, port, raws, k * 7919, stop, result, timeout, collect_status)
            for k in range(clients)
        )
    )


# --- threads -----------------------------------------------------------------------------


def _thread_client(host, port, requests, offset, stop, result, timeout, collect_status, lock):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    i = offset
    n = len(requests)
    perf = time.perf_counter_ns
    lat: list[int] = []
    statuses: Counter = Counter()
    local = PhaseResult(result.name, 1)
    local.statuses = statuses
    while stop.take_locked():
        req = requests[i % n]
        i += 1
        headers = {"User-Agent": "surveyapp-bench", "Accept": "application/json"}
        if req.content_type:
            headers["Content-Type"] = req.content_type
        headers.update(req.headers)
        t0 = perf()
        try:
            conn.request(req.method, req.path, body=req.body or None, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            lat.append(perf() - t0)
            statuses[error_name(exc)] += 1
            conn.close()
            continue
        lat.append(perf() - t0)
        _collect(local, resp.status, body, collect_status)
        if resp.will_close:
            conn.close()
    conn.close()
    with lock:
        result.latencies_ns.extend(lat)
        result.statuses.update(statuses)
        result.ids.extend(local.ids)


def _run_threads(host, port, requests, clients, stop, result, timeout, collect_status):
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=_thread_client,
            args=(host, port, requests, k * 7919, stop, result, timeout, collect_status, lock),
            daemon=True,
        )
        for k in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=stop.deadline - time.monotonic() + timeout + 5)
    if any(t.is_alive() for t in threads):
        raise RuntimeError("a client thread did not finish")


# --- entry point -------------------------------------------------------------------------


def run_phase(
    name: str,
    host: str,
    port: int,
    requests: Sequence[Request],
    *,
    clients: int,
    seconds: float,
    mode: str = "asyncio",
    timeout: float = 10.0,
    max_requests: int = 5_000_000,
    collect_status: int | None = None,
    server_pids: Sequence[int] = (),
) -> PhaseResult:
    """Load ``host:port`` with ``requests`` (cycled) from ``clients`` clients for ``seconds``."""
    check_loopback(host)
    if not requests:
        raise ValueError("no requests to send")
    if not 1 <= clients <= 1024 or not 0 < seconds <= 3600:
        raise ValueError("clients must be 1..1024 and seconds 0..3600")
    result = PhaseResult(name, clients)
    stop = _Stop(seconds, max_requests)
    meter = CpuMeter(server_pids)
    start = time.perf_counter()
    if mode == "asyncio":
        raws = [r.raw(host, port) for r in requests]
        asyncio.run(_run_async(host, port, raws, clients, stop, result, timeout, collect_status))
    elif mode == "threads":
        _run_threads(host, port, requests, clients, stop, result, timeout, collect_status)
    else:
        raise ValueError(f"unknown client mode {mode!r}")
    result.seconds = time.perf_counter() - start
    meter.stop(result)
    return result


class CpuMeter:
    """CPU used from its creation to :meth:`stop`: this process, the server, PostgreSQL, all."""

    def __init__(self, server_pids: Sequence[int] = ()):
        self.server_pids = list(server_pids)
        self.cpu0, self.srv0 = _own_cpu(), _cpu_of(self.server_pids)
        self.sys0, self.db0 = _system_cpu(), _cpu_by_name("postgres")

    def stop(self, result: PhaseResult) -> None:
        """Fill ``result``'s ``client_cpu_s``, ``server_cpu_s``, ``db_cpu_s``, ``system_busy``."""
        result.client_cpu_s = _own_cpu() - self.cpu0
        srv1, sys1, db1 = _cpu_of(self.server_pids), _system_cpu(), _cpu_by_name("postgres")
        result.db_cpu_s = db1 - self.db0 if db1 >= self.db0 else None
        if self.srv0 is not None and srv1 is not None:
            result.server_cpu_s = srv1 - self.srv0
        if self.sys0 is not None and sys1 is not None and sys1[1] > self.sys0[1]:
            result.system_busy = (sys1[0] - self.sys0[0]) / (sys1[1] - self.sys0[1])


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _cpu_of(pids: Sequence[int]) -> float | None:
    """CPU seconds used so far by ``pids`` (Linux /proc); None when unavailable."""
    if not pids:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _cpu_by_name(name: str) -> float:
    """CPU seconds used so far by the live processes called ``name`` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                raw = fh.read()
        except OSError:
            continue
        comm, _, rest = raw.partition(" (")[2].rpartition(") ")
        if comm == name:
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _system_cpu() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs since boot (Linux /proc/stat)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values[:8]) - idle, sum(values[:8])


def busy_cores(interval: float = 1.0) -> float | None:
    """CPU cores busy on the whole machine over the next ``interval`` seconds."""
    a = _system_cpu()
    time.sleep(interval)
    b = _system_cpu()
    if a is None or b is None or b[1] <= a[1]:
        return None
    return (b[0] - a[0]) / (b[1] - a[1]) * len(os.sched_getaffinity(0))


def wait_quiet(max_wait: float, threshold: float = 0.3) -> float | None:
    """Wait (up to ``max_wait`` s) until under ``threshold`` cores are busy; the last reading."""
    deadline = time.monotonic() + max_wait
    while True:
        busy = busy_cores(1.0)
        if busy is None or busy < threshold or time.monotonic() >= deadline:
            return busy
