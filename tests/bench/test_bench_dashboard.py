"""The dashboard benchmark's code path at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

import argparse

from bench.dashboard.__main__ import measure, report


def test_dashboard_bench_runs_and_reports(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    f = measure(url, n=300, n_previous=120, views=3, label="SQLite")
    assert f.received_shown, "the page shows the number of stored responses, then one more"
    assert f.stale_shown, "right after the new response: the last figures, said to be updating"
    assert len(f.cached_ms) == 3 and f.cold_ms > 0 and f.after_new_ms > 0
    assert f.stamp_ms > 0 and f.full_count_ms > 0 and f.refresh_s > 0 and f.fresh_ms > 0
    assert f.analysis_s > 0 and f.duplicate_s > 0
    lines = report([f], argparse.Namespace(n=300, n_previous=120, views=3))
    assert lines[3].startswith("database") and lines[4].startswith("SQLite")
    stale_header = lines.index(next(x for x in lines if x.startswith("after one new response")))
    assert lines[stale_header + 2].startswith("SQLite") and " yes " in lines[stale_header + 2]
    assert any(line.startswith("goal (cached under 100 ms)") for line in lines)
