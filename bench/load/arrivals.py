"""The highest arrival rate: residents arriving on their own, with think time (open model).

A QR campaign is sized by how many residents *start* the survey per second, not by how
many clients hammer the server: each resident arrives at a random moment (a Poisson
process of rate ``λ`` residents per second), opens the survey, reads each page for a
random while (exponential, mean ``think`` seconds), posts it, and sees the thank-you
page -- on a connection of their own, as each phone has.  Unlike the closed loop of
:mod:`bench.load.mix`, a slow server does not slow the arrivals down: the queue grows,
and so does the latency.

:func:`find_rate` climbs a ladder of rates (each step ``factor`` times the last), one
step of ``seconds`` of arrivals at a time, waiting for the residents of a step to
finish before the next.  A step *holds* when the 99th percentile of the latency of all
its requests is under ``p99_limit_ms`` and no request failed (no 5xx, no transport
error, no unexpected status).  After the first step that does not hold, one step
halfway (geometrically) between it and the last that held refines the answer.  The
answer is the highest rate that held.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.load.mix import MixResult, _Client, _Run
from bench.submit.loadgen import CpuMeter, check_loopback, percentile


@dataclass
class Step:
    rate: float  # residents per second asked for
    seconds: float  # of arrivals
    result: MixResult
    arrived: int = 0  # residents who started
    lag_ms: float = 0.0  # the latest a resident started after their arrival time

    @property
    def achieved(self) -> float:
        return self.arrived / self.seconds if self.seconds else 0.0

    @property
    def p99_ms(self) -> float:
        return percentile(self.result.latencies_ns(), 99) / 1e6

    @property
    def p50_ms(self) -> float:
        return percentile(self.result.latencies_ns(), 50) / 1e6

    @property
    def requests(self) -> int:
        return self.result.requests

    def failures(self) -> int:
        return sum(self.result.unexpected().values()) + self.result.surveys_failed

    def holds(self, p99_limit_ms: float) -> bool:
        return self.p99_ms < p99_limit_ms and not self.failures() and self.arrived > 0


@dataclass
class Search:
    steps: list[Step] = field(default_factory=list)
    p99_limit_ms: float = 1000.0
    think: float = 0.0

    @property
    def best(self) -> Step | None:
        held = [s for s in self.steps if s.holds(self.p99_limit_ms)]
        return max(held, key=lambda s: s.rate) if held else None

    @property
    def limit_found(self) -> bool:
        """A step above the best one failed: the figure is the server's, not the ladder's top."""
        best = self.best
        return any(
            not s.holds(self.p99_limit_ms) and (best is None or s.rate > best.rate)
            for s in self.steps
        )

    def results(self) -> list[MixResult]:
        return [s.result for s in self.steps]


def run_step(
    host: str,
    port: int,
    code: str,
    *,
    rate: float,
    seconds: float,
    think: float,
    timeout: float = 30.0,
    seed: int = 1,
    server_pids: Sequence[int] = (),
    max_residents: int = 20_000,
) -> Step:
    """Residents arriving at ``rate`` per second for ``seconds``; returns when all are done."""
    check_loopback(host)
    if not 0 < rate <= 1000 or not 0 < seconds <= 600:
        raise ValueError("rate must be in (0, 1000] residents/s and seconds in (0, 600]")
    result = MixResult(0)
    meter = CpuMeter(server_pids)
    # a resident who started before the arrivals end may finish: the deadline only
    # bounds a stuck run (every page read, plus the timeout of each request)
    deadline = time.monotonic() + seconds + 20 * (think * 4 + timeout)
    run = _Run(host, port, code, [], deadline, timeout, result, seed)
    run.think = think
    rng = random.Random(seed)
    step = Step(rate, seconds, result)

    async def resident(k: int) -> None:
        client = _Client(run, k)
        try:
            await client.resident()
        finally:
            client.close()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        due = start
        tasks = []
        while len(tasks) < max_residents:
            due += rng.expovariate(rate)
            if due >= start + seconds:
                break
            await asyncio.sleep(max(0.0, due - loop.time()))
            step.lag_ms = max(step.lag_ms, (loop.time() - due) * 1000)
            tasks.append(asyncio.create_task(resident(len(tasks))))
        step.arrived = len(tasks)
        await asyncio.gather(*tasks)

    begun = time.perf_counter()
    asyncio.run(main())
    result.seconds = time.perf_counter() - begun
    for k in result.kinds.values():
        k.seconds = result.seconds
    result.cpu.seconds = result.seconds
    meter.stop(result.cpu)
    return step


def ladder(start: float, factor: float, top: float) -> list[float]:
    """``start``, ``start * factor``, ... up to ``top`` (rounded to 0.1 residents/s)."""
    if start <= 0 or factor <= 1 or top < start:
        raise ValueError("the ladder needs 0 < start <= top and a factor above 1")
    rates, rate = [], start
    while rate <= top * (1 + 1e-9):
        rates.append(round(rate, 1))
        rate *= factor
    return rates


def find_rate(
    host: str,
    port: int,
    code: str,
    *,
    start: float = 2.0,
    factor: float = 1.5,
    top: float = 200.0,
    seconds: float = 20.0,
    think: float = 2.0,
    p99_limit_ms: float = 1000.0,
    timeout: float = 30.0,
    seed: int = 1,
    server_pids: Sequence[int] = (),
    log=print,
) -> Search:
    """Climb the ladder until a step does not hold, then refine once between the two."""
    search = Search(p99_limit_ms=p99_limit_ms, think=think)

    def step(rate: float, i: int) -> Step:
        s = run_step(
            host,
            port,
            code,
            rate=rate,
            seconds=seconds,
            think=think,
            timeout=timeout,
            seed=seed * 1000 + i,
            server_pids=server_pids,
        )
        search.steps.append(s)
        log(
            f"  {rate:6.1f} residents/s asked, {s.achieved:6.1f} started: {s.requests} requests, "
            f"p50 {s.p50_ms:.0f} ms, p99 {s.p99_ms:.0f} ms, failures {s.failures()} -> "
            f"{'holds' if s.holds(p99_limit_ms) else 'does not hold'}"
        )
        return s

    last_good = None
    for i, rate in enumerate(ladder(start, factor, top)):
        if step(rate, i).holds(p99_limit_ms):
            last_good = rate
            continue
        if last_good is not None:
            middle = round(math.sqrt(last_good * rate), 1)
            if last_good < middle < rate:
                step(middle, i + 100)
        break
    return search
