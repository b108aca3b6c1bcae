"""The stored circle's benchmark at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

from bench.circle.stored import main


def test_tiny_run_writes_its_figures(tmp_path):
    out = tmp_path / "circle_stored.txt"
    lines = main(["--communities", "200", "--providers", "2000", "--gcj", "2000",
                  "--repeat", "1", "--out", str(out)])  # fmt: skip
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert "200 communities x 2,000 open providers" in lines[2]
    assert "largest difference 0.0e+00 degrees" in lines[-1]
