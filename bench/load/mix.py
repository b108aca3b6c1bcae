"""The mixed load: ``N`` asyncio clients, each doing one thing after another until the deadline.

Each client keeps one keep-alive connection and, at every turn, picks an activity by
weight: a resident's whole survey (open the page, post each page, submit, see the
thank-you page), one API submission, or one page load (``/bulletins``, ``/``,
``/healthz``).  There is no think time: the clients are a closed loop that keeps the
server saturated, so latency includes the queueing that 200 residents at once cause.

Every request is timed and counted by kind and status.  No request starts after the
deadline; one in flight then finishes (bounded by the timeout), and a survey left half
way is counted as abandoned, as a resident who walks away.  What is needed for the
reconciliation is kept: the ``id`` of every API 201, and the device cookie of every
resident whose final page got the 303 to the thank-you page.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.load.resident import DEVICE_COOKIE, FORM_TYPE, CookieJar, answer, parse_page
from bench.submit.loadgen import (
    CpuMeter,
    PhaseResult,
    ProtocolError,
    Reply,
    Request,
    check_loopback,
    error_name,
    read_reply,
)
from bench.submit.stack import key_header

# kind -> the status that means it worked
EXPECTED = {
    "survey_get": 200,  # GET /s/<code>: the first page, its cookies
    "survey_next": 200,  # POST of a page: the next page
    "survey_submit": 303,  # POST of the last page: redirect to the thank-you page
    "thanks": 200,
    "api_submit": 201,  # POST /api/v1/rounds/<code>/responses
    "bulletins": 200,
    "home": 200,
    "healthz": 200,
}
DEFAULT_MIX = {"survey": 45, "api": 35, "bulletins": 8, "home": 5, "healthz": 7}
# residents of every run in this process: each gets an address never used before, so the
# one-response rule (device cookie, and hashed address + browser) never mixes two people
_RESIDENT_NUMBERS = itertools.count(1)
USER_AGENTS = (
    "Mozilla/5.0 (Linux; Android 12; Redmi Note 11) AppleWebKit/537.36 Chrome/120 Mobile",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0",
    "Mozilla/5.0 (Linux; Android 10; HUAWEI P30) AppleWebKit/537.36 Chrome/110 Mobile",
)


@dataclass
class MixResult:
    clients: int
    seconds: float = 0.0
    kinds: dict[str, PhaseResult] = field(default_factory=dict)
    api_ids: list[str] = field(default_factory=list)  # ``id`` of each API 201
    survey_devices: list[str] = field(default_factory=list)  # sv_device cookie of each 303
    surveys_started: int = 0
    surveys_abandoned: int = 0  # cut by the deadline
    surveys_failed: int = 0  # ended by an unexpected reply
    cpu: PhaseResult = field(default_factory=lambda: PhaseResult("all", 0))

    def kind(self, name: str) -> PhaseResult:
        if name not in self.kinds:
            self.kinds[name] = PhaseResult(name, self.clients)
            self.kinds[name].seconds = self.seconds
        return self.kinds[name]

    @property
    def requests(self) -> int:
        return sum(k.requests for k in self.kinds.values())

    def latencies_ns(self) -> list[int]:
        return [x for k in self.kinds.values() for x in k.latencies_ns]

    def unexpected(self) -> dict[str, int]:
        """Replies other than the expected status, and transport errors, over all kinds."""
        out: dict[str, int] = {}
        for name, k in self.kinds.items():
            for status, n in k.statuses.items():
                if status != EXPECTED[name] and n:
                    out[str(status)] = out.get(str(status), 0) + n
        return out

    def server_errors(self) -> int:
        return sum(
            n
            for k in self.kinds.values()
            for s, n in k.statuses.items()
            if isinstance(s, int) and s >= 500
        )


class _Run:
    """State shared by the clients of one run (a single event loop: no locks)."""

    def __init__(
        self,
        host: str,
        port: int,
        code: str,
        bodies: Sequence[bytes],
        deadline: float,
        timeout: float,
        result: MixResult,
        seed: int,
        api_key: str = "",
    ):
        self.host, self.port, self.code = host, port, code
        self.api_headers = key_header(api_key) if api_key else ()
        self.bodies = bodies
        self.deadline = deadline
        self.timeout = timeout
        self.result = result
        self.seed = seed
        self.think = 0.0  # mean seconds a resident reads a page before posting it (0: none)

    def open(self) -> bool:
        return time.monotonic() < self.deadline


class _Client:
    """One simulated user agent slot: a connection, reused while the server keeps it."""

    def __init__(self, run: _Run, k: int):
        self.run = run
        self.rng = random.Random(run.seed * 1_000_003 + k)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, kind: str, req: Request) -> Reply | None:
        """One timed request; None (counted under its error name) if it failed in transport."""
        raw = req.raw(self.run.host, self.run.port)
        stats = self.run.result.kind(kind)
        t0 = time.perf_counter_ns()
        try:
            async with asyncio.timeout(self.run.timeout):
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(
                        self.run.host, self.run.port
                    )
                self.writer.write(raw)
                reply = await read_reply(self.reader)
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ProtocolError,
            ValueError,
            TimeoutError,
        ) as exc:
            stats.latencies_ns.append(time.perf_counter_ns() - t0)
            stats.statuses[error_name(exc)] += 1
            self.close()
            return None
        stats.latencies_ns.append(time.perf_counter_ns() - t0)
        stats.statuses[reply.status] += 1
        if reply.closes:
            self.close()
        return reply

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def loop(self, weights: dict[str, int]) -> None:
        names, shares = list(weights), list(weights.values())
        pages = {"bulletins": "/bulletins", "home": "/", "healthz": "/healthz"}
        while self.run.open():
            what = self.rng.choices(names, shares)[0]
            if what == "survey":
                await self.resident()
            elif what == "api":
                await self.api_submit()
            else:
                await self.send(
                    what, Request("GET", pages[what], headers=(("Accept", "text/html"),))
                )
        self.close()

    async def api_submit(self) -> None:
        body = self.rng.choice(self.run.bodies)
        reply = await self.send(
            "api_submit",
            Request(
                "POST",
                f"/api/v1/rounds/{self.run.code}/responses",
                body,
                "application/json",
                self.run.api_headers,
            ),
        )
        if reply is not None and reply.status == 201:
            try:
                self.run.result.api_ids.append(str(json.loads(reply.body)["id"]))
            except (ValueError, KeyError, TypeError):
                self.run.result.kind("api_submit").statuses["bad_body"] += 1

    async def resident(self) -> None:
        """One resident, new to the survey: own address, own browser, own cookies."""
        run, rng, result = self.run, self.rng, self.run.result
        n = next(_RESIDENT_NUMBERS)
        jar = CookieJar()
        identity = (
            ("User-Agent", rng.choice(USER_AGENTS)),
            ("Accept", "text/html"),
            ("Accept-Language", "en-GB,en;q=0.8" if rng.random() < 0.1 else "zh-CN,zh;q=0.9"),
            # behind the city's reverse proxy (SURVEYAPP_TRUST_PROXY=1): one address each
            ("X-Forwarded-For", f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"),
        )
        url = f"/s/{run.code}"
        result.surveys_started += 1
        reply = await self.send("survey_get", Request("GET", url, headers=identity))
        page = self._page(reply, jar, "survey_get")
        centre = rng.uniform(2.5, 4.8)
        while page is not None:
            if not run.open():
                result.surveys_abandoned += 1
                return
            kind = "survey_submit" if page.action == "submit" else "survey_next"
            body = urlencode(answer(page, rng, centre)).encode("ascii")
            if run.think:  # an open model's resident reads the page first
                await asyncio.sleep(rng.expovariate(1 / run.think))
            reply = await self.send(
                kind, Request("POST", url, body, FORM_TYPE, identity + jar.header())
            )
            if kind == "survey_next":
                page = self._page(reply, jar, "survey_next")
                continue
            if reply is None or reply.status != 303:
                result.surveys_failed += 1
                return
            jar.update([v for k, v in reply.headers if k == "set-cookie"])
            result.survey_devices.append(jar.get(DEVICE_COOKIE) or "")
            if run.open():
                # the redirect's own address: it carries the signed receipt that the
                # thank-you page needs to say "received"
                location = next((v for k, v in reply.headers if k == "location"), "")
                thanks = "/" + location.split("://", 1)[-1].split("/", 1)[-1] if location else ""
                await self.send(
                    "thanks",
                    Request("GET", thanks or f"{url}/thanks", headers=identity + jar.header()),
                )
            return
        result.surveys_failed += 1

    def _page(self, reply: Reply | None, jar: CookieJar, kind: str):
        if reply is None or reply.status != 200:
            return None
        jar.update([v for k, v in reply.headers if k == "set-cookie"])
        page = parse_page(reply.body.decode("utf-8", "replace"))
        if page is None:  # a notice (e.g. "already answered") where a survey page was due
            stats = self.run.result.kind(kind)
            stats.statuses[200] -= 1
            stats.statuses["200 without form"] += 1
        return page


def run_mix(
    host: str,
    port: int,
    code: str,
    bodies: Sequence[bytes],
    *,
    clients: int,
    seconds: float,
    weights: dict[str, int] | None = None,
    timeout: float = 30.0,
    seed: int = 1,
    server_pids: Sequence[int] = (),
    api_key: str = "",
) -> MixResult:
    """Drive the mixed load against ``host:port`` (loopback only) for ``seconds``; API
    submissions carry the channel key ``api_key``."""
    check_loopback(host)
    weights = dict(weights or DEFAULT_MIX)
    unknown = set(weights) - {"survey", "api", "bulletins", "home", "healthz"}
    if unknown or not any(weights.values()):
        raise ValueError(f"bad mix {weights!r}")
    if not 1 <= clients <= 1024 or not 0 < seconds <= 3600:
        raise ValueError("clients must be 1..1024 and seconds 0..3600")
    result = MixResult(clients)
    meter = CpuMeter(server_pids)
    start = time.perf_counter()
    run = _Run(host, port, code, bodies, time.monotonic() + seconds, timeout, result, seed, api_key)

    async def main() -> None:
        await asyncio.gather(*(_Client(run, k).loop(weights) for k in range(clients)))

    asyncio.run(main())
    result.seconds = time.perf_counter() - start
    for k in result.kinds.values():
        k.seconds = result.seconds
    result.cpu.seconds = result.seconds
    meter.stop(result.cpu)
    return result
