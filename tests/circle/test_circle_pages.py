"""The circle's dashboard pages: coverage, missing lists, map, exports, where to add
next and the communities' upload, by role; every output names its distance."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from surveyapp.circle.communities import import_communities
from surveyapp.extensions import db
from surveyapp.models import AuditLog
from surveyapp.models.circle import CircleCommunity
from tests.auth.helpers import csrf_of
from tests.circle.test_circle_stored import COMMUNITIES

PAGES = ("", "/missing", "/map", "/map.svg", "/coverage.csv", "/missing.csv", "/suggest")


@pytest.fixture
def city(app, write_csv, add_provider):
    with app.app_context():
        import_communities(db.session, write_csv(COMMUNITIES), name="c.csv")
    add_provider(22.785, 100.970, ["便利店"])
    add_provider(22.800, 100.9705, ["便利店"], status="closed")
    add_provider(23.060, 101.040, ["早餐店", "便利店"])


def test_anonymous_goes_to_login_and_only_keepers_upload(app, accounts, as_role, city):
    anonymous = app.test_client()
    for path in (*PAGES, "/communities"):
        response = anonymous.get("/dashboard/circle" + path)
        assert response.status_code == 302 and "/login" in response.location, path
    for role in ("admin", "evaluator", "bureau", "viewer"):
        client = as_role(role)
        for path in PAGES:
            assert client.get("/dashboard/circle" + path).status_code == 200, (role, path)
        may_upload = role in ("admin", "bureau")
        assert client.get("/dashboard/circle/communities").status_code == (
            200 if may_upload else 403
        )
        assert (">社区数据<" in client.get("/dashboard/circle").get_data(as_text=True)) is (
            may_upload
        )


def test_overview_shows_weighted_coverage_and_names_the_distance(as_role, city):
    page = as_role("viewer").get("/dashboard/circle").get_data(as_text=True)
    assert "直线距离（球面大圆距离，haversine），步行范围 1,000 米" in page
    assert "25.0%" in page and "100.0%" in page  # 思茅区 and 宁洱县 for 便利店
    assert "50.0%" in page  # the city: 3,000 of 6,000 residents
    assert "3 个社区，常住人口 6,000 人；设施 2 个" in page
    english = as_role("viewer").get("/dashboard/circle?lang=en").get_data(as_text=True)
    assert "straight-line distance (haversine, great circle), walking range 1,000 m" in english


def test_missing_list_most_residents_first_and_filters(as_role, city):
    client = as_role("bureau")
    page = client.get("/dashboard/circle/missing?type=便利店").get_data(as_text=True)
    assert "乙小区" in page and "甲小区" not in page and "1,668 m" in page
    page = client.get("/dashboard/circle/missing?type=早餐店").get_data(as_text=True)
    assert page.index("乙小区") < page.index("甲小区")  # 3,000 before 1,000
    page = client.get("/dashboard/circle/missing?type=早餐店&district=宁洱县").get_data(
        as_text=True
    )
    assert "共 0 个社区" in page
    assert client.get("/dashboard/circle/missing?type=没有的类型").status_code == 404
    assert client.get("/dashboard/circle/missing?type=便利店&district=外地").status_code == 404


def test_map_and_exports_name_the_distance(as_role, city):
    client = as_role("evaluator")
    page = client.get("/dashboard/circle/map").get_data(as_text=True)
    assert "<svg" in page and "乙小区" in page and "直线距离" in page
    # the legend in the page's text: 甲 lacks 11 of the 12 types, 乙 all, 丙 10
    assert "缺 12 类：1 个社区" in page and "缺 11 类：1 个社区" in page
    assert "缺 0 类：0 个社区" in page and "南北约 31.1 公里" in page
    one = client.get("/dashboard/circle/map?district=宁洱县").get_data(as_text=True)
    assert "丙社区" in one and "乙小区" not in one
    assert one.count('r="1.3"') == 1  # the one open facility near 丙, not the others
    assert "缺 10 类：1 个社区" in one and "缺 12 类：0 个社区" in one
    assert client.get("/dashboard/circle/map?district=外地").status_code == 404
    only = client.get("/dashboard/circle/map.svg?district=宁洱县").get_data(as_text=True)
    assert "丙社区" in only and "乙小区" not in only
    svg = client.get("/dashboard/circle/map.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    coverage = client.get("/dashboard/circle/coverage.csv")
    lines = coverage.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].endswith("radius_m,distance")
    assert "思茅区,4000,2,便利店,0.2500,1000,1000,straight-line" in lines
    assert "(all),6000,3,便利店,0.5000,3000,1000,straight-line" in lines
    missing = client.get("/dashboard/circle/missing.csv").get_data(as_text=True)
    assert "便利店,思茅区,乙小区,3000,1667.9,straight-line,3" in missing


def test_where_to_add_next_from_communities_and_from_a_file(as_role, city):
    client = as_role("bureau")
    page = client.get("/dashboard/circle/suggest?type=便利店&k=2").get_data(as_text=True)
    assert "乙小区" in page and "+3,000" in page and "直线距离" in page
    assert client.get("/dashboard/circle/suggest?type=便利店&k=0").status_code == 400
    token = csrf_of(page)
    sites = "site,lat,lon\n远处,25.0,102.0\n乙旁,22.8005,100.970\n"
    response = client.post(
        "/dashboard/circle/suggest",
        data={"csrf_token": token, "type": "便利店", "k": "3",
              "candidates": (io.BytesIO(sites.encode()), "sites.csv")},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "乙旁" in page and "远处" not in page
    bad = client.post(
        "/dashboard/circle/suggest",
        data={"csrf_token": token, "type": "便利店", "k": "3",
              "candidates": (io.BytesIO(b"site,lat\nx,1\n"), "s.csv")},
    )  # fmt: skip
    assert bad.status_code == 400 and "lon" in bad.get_data(as_text=True)
    no_token = client.post("/dashboard/circle/suggest", data={"type": "便利店", "k": "3"})
    assert no_token.status_code == 400


def test_upload_replaces_or_names_every_problem(app, as_role, city):
    client = as_role("bureau")
    token = csrf_of(client.get("/dashboard/circle/communities").get_data(as_text=True))
    good = "社区,区县,人口,纬度,经度\n新社区,思茅区,800,22.78,100.97\n".encode("gbk")
    response = client.post(
        "/dashboard/circle/communities",
        data={"csrf_token": token, "file": (io.BytesIO(good), "new.csv")},
    )
    assert response.status_code == 200
    assert "已导入 1 个社区（1 个区县，800 人），替换原有 3 个" in response.get_data(as_text=True)
    bad = b"community,district,population,lat,lon\nA,X,12.5,22.7,100.9\nB,X,3,22.7,999\n"
    response = client.post(
        "/dashboard/circle/communities",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "bad.csv")},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "bad.csv" in page and "row 2" in page
    assert "row 3" in page and "lon" in page
    no_token = client.post(
        "/dashboard/circle/communities", data={"file": (io.BytesIO(good), "n.csv")}
    )
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CircleCommunity)) == 1
        actor = db.session.scalars(
            select(AuditLog.actor).where(AuditLog.action == "circle.communities_import")
            .order_by(AuditLog.id.desc())
        ).first()  # fmt: skip
        assert actor == "shangwu"
    page = client.get("/dashboard/circle").get_data(as_text=True)
    assert "1 个社区，常住人口 800 人" in page


def test_without_communities_the_page_says_how_to_start(as_role):
    page = as_role("admin").get("/dashboard/circle").get_data(as_text=True)
    assert "尚未导入社区数据" in page and "/dashboard/circle/communities" in page
    assert as_role("admin").get("/dashboard/circle/map").status_code == 404
