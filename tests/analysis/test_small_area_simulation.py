"""The simulation of bench/small_area at a small, seeded size: the EBLUP beats the direct
estimate where districts are thin, and its intervals keep about their coverage."""

from __future__ import annotations

import numpy as np

from bench.small_area.__main__ import main
from bench.small_area.simulate import SCENARIOS, make_districts, simulate


def test_eblup_has_a_smaller_mse_than_the_direct_estimate():
    outcome = simulate(SCENARIOS[0], reps=40, seed=11)
    bands = {b.label: b for b in outcome.bands}
    assert bands["all"].districts == SCENARIOS[0].districts
    assert bands["all"].mse_eblup < bands["all"].mse_direct
    assert bands["n 3-9"].mse_eblup < 0.5 * bands["n 3-9"].mse_direct
    assert bands["all"].cover_eblup > 0.85
    assert 0.5 < bands["all"].mse_ratio < 2.0  # the estimated MSE is about right


def test_districts_span_3_to_400_respondents():
    d = make_districts(SCENARIOS[1], np.random.default_rng(1))
    assert d.n.min() == 3 and d.n.max() == 400
    assert d.aux.shape == (SCENARIOS[1].districts, 3)


def test_tiny_run_writes_the_figures(tmp_path):
    out = tmp_path / "small_area.txt"
    lines = main(["--reps", "3", "--out", str(out)])
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert sum(line.strip().startswith("all ") for line in lines) == len(SCENARIOS)
