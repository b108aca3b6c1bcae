"""The bureau's provider board: lowest first by posterior share, district filter, the
change since the last period, below-min-n providers without a score, CSV and XLSX."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from tests.provider_admin.conftest import code


def _setup(add_provider, rate):
    good = add_provider(21, name="好店", district="思茅区")
    bad = add_provider(22, name="差店", district="思茅区")
    middling = add_provider(23, name="中店", district="澜沧拉祜族自治县")
    few = add_provider(24, name="新店", district="思茅区")
    for pid, stars in ((good, [5] * 18 + [2] * 2), (bad, [5] * 6 + [1] * 14),
                       (middling, [5] * 12 + [2] * 8)):  # fmt: skip
        rate(pid, stars, days_ago=2)
    rate(few, [5, 5])  # below min n: no score shown
    # before the last period (4 months ago): the bad one was as bad, the good one worse
    rate(good, [5] * 5 + [1] * 5, days_ago=125)
    rate(other := add_provider(25, name="别的行业", sector="lodging"), [1] * 10, sector="lodging")
    return good, bad, middling, few, other


def test_lowest_first_with_interval_stars_and_change(app, client_as, add_provider, rate):
    _setup(add_provider, rate)
    page = client_as("bureau").get("/dashboard/providers/catering")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    order = [html.index(name) for name in ("差店", "中店", "好店", "新店")]
    assert order == sorted(order)  # lowest posterior share first, below-min-n last
    assert "评价数不足 (n = 2)" in html and "别的行业" not in html
    assert "较上期" in html  # the good one has a score a period ago


def test_the_district_filter(app, client_as, add_provider, rate):
    _setup(add_provider, rate)
    html = client_as("admin").get("/dashboard/providers/catering?district=澜沧拉祜族自治县")
    text = html.get_data(as_text=True)
    assert "中店" in text and "差店" not in text and "好店" not in text


def test_csv_and_xlsx_hold_the_same_rows(app, client_as, add_provider, rate):
    _setup(add_provider, rate)
    client = client_as("admin")
    got = client.get("/dashboard/providers/catering/providers.csv?lang=en")
    assert got.status_code == 200 and got.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Rank (lowest first)", "Code", "Name"]
    assert [r[2] for r in rows[1:]] == ["差店", "中店", "好店", "新店"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", ""]
    bad = rows[1]
    share, low, high = (float(x) for x in bad[5:8])
    assert low < share < high and share < 0.5 and bad[4] == "20"
    assert rows[4][5] == "" and rows[4][4] == "2"  # below min n: n only
    assert rows[3][9] != ""  # the good one's change since the last period
    assert float(rows[3][9]) > 0
    book = client.get("/dashboard/providers/catering/providers.xlsx?district=思茅区")
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["差店", "好店", "新店"]
    assert (
        "思茅区" in book.headers["Content-Disposition"]
        or "%E6%80" in book.headers["Content-Disposition"]
    )


def test_a_bureau_sees_only_its_sectors(app, client_as, add_provider, rate):
    _setup(add_provider, rate)
    bureau = client_as("bureau")
    assert bureau.get("/dashboard/providers/lodging").status_code == 403
    assert bureau.get("/dashboard/providers/lodging/providers.csv").status_code == 403
    assert client_as("admin").get("/dashboard/providers/lodging").status_code == 200
    assert client_as("admin").get("/dashboard/providers/nonsense").status_code == 404
    sectors = bureau.get("/dashboard/providers").get_data(as_text=True)
    assert (
        "/dashboard/providers/catering" in sectors and "/dashboard/providers/lodging" not in sectors
    )
    assert code(21)  # the codes are well formed (conftest)


def test_the_minimum_is_the_setting(app, client_as, add_provider, rate):
    _setup(add_provider, rate)
    app.config["PROVIDER_MIN_RATINGS"] = 2
    html = client_as("admin").get("/dashboard/providers/catering").get_data(as_text=True)
    assert "评价数不足" not in html
    assert re.search(r"<h2>\d\. 新店", html)  # ranked now
    api = app.test_client().get(f"/api/v1/providers/{code(24)}/scores").get_json()
    assert api["sectors"][0]["published"] and api["sectors"][0]["min_n"] == 2


def test_the_board_reads_the_stored_scores_and_a_refresh_brings_new_ratings(
    app, client_as, add_provider, rate, monkeypatch
):
    from surveyapp.providers import published

    good, bad, *_ = _setup(add_provider, rate)
    client = client_as("bureau")
    calls = []
    counting = published.compute_scores

    def counted(*args, **kwargs):
        calls.append(args[1].last)
        return counting(*args, **kwargs)

    monkeypatch.setattr(published, "compute_scores", counted)
    first = client.get("/dashboard/providers/catering").get_data(as_text=True)
    assert len(calls) == 2  # nothing stored yet: now and the last period, once
    assert "评分更新于" in first and "较上期" in first
    client.get("/dashboard/providers/catering")
    client.get("/dashboard/providers/catering/providers.csv")
    assert len(calls) == 2  # later views read the stored rows: no estimation per view
    rate(bad, [5] * 40)  # the bad one improves a lot ...
    stale = client.get("/dashboard/providers/catering").get_data(as_text=True)
    assert stale.index("差店") < stale.index("中店")  # ... served as stored meanwhile
    published.score_keeper(app).wait()  # the refresh that view started, in the background
    assert len(calls) == 3  # the current window only: the last period's day did not move
    fresh = client.get("/dashboard/providers/catering").get_data(as_text=True)
    assert fresh.index("中店") < fresh.index("差店")
