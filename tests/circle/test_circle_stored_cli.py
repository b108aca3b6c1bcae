"""``surveyapp circle communities import|export`` and ``surveyapp circle status``."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models.circle import CircleCommunity
from tests.circle.test_circle_stored import COMMUNITIES


def test_import_status_and_export(app, cli, write_csv, add_provider):
    add_provider(22.785, 100.970, ["便利店"])
    result = cli("circle", "communities", "import", str(write_csv(COMMUNITIES)))
    assert result.exit_code == 0, result.output
    assert "3 communities in 2 district(s), 6,000 residents" in result.output
    result = cli("circle", "status", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["distance"] == "straight-line" and doc["radius_m"] == 1000
    assert doc["types"][:2] == ["便利店", "早餐店"] and len(doc["types"]) == 12
    by = {d["district"]: d for d in doc["districts"]}
    assert by["思茅区"]["coverage"]["便利店"] == 0.25 and by["宁洱县"]["coverage"]["便利店"] == 0
    table = cli("circle", "status").output
    assert "直线距离 straight-line" in table and "思茅区" in table and "25.0%" in table
    exported = cli("circle", "communities", "export").output
    assert exported.splitlines()[0] == "community,district,population,lat,lon,crs"
    assert len(exported.splitlines()) == 4


def test_a_bad_file_is_exit_2_with_its_problems_and_nothing_stored(app, cli, write_csv):
    cli("circle", "communities", "import", str(write_csv(COMMUNITIES)))
    bad = write_csv("community,district,population,lat\n甲,思茅区,-3,22.7\n", name="bad.csv")
    result = cli("circle", "communities", "import", str(bad))
    assert result.exit_code == 2
    assert "column is missing" in result.stderr and "lon" in result.stderr
    assert "nothing imported" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CircleCommunity)) == 3
    missing = cli("circle", "communities", "import", "/nonexistent.csv")
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_status_without_communities_says_how_to_import(app, cli):
    result = cli("circle", "status")
    assert result.exit_code == 2
    assert "no communities stored" in result.stderr
