"""The stored circle with a configured walking network (CIRCLE_NETWORK): network
distance where it differs from straight-line, labelled so; a broken file falls back to
straight-line and says why."""

from __future__ import annotations

import json

import pytest

from surveyapp.circle.communities import import_communities
from surveyapp.circle.stored import coverage_share, stored_report
from surveyapp.extensions import db

# 甲 and the shop are 556 m apart in a straight line, but the street goes round: east
# 513 m, north 556 m, west 513 m (1,582 m)
STREET = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "LineString",
                "coordinates": [[100.970, 22.780], [100.975, 22.780], [100.975, 22.785],
                                [100.970, 22.785]],
            },
        }
    ],
}  # fmt: skip


@pytest.fixture
def town(app, write_csv, add_provider):
    with app.app_context():
        text = "community,district,population,lat,lon\n甲,思茅区,1000,22.780,100.970\n"
        import_communities(db.session, write_csv(text), name="c.csv")
    add_provider(22.785, 100.970, ["便利店"])


def test_network_distance_when_configured(app, town, tmp_path, as_role):
    with app.app_context():
        assert coverage_share(db.session, "便利店") == 1.0  # straight-line: 556 m
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps(STREET), encoding="utf-8")
    app.config["CIRCLE_NETWORK"] = str(path)
    with app.app_context():
        report = stored_report(db.session)
        assert report.distance == "network"
        assert coverage_share(db.session, "便利店") == 0.0  # 1,582 m along the street
    app.config["CIRCLE_RADIUS_M"] = 1600.0
    with app.app_context():
        assert coverage_share(db.session, "便利店") == 1.0
        nearest = stored_report(db.session).result.nearest_m[0, 0]
        assert nearest == pytest.approx(1582, abs=2)
    page = as_role("viewer").get("/dashboard/circle").get_data(as_text=True)
    assert "步行网络距离" in page and "直线距离" not in page


def test_a_broken_network_file_falls_back_to_straight_line_and_says_so(app, town, tmp_path):
    path = tmp_path / "streets.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    app.config["CIRCLE_NETWORK"] = str(path)
    with app.app_context():
        report = stored_report(db.session)
        assert report.distance == "straight-line"
        assert any("CIRCLE_NETWORK" in n and "straight-line" in n for n in report.notes)
        assert coverage_share(db.session, "便利店") == 1.0
