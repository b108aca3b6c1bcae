"""``analyze --round``: a stored round gives the same numbers as its CSV export."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from surveyapp.cli import main
from surveyapp.demo import margins_csv, population_margins, seed_demo
from surveyapp.extensions import db
from surveyapp.models import Round


@pytest.fixture
def seeded(app, database_url):
    with app.app_context():
        seed_demo(db.session, per_round=120, seed=11)
        codes = {
            r.period: r.code for r in db.session.query(Round).filter(Round.code.like("catering-%"))
        }
    return codes


def _run(database_url, *args):
    return CliRunner().invoke(
        main, ["--database-url", database_url, "analyze", *args], catch_exceptions=False
    )


def _numbers(doc):
    keep = (
        "n",
        "n_received",
        "effective_n",
        "deff",
        "index",
        "satisfaction_rate",
        "dimensions",
        "groups",
        "quality",
    )
    return {k: doc[k] for k in keep}


def test_round_equals_its_csv_export(seeded, database_url, tmp_path):
    current = max(seeded)
    code = seeded[current]
    export = CliRunner().invoke(
        main, ["--database-url", database_url, "responses", "export", "--round", code]
    )
    csv_path = tmp_path / "round.csv"
    csv_path.write_text(export.output, encoding="utf-8")
    margins = tmp_path / "margins.csv"
    margins.write_text(margins_csv(population_margins()), encoding="utf-8")
    from surveyapp.questionnaire import builtin_dir

    common = [
        "--margins",
        str(margins),
        "--strata",
        "district",
        "--by",
        "district",
        "--format",
        "json",
    ]
    stored = _run(database_url, "--round", code, *common)
    assert stored.exit_code == 0, stored.output
    from_csv = _run(
        database_url,
        "--questionnaire",
        str(builtin_dir() / "catering.yaml"),
        "--responses",
        str(csv_path),
        "--exclude-flagged",
        *common,
    )
    assert from_csv.exit_code == 0, from_csv.output
    a, b = json.loads(stored.output), json.loads(from_csv.output)
    assert a["n_received"] == 120 and a["weights"]["method"] == "raking"
    assert (
        sum(a["quality"]["excluded"].values()) > 0
        if isinstance(a["quality"].get("excluded"), dict)
        else True
    )
    # a stored round also counts its review states (held, rejected, signals), which a
    # CSV file cannot have; none here, and every other number is the same
    review = {k: v for k, v in a["quality"]["counts"].items() if k not in b["quality"]["counts"]}
    assert review and not any(review.values()), review
    for k in review:
        del a["quality"]["counts"][k]
    assert _numbers(a) == _numbers(b)


def test_round_change_and_errors(seeded, database_url):
    current, previous = max(seeded), min(seeded)
    result = _run(
        database_url, "--round", seeded[current], "--compare-to", previous, "--format", "json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["change"]["index"]["before"] is not None or "change" in doc
    missing = _run(database_url, "--round", "no-such-round")
    assert missing.exit_code == 2 and "no round with code 'no-such-round'" in missing.output
    both = _run(database_url, "--round", seeded[current], "--responses", "x.csv")
    assert both.exit_code == 2
    neither = _run(database_url, "--format", "json")
    assert neither.exit_code == 2 and "--round CODE" in neither.output
    wrong = _run(database_url, "--round", seeded[current], "--compare-to", "1999Q1")
    assert wrong.exit_code == 2 and "no round of catering in period 1999Q1" in wrong.output


def test_a_margin_category_without_respondents_is_left_out_and_named(
    seeded, database_url, tmp_path
):
    """The stored path fits margins as the bulletins do: a category nobody analysed
    belongs to cannot be weighted to; it is left out, and the note says so."""
    margins = population_margins()
    margins["district"]["不存在区"] = 1000
    margins["age_group"]["60+"] += 1000  # the file must describe one population
    path = tmp_path / "margins.csv"
    path.write_text(margins_csv(margins), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "--database-url",
            database_url,
            "analyze",
            "--round",
            seeded[max(seeded)],
            "--margins",
            str(path),
            "--format",
            "json",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "margin district=不存在区 has no analysed respondent" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["weights"]["method"] == "raking"
    assert doc["weights"]["population"] == pytest.approx(
        sum(population_margins()["district"].values())
    )
