"""The 15-minute circle benchmark at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

from bench.circle.__main__ import main


def test_tiny_run_checks_brute_force_and_network_and_writes_the_file(tmp_path):
    out = tmp_path / "circle.txt"
    lines = main(
        [
            "--communities",
            "300",
            "--facilities",
            "3000",
            "--edges",
            "2000",
            "--brute",
            "50",
            "--repeat",
            "1",
            "--out",
            str(out),
        ]
    )
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert "300 communities x 3,000 facilities" in lines[2]
    text = "\n".join(lines)
    assert "bit for bit): yes" in text
    assert "subset of covered by straight line: yes" in text
    assert "same coverage: yes" in text
    assert "network: 2," in text and "edges" in text
