"""``surveyapp credit rules validate``."""

from __future__ import annotations

from click.testing import CliRunner

from surveyapp.cli import main


def test_credit_rules_validate(tmp_path):
    result = CliRunner().invoke(main, ["credit", "rules", "validate"])
    assert result.exit_code == 0 and "8 factors; B ≥ 10, C ≥ 30, D ≥ 60" in result.output
    bad = tmp_path / "r.yaml"
    bad.write_text(
        "name: {zh: a, en: b}\nfactors: []\nclasses: {B: 1, C: 2, D: 3}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["credit", "rules", "validate", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip() == "r.yaml:2: factors must be a list of at least one factor"
