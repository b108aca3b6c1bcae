"""Issue 14: the README's two ``surveyapp analyze`` examples (a round's CSV export and the
stored round) give identical numbers — run as the README writes them, the demo's file
names and round code mapped to this test's."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp.cli import main
from surveyapp.demo import margins_csv, population_margins, seed_demo
from surveyapp.extensions import db
from surveyapp.models import Round

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def readme_commands() -> list[list[str]]:
    """The ``surveyapp`` commands of the README's Analysis section, continuation lines joined."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Analysis\n") :]
    section = section[: section.index("\n## ", 1)]
    block = re.sub(r"\\\n\s*", " ", section)
    return [
        shlex.split(line.strip())[1:]
        for line in block.splitlines()
        if line.startswith("    surveyapp ")
    ]


@pytest.fixture
def demo_round(app):
    with app.app_context():
        seed_demo(db.session, per_round=120, seed=11)
        rounds = db.session.scalars(db.select(Round).where(Round.code.like("catering-%"))).all()
        return max(rounds, key=lambda r: r.period).code  # the current quarter's round


def _run(database_url: str, args: list[str]):
    return CliRunner().invoke(main, ["--database-url", database_url, *args], catch_exceptions=False)


def _numbers(doc: dict) -> dict:
    keep = ("n", "n_received", "effective_n", "deff", "index", "satisfaction_rate", "dimensions")
    return {k: doc[k] for k in keep} | {"groups": doc["groups"], "quality": doc["quality"]}


def test_the_readme_analyze_examples_agree(demo_round, database_url, tmp_path):
    commands = readme_commands()
    export, from_csv, stored = commands[:3]
    assert export[:2] == ["responses", "export"] and from_csv[0] == stored[0] == "analyze"
    assert "--round" in stored and "--responses" in from_csv
    margins = tmp_path / "demo_margins.csv"
    margins.write_text(margins_csv(population_margins()), encoding="utf-8")
    names = {
        "catering-2026q4": demo_round,
        "export.csv": str(tmp_path / "export.csv"),
        "instance/demo_margins.csv": str(margins),
        "questionnaires/catering.yaml": str(ROOT / "questionnaires" / "catering.yaml"),
    }

    def mapped(args: list[str]) -> list[str]:
        return [names.get(a, a) for a in args]

    done = _run(database_url, mapped(export))
    assert done.exit_code == 0, done.output
    a, b = (_run(database_url, mapped(c)) for c in (from_csv, stored))
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    csv_doc, stored_doc = json.loads(a.output), json.loads(b.output)
    assert stored_doc["n_received"] == 120 and stored_doc["weights"]["method"] == "raking"
    assert csv_doc["n"] < csv_doc["n_received"]  # flagged responses were left out of both
    ours, theirs = _numbers(csv_doc), _numbers(stored_doc)
    # a stored round also counts its review (held, rejected, signals): not in a CSV file
    counts = theirs["quality"]["counts"]
    theirs["quality"]["counts"] = {k: counts[k] for k in ours["quality"]["counts"]}
    assert ours == theirs
