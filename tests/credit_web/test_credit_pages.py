"""The bureaus' credit pages: classes per district, movers, hit rates, exports, a
provider's record with its override and repair forms, and who may open what."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog
from surveyapp.models.credit import ClassOverride, CreditEvent
from surveyapp.rounds.dates import china_today
from tests.auth.helpers import csrf_of

from .conftest import signed_in


def test_sector_page_counts_classes_per_district_and_lists_movers_with_why(app, world):
    client = signed_in(app, world.users["bureau"])
    page = client.get("/dashboard/credit/catering?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2026Q4" in html and "2026Q3" in html
    # 思茅区: P1 D, P2 A; 宁洱县: P3 A
    assert _row(html, "思茅区") == ["1", "0", "0", "1", "2"]
    assert _row(html, "宁洱县") == ["1", "0", "0", "0", "1"]
    # movers: P1 A → D with its factors (penalty, abnormal listing), P2 C → A; P3 did not move
    p1, p2, p3 = world.codes[:3]
    assert f"/dashboard/credit/providers/{p1}" in html
    assert f"/dashboard/credit/providers/{p2}" in html
    assert f"/dashboard/credit/providers/{p3}" not in html
    assert html.index(p1) < html.index(p2)  # the rise first
    assert "administrative penalt" in html.lower() or "行政处罚" in html
    # the SVG bar chart names the counts
    assert 'role="img"' in html and "<rect" in html


def test_the_earlier_period_has_no_movers_and_a_district_filters(app, world):
    client = signed_in(app, world.users["bureau"])
    html = client.get("/dashboard/credit/catering?period=2026Q3&lang=en").get_data(as_text=True)
    assert _row(html, "思茅区") == ["1", "0", "1", "0", "2"]  # P1 A, P2 C
    assert "/dashboard/credit/providers/" not in html  # no period before: nobody moved
    html = client.get("/dashboard/credit/catering?district=宁洱县").get_data(as_text=True)
    assert "思茅区</th>" not in html and _row(html, "宁洱县") == ["1", "0", "0", "0", "1"]
    assert client.get("/dashboard/credit/catering?period=2025Q1").status_code == 404


def test_hit_rates_per_class_count_only_results_entered(app, world):
    client = signed_in(app, world.users["admin"])
    html = client.get("/dashboard/credit/catering?lang=en").get_data(as_text=True)
    table = html[html.index("2026Q3</th>") :]
    cells = table.split("</tr>")[0]
    # A: 2 drawn, 1 inspected (P1 passed), 0 failed; C: 1 drawn, inspected, failed
    assert "0 of 1 inspected (2 drawn)" in cells
    assert "1 of 1 inspected (1 drawn)" in cells
    assert "100.0%" in cells and "0.0%" in cells


def test_hit_rates_from_the_service(app, world):
    from surveyapp.credit.board import hit_rates

    with app.app_context():
        (q3,) = hit_rates(db.session, "catering")
    assert q3.period == "2026Q3"
    assert (q3.classes["A"].drawn, q3.classes["A"].inspected, q3.classes["A"].failed) == (2, 1, 0)
    assert q3.classes["C"].hit_rate == 1.0
    assert q3.classes["B"].hit_rate is None and q3.classes["D"].drawn == 0


def test_class_list_exports(app, world):
    client = signed_in(app, world.users["bureau"])
    got = client.get("/dashboard/credit/catering/classes.csv?lang=en")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "credit-classes-catering-2026Q4.csv" in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Provider", "Name", "District", "Class"]
    by_id = {r[0]: r for r in rows[1:]}
    assert set(by_id) == set(world.codes[:3])
    assert by_id[world.codes[0]][3] == "D" and "+40" in by_id[world.codes[0]][6]
    x = client.get("/dashboard/credit/catering/classes.xlsx?period=2026Q3&district=宁洱县")
    assert x.status_code == 200 and x.data[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(x.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][0] == world.codes[2]


def test_a_bureau_sees_only_its_sectors_and_other_roles_are_refused(app, world):
    lodging = signed_in(app, world.users["lodging"])
    assert lodging.get("/dashboard/credit/catering").status_code == 403
    assert lodging.get("/dashboard/credit/catering/classes.csv").status_code == 403
    assert lodging.get(f"/dashboard/credit/providers/{world.codes[0]}").status_code == 403
    assert lodging.get(f"/dashboard/credit/providers/{world.codes[3]}").status_code == 200
    index = lodging.get("/dashboard/credit").get_data(as_text=True)
    assert "/dashboard/credit/lodging" in index and "/dashboard/credit/catering" not in index
    # nothing recorded for lodging: a page that says so, no download
    assert lodging.get("/dashboard/credit/lodging").status_code == 200
    assert lodging.get("/dashboard/credit/lodging/classes.csv").status_code == 404
    for role in ("evaluator", "viewer"):
        other = signed_in(app, world.users[role])
        assert other.get("/dashboard/credit").status_code == 403
        assert other.get(f"/dashboard/credit/providers/{world.codes[0]}").status_code == 403
    assert app.test_client().get("/dashboard/credit").status_code == 302
    assert signed_in(app, world.users["bureau"]).get("/dashboard/credit/nope").status_code == 404


def test_record_page_shows_the_timeline_class_and_factors(app, world):
    client = signed_in(app, world.users["bureau"])
    html = client.get(f"/dashboard/credit/providers/{world.codes[1]}?lang=en").get_data(
        as_text=True
    )
    assert "2026-06-01" in html and "Administrative penalty" in html
    assert "repaired on 2026-11-01: 整改完成" in html
    assert "无证经营" in html and "inspection-plan:" in html  # the failed inspection, source
    assert "2026Q4" in html and "2026Q3" in html  # the class history
    assert "crw-class-A" in html


def test_override_a_class_with_reason_and_expiry_is_audited(app, world):
    client = signed_in(app, world.users["bureau"])
    url = f"/dashboard/credit/providers/{world.codes[2]}"
    token = csrf_of(client.get(url).get_data(as_text=True))
    expires = (china_today(_now()) + timedelta(days=30)).isoformat()
    got = client.post(f"{url}/override", data={"csrf_token": token, "cls": "C",
                                                "reason": "媒体曝光", "expires_on": expires})  # fmt: skip
    assert got.status_code == 303
    html = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "媒体曝光" in html and expires in html
    with app.app_context():
        o = db.session.scalars(select(ClassOverride)).one()
        assert (o.cls, o.bureau, o.actor) == ("C", "catering", "shangwu")
        assert db.session.scalars(
            select(AuditLog).where(AuditLog.action == "credit.override")
        ).one()


def test_override_errors_are_named_and_nothing_is_stored(app, world):
    client = signed_in(app, world.users["bureau"])
    url = f"/dashboard/credit/providers/{world.codes[2]}"
    token = csrf_of(client.get(url).get_data(as_text=True))
    past = (china_today(_now()) - timedelta(days=1)).isoformat()
    got = client.post(f"{url}/override?lang=en", data={"csrf_token": token, "cls": "D",
                                                        "reason": "x", "expires_on": past})  # fmt: skip
    assert got.status_code == 400 and f"expiry {past} has passed" in got.get_data(as_text=True)
    got = client.post(f"{url}/override?lang=en", data={"csrf_token": token, "cls": "E",
                                                        "reason": "", "expires_on": "soon"})  # fmt: skip
    assert got.status_code == 400 and "reason" in got.get_data(as_text=True)
    # without the CSRF token: refused
    got = client.post(f"{url}/override", data={"cls": "D", "reason": "x", "expires_on": past})
    assert got.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(ClassOverride)).first() is None


def test_credit_repair_ends_an_event_with_reason(app, world):
    client = signed_in(app, world.users["admin"])
    url = f"/dashboard/credit/providers/{world.codes[0]}"
    html = client.get(url).get_data(as_text=True)
    with app.app_context():
        penalty = db.session.scalars(
            select(CreditEvent).where(CreditEvent.external_id == "e2")
        ).one()
    assert f'value="{penalty.id}"' in html
    token = csrf_of(html)
    bad = client.post(f"{url}/repair?lang=en", data={"csrf_token": token, "event": penalty.id,
                                                      "on": "2026-10-01", "reason": "整改"})  # fmt: skip
    assert bad.status_code == 400 and "before the event" in bad.get_data(as_text=True)
    got = client.post(f"{url}/repair", data={"csrf_token": token, "event": penalty.id,
                                              "on": "2026-12-01", "reason": "整改完成"})  # fmt: skip
    assert got.status_code == 303
    with app.app_context():
        e = db.session.get(CreditEvent, penalty.id)
        assert (e.ended_on, e.end_reason) == (date(2026, 12, 1), "整改完成")
        assert db.session.scalars(select(AuditLog).where(AuditLog.action == "credit.repair")).one()
    # an event of another provider (or one ended already) is not a choice
    got = client.post(f"{url}/repair", data={"csrf_token": token, "event": penalty.id,
                                              "on": "2026-12-02", "reason": "again"})  # fmt: skip
    assert got.status_code == 400


def test_pages_in_chinese_by_default(app, world):
    client = signed_in(app, world.users["bureau"])
    html = client.get("/dashboard/credit/catering").get_data(as_text=True)
    assert "信用风险分类" in html and "风险等级变化" in html
    assert client.get("/dashboard").get_data(as_text=True).count("/dashboard/credit") >= 1


def _now():
    from surveyapp.models.base import utcnow

    return utcnow()


def _row(html: str, district: str) -> list[str]:
    """The cells of a district's row of the distribution table."""
    import re

    start = html.index(f'<th scope="row">{district}</th>')
    row = html[start : html.index("</tr>", start)]
    return re.findall(r'<td class="num">(\d+)</td>', row)


def test_a_long_movers_list_is_cut_and_says_so(app, world, monkeypatch):
    from surveyapp.credit_web import routes

    monkeypatch.setattr(routes, "MOVERS_SHOWN", 1)
    client = signed_in(app, world.users["bureau"])
    html = client.get("/dashboard/credit/catering?lang=en").get_data(as_text=True)
    assert f"/dashboard/credit/providers/{world.codes[0]}" in html  # the rise first
    assert f"/dashboard/credit/providers/{world.codes[1]}" not in html
    assert "Only the first 1 of 2 are listed" in html
