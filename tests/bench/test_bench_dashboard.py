"""The dashboard benchmark's code path at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

import argparse

from bench.dashboard.__main__ import measure, report


def test_dashboard_bench_runs_and_reports(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    f = measure(url, n=300, n_previous=120, views=3, label="SQLite")
    assert f.received_shown, "the page shows the number of stored responses"
    assert len(f.cached_ms) == 3 and f.cold_ms > 0 and f.after_new_ms > 0
    assert f.stamp_ms > 0 and f.full_count_ms > 0
    lines = report([f], argparse.Namespace(n=300, n_previous=120, views=3))
    assert lines[3].startswith("database") and lines[4].startswith("SQLite")
    assert any(line.startswith("goal (cached under 100 ms)") for line in lines)
