"""``surveyapp inspections draw --verify``: a published plan re-drawn from its own inputs."""

from __future__ import annotations

import json

from click.testing import CliRunner

from surveyapp.cli import main
from surveyapp.inspections import DrawInputs, canonical_json, draw


def _plan(tmp_path, edit=None):
    inputs = DrawInputs(
        sector="catering",
        period="2026Q4",
        providers={f"P{n:03d}": "ABCD"[n % 4] for n in range(30)},
        rates_per_mille={"A": 50, "B": 200, "C": 400, "D": 800},
        inspectors=[f"i{k}" for k in range(5)],
    )
    plan = json.loads(canonical_json(draw(inputs, 424242).as_json()))
    if edit:
        edit(plan)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_an_untouched_plan_is_reproduced(tmp_path):
    result = CliRunner().invoke(main, ["inspections", "draw", "--verify", _plan(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "reproduced: seed 424242" in result.output


def test_a_plan_with_a_provider_swapped_out_is_not(tmp_path):
    def swap(plan):
        plan["drawn"][0]["id"] = "P999"

    result = CliRunner().invoke(main, ["inspections", "draw", "--verify", _plan(tmp_path, swap)])
    assert result.exit_code == 1
    assert "differ from a fresh draw" in result.output and "NOT reproduced" in result.output


def test_a_file_that_is_not_a_plan_is_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    for path in (str(bad), str(tmp_path / "missing.json")):
        result = CliRunner().invoke(main, ["inspections", "draw", "--verify", path])
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1 and path in result.output
    bad.write_text('{"seed": 1}', encoding="utf-8")
    result = CliRunner().invoke(main, ["inspections", "draw", "--verify", str(bad)])
    assert result.exit_code == 2 and "needs 'seed' and 'inputs'" in result.output
