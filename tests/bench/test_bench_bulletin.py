"""The bulletin benchmark runs end to end at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

import pytest

from bench.bulletin.__main__ import main, parse_args
from bench.bulletin.seed import last_closed_quarters


def test_tiny_run_reports_the_split_and_writes_the_file(tmp_path):
    out = tmp_path / "bulletin.txt"
    lines = main(["--per-round", "40", "--repeat", "2", "--out", str(out)])
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert "6 sectors x 10 districts x 4 periods" in lines[1] and "40 responses a round" in lines[1]
    assert "960 in all" in lines[1]  # 6 x 4 x 40: every period was seeded
    header = lines[2].split()
    assert header == ["seconds", "read", "compute", "other", "analysis", "render", "total", "cpu"]
    for row in lines[3:5]:
        read, compute, other, analysis, render, total, _cpu = (float(v) for v in row.split()[-7:])
        assert analysis == pytest.approx(read + compute + other, abs=0.02)
        assert total == pytest.approx(analysis + render, abs=0.02)
        assert compute > 0 and render > 0
    assert lines[5].startswith("goal: under 2 s in total, warm process: wall clock ")
    assert "CPU " in lines[5] and "first run of a process" in lines[5]


def test_four_consecutive_quarters_and_argument_checks():
    periods = last_closed_quarters(4)
    assert len(periods) == len(set(periods)) == 4 and periods == sorted(periods)
    with pytest.raises(SystemExit):
        parse_args(["--repeat", "0"])
