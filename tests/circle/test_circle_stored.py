"""The stored 15-minute circle: communities imported into the app, facilities from the
registry's open providers, coverage_share for bound indicators, the cache."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.circle.communities import communities_csv, import_communities
from surveyapp.circle.stored import (
    CircleSettings,
    coverage_share,
    registry_facilities,
    stored_report,
)
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider
from surveyapp.models.base import utcnow
from surveyapp.models.circle import CircleCommunity
from surveyapp.responses.importer import ImportFailed

# 0.001 degree of latitude is 111.2 m: A is 556 m from P1, B 1,668 m
COMMUNITIES = (
    "community,district,population,lat,lon\n"
    "甲小区,思茅区,1000,22.780,100.970\n"
    "乙小区,思茅区,3000,22.800,100.970\n"
    "丙社区,宁洱县,2000,23.060,101.040\n"
)


@pytest.fixture
def city(app, write_csv, add_provider):
    with app.app_context():
        import_communities(db.session, write_csv(COMMUNITIES), name="c.csv")
    return {
        "p1": add_provider(22.785, 100.970, ["便利店"]),
        "p2": add_provider(22.800, 100.9705, ["便利店"], status="closed"),
        "p3": add_provider(23.060, 101.040, ["早餐店", "便利店"]),
        "nowhere": add_provider(None, None, ["便利店", "蔬菜零售"]),
    }


def test_coverage_share_is_population_weighted_over_open_providers(app, city):
    with app.app_context():
        s = db.session
        assert coverage_share(s, "便利店") == pytest.approx(3000 / 6000)
        assert coverage_share(s, "便利店", "思茅区") == pytest.approx(1000 / 4000)
        assert coverage_share(s, "便利店", "宁洱县") == 1.0
        assert coverage_share(s, "早餐店") == pytest.approx(2000 / 6000)
        # offered only by a provider without coordinates: nobody is covered
        assert coverage_share(s, "蔬菜零售") == 0.0
        assert coverage_share(s, "便利店", "没有的区") is None
        # a type outside the configured list is computed too
        assert coverage_share(s, "早餐店", settings=CircleSettings(types=("洗染",))) == (
            pytest.approx(2000 / 6000)
        )


def test_no_communities_stored_is_none(app, add_provider):
    add_provider(22.785, 100.970, ["便利店"])
    with app.app_context():
        assert coverage_share(db.session, "便利店") is None
        assert stored_report(db.session) is None


def test_the_walking_distance_is_the_setting(app, city):
    app.config["CIRCLE_RADIUS_M"] = 500.0
    with app.app_context():
        assert coverage_share(db.session, "便利店", "思茅区") == 0.0
    app.config["CIRCLE_RADIUS_M"] = 560.0
    with app.app_context():
        assert coverage_share(db.session, "便利店", "思茅区") == pytest.approx(0.25)


def test_closed_and_merged_providers_do_not_count_and_changes_are_seen(app, city):
    with app.app_context():
        s = db.session
        facilities = registry_facilities(s)
        assert sorted(facilities.rows.tolist()) == sorted([city["p1"], city["p3"]])
        assert coverage_share(s, "便利店", "思茅区") == pytest.approx(0.25)
        # reopening the closed provider next to 乙 (the registry stamps updated_at)
        p2 = s.get(Provider, city["p2"])
        p2.status, p2.updated_at = "open", utcnow()
        s.commit()
        assert coverage_share(s, "便利店", "思茅区") == 1.0
        # closing the one next to 甲
        p1 = s.get(Provider, city["p1"])
        p1.status, p1.updated_at = "closed", utcnow()
        s.commit()
        assert coverage_share(s, "便利店", "思茅区") == pytest.approx(0.75)
        # a merged duplicate counts for nothing even if open
        p2 = s.get(Provider, city["p2"])
        p2.merged_into_id, p2.updated_at = city["p3"], utcnow()
        s.commit()
        assert coverage_share(s, "便利店", "思茅区") == 0.0


def test_the_report_is_kept_until_the_data_change(app, city, write_csv, monkeypatch):
    import surveyapp.circle.stored as stored

    calls = []
    real = stored._compute
    monkeypatch.setattr(stored, "_compute", lambda *a: calls.append(1) or real(*a))
    with app.app_context():
        s = db.session
        first = stored_report(s)
        assert stored_report(s) is first and coverage_share(s, "便利店") == 0.5
        assert len(calls) == 1
        import_communities(s, write_csv(COMMUNITIES.replace("1000", "5000")), name="c.csv")
        assert coverage_share(s, "便利店") == pytest.approx(7000 / 10000)
        assert len(calls) == 2


def test_import_replaces_all_audits_and_exports_again(app, city, write_csv):
    with app.app_context():
        s = db.session
        summary = import_communities(
            s, write_csv("社区,区县,人口,纬度,经度\n新社区,思茅区,10,22.7,100.9\n"), name="n.csv"
        )
        assert (summary.stored, summary.replaced, summary.districts) == (1, 3, 1)
        assert s.scalar(select(func.count()).select_from(CircleCommunity)) == 1
        actions = s.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions.count("circle.communities_import") == 2
        text = communities_csv(s)
        assert text.splitlines()[1] == "新社区,思茅区,10,22.7000000,100.9000000,WGS84"


def test_a_bad_file_stores_nothing_and_names_rows_and_columns(app, city, write_csv):
    bad = "community,district,population,lat,lon\n丁,思茅区,many,22.7,100.9\n戊,思茅区,5,95,100.9\n"
    with app.app_context():
        s = db.session
        with pytest.raises(ImportFailed) as caught:
            import_communities(s, write_csv(bad), name="bad.csv")
        lines = caught.value.lines()
        assert any("row 2" in x and "population" in x for x in lines), lines
        assert any("row 3" in x and "lat" in x for x in lines), lines
        names = set(s.scalars(select(CircleCommunity.name)))
        assert names == {"甲小区", "乙小区", "丙社区"}


def test_gbk_and_gcj02_files_are_read_and_converted(app, write_csv):
    from surveyapp.providers.coords import gcj02_to_wgs84

    text = "community,district,population,lat,lon,crs\n甲,思茅区,100,22.78,100.97,GCJ02\n"
    with app.app_context():
        s = db.session
        import_communities(s, write_csv(text, encoding="gbk"), name="g.csv")
        row = s.scalars(select(CircleCommunity)).one()
        lat, lon = gcj02_to_wgs84(22.78, 100.97)
        assert (row.lat, row.lon) == pytest.approx((lat, lon), abs=1e-9)
        assert abs(row.lat - 22.78) > 1e-4  # converted, not kept


def test_the_data_state_is_read_at_most_every_few_seconds(app, city, monkeypatch):
    import surveyapp.circle.stored as stored

    monkeypatch.setattr(stored, "RECHECK_SECONDS", 3600.0)
    reads = []
    real = stored.data_state
    monkeypatch.setattr(stored, "data_state", lambda s: reads.append(1) or real(s))
    with app.app_context():
        s = db.session
        assert coverage_share(s, "便利店") == 0.5
        p1 = s.get(Provider, city["p1"])
        p1.status, p1.updated_at = "closed", utcnow()
        s.commit()
        assert coverage_share(s, "便利店") == 0.5  # not read again yet
        assert len(reads) == 1
        monkeypatch.setattr(stored, "RECHECK_SECONDS", 0.0)
        assert coverage_share(s, "便利店") == pytest.approx(2000 / 6000)


def test_a_slow_report_is_refreshed_in_the_background(app, city, monkeypatch):
    import surveyapp.circle.stored as stored

    monkeypatch.setattr(stored, "BACKGROUND_AFTER_SECONDS", 0.0)  # every report is "slow"
    with app.app_context():
        s = db.session
        assert coverage_share(s, "便利店") == 0.5  # the first one is computed in the request
        p1 = s.get(Provider, city["p1"])
        p1.status, p1.updated_at = "closed", utcnow()
        s.commit()
        assert coverage_share(s, "便利店") == 0.5  # the last figures at once ...
        assert stored.wait_for_refresh(60)
        assert not stored.refresh_pending()
        assert coverage_share(s, "便利店") == pytest.approx(2000 / 6000)  # ... then the new
