"""Weight and speed of the survey page, as a cheap phone sees it.

Weight: every response of a cold load (new context, empty cache) counted in bytes on
the wire, headers included (DevTools ``Network.loadingFinished.encodedDataLength``).

Speed: first contentful paint (the page's own ``paint`` timing entry) over loopback
with the CPU slowed four times (``Emulation.setCPUThrottlingRate``), in cold loads
after one unmeasured load (the phone's browser is already running).  The test asserts
on the fastest load: other processes on a shared machine only ever add time, so the
fastest is the page's own cost on this CPU.  It takes five loads, and up to ten while
none is under the limit.  Every load and the median are reported, beside the same
figure for a near-empty page of the same server (``/healthz``), which tells how busy
the machine was.
"""

from __future__ import annotations

import statistics
import urllib.request

import pytest

pytestmark = pytest.mark.browser

MAX_BYTES = 100 * 1000  # 100 KB transferred
MAX_FCP_MS = 1000.0
CPU_SLOWDOWN = 4
LOADS = 5  # at least
MAX_LOADS = 10  # while none is under the limit

_FCP = """() => new Promise((resolve) => {
  const seen = performance.getEntriesByName('first-contentful-paint');
  if (seen.length) return resolve(seen[0].startTime);
  new PerformanceObserver((list) => {
    const entry = list.getEntriesByName('first-contentful-paint')[0];
    if (entry) resolve(entry.startTime);
  }).observe({type: 'paint', buffered: true});
})"""


def _cold_load(new_phone, path: str, cpu_slowdown: int) -> dict:
    page = new_phone()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
    seen: dict[str, dict] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: seen.setdefault(e["requestId"], {}).update(
            url=e["response"]["url"], type=e["type"]
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: seen.setdefault(e["requestId"], {}).update(bytes=e["encodedDataLength"]),
    )
    page.goto(path, wait_until="load")
    fcp = page.evaluate(_FCP)
    page.context.close()  # one phone at a time: an idle page still costs the others
    return {"fcp": fcp, "requests": list(seen.values())}


def test_survey_page_weight_and_first_paint(new_phone, server, results):
    path = f"/s/{server.round_code('catering')}"
    for url in (path, "/static/css/app.css") * 4:  # a server already running, every worker
        with urllib.request.urlopen(server.url + url, timeout=10):
            pass
    _cold_load(new_phone, path, CPU_SLOWDOWN)  # and a browser already started
    loads, baseline = [], []
    while len(loads) < LOADS or (
        len(loads) < MAX_LOADS and min(load["fcp"] for load in loads) >= MAX_FCP_MS
    ):
        loads.append(_cold_load(new_phone, path, CPU_SLOWDOWN))
        if len(loads) % 2:
            baseline.append(_cold_load(new_phone, "/healthz", CPU_SLOWDOWN)["fcp"])

    requests = loads[0]["requests"]
    total = sum(r.get("bytes", 0) for r in requests)
    detail = ", ".join(
        f"{r['url'].removeprefix(server.url)} {r.get('bytes', 0)} B" for r in requests
    )
    fcps = [load["fcp"] for load in loads]
    fastest = min(fcps)
    results.record(
        f"survey page weight: {total / 1000:.1f} KB transferred in {len(requests)} requests ({detail})"
    )
    results.record(
        f"survey page first contentful paint, CPU x{CPU_SLOWDOWN}, loopback: fastest {fastest:.0f} ms,"
        f" median {statistics.median(fcps):.0f} ms (loads: {', '.join(f'{f:.0f}' for f in fcps)} ms);"
        f" near-empty page /healthz: median {statistics.median(baseline):.0f} ms"
    )

    assert all(r["url"].startswith(server.url) for r in requests), "a request left the site"
    assert not [r for r in requests if r["type"] == "Font"], "a web font was loaded"
    assert total < MAX_BYTES, f"{total} bytes transferred"
    assert fastest < MAX_FCP_MS, f"first contentful paint {fastest:.0f} ms at best"
