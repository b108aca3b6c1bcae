"""The CSV reading benchmark at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

from bench.csv_read.__main__ import main


def test_tiny_run_compares_both_readers_and_writes_the_file(tmp_path):
    out = tmp_path / "csv_read.txt"
    lines = main(["--n", "300", "--repeat", "1", "--out", str(out)])
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert "300 respondents" in lines[2]
    assert lines[-1].startswith("ratio: ") and lines[-1].endswith("same matrix: yes")
