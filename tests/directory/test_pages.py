"""The public directory and provider pages: min-n rule, masking, caching, sorting, phones."""

from __future__ import annotations

import re

from surveyapp.extensions import db
from surveyapp.models import Provider
from tests.directory.conftest import CODES

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"  # a valid check digit and birth date
URL = "evil.example/claim"


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_score_is_shown_only_from_the_minimum_number_of_ratings(
    client, add_provider, add_ratings, refresh
):
    rated = add_provider(CODES[0], "老字号米线")
    thin = add_provider(CODES[1], "新开小店")
    add_ratings(rated, [5, 5, 4, 1, 5, 4])
    add_ratings(thin, [5, 5, 5])
    refresh()
    page = _text(client.get(f"/providers/{CODES[1]}"))
    assert "评价数不足 (n = 3)" in page
    assert "满意评价占比" not in page and "5 星" not in page  # no score, no distribution
    page = _text(client.get(f"/providers/{CODES[1]}?lang=en"))
    assert "Not enough ratings (n = 3)" in page
    page = _text(client.get(f"/providers/{CODES[0]}?lang=zh"))  # the cookie said en
    assert "满意评价占比" in page and "评价数：6" in page and "95% 区间" in page
    # the distribution: 5 stars 3, 4 stars 2, 1 star 1; bars relative to the largest
    assert "5 星：3" in page and "4 星：2" in page and "1 星：1" in page
    assert 'width="100.0"' in page and 'width="66.7"' in page
    listing = _text(client.get("/providers"))
    assert "评价数不足 (n = 3)" in listing and "老字号米线" in listing


def test_the_minimum_follows_the_setting(app, client, add_provider, add_ratings, refresh):
    app.config["PROVIDER_MIN_RATINGS"] = 3
    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5, 5, 5])
    refresh()
    page = _text(client.get(f"/providers/{CODES[0]}"))
    assert "评价数不足" not in page and "评价数：3" in page


def test_comments_never_show_a_phone_an_id_number_or_a_link(
    client, add_provider, add_ratings, refresh
):
    pid = add_provider(CODES[0], "甲")
    comments = [
        f"太慢了，打我电话 {PHONE}",
        f"身份证 {ID_NUMBER} 被复印了",
        f"去 {URL} 领红包 加微信 abc12345",
        "味道不错",
    ]
    add_ratings(pid, [2, 1, 3, 5], comments=comments)
    refresh()
    for lang in ("zh", "en"):
        page = _text(client.get(f"/providers/{CODES[0]}?lang={lang}"))
        assert "味道不错" in page and "太慢了" in page
        for secret in (PHONE, ID_NUMBER, "evil.example", "abc12345", "5678", "002X"):
            assert secret not in page, (lang, secret)


def test_the_pages_answer_if_none_match_with_304(client, add_provider, add_ratings, refresh):
    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5, 4, 5, 5, 5])
    refresh()
    for url in ("/providers", f"/providers/{CODES[0]}"):
        first = client.get(url)
        assert first.status_code == 200
        etag = first.headers["ETag"]
        assert "public" in first.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        other = client.get(url, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200


def test_a_new_rating_changes_the_etag_once_the_scores_are_refreshed(
    client, add_provider, add_ratings, refresh
):
    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5, 4, 5, 5, 5])
    refresh()
    etag = client.get(f"/providers/{CODES[0]}").headers["ETag"]
    add_ratings(pid, [1], comments=["新评论"])
    refresh()
    response = client.get(f"/providers/{CODES[0]}", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "新评论" in _text(response)


def test_directory_filters_sorts_and_searches(client, add_provider, add_ratings, refresh):
    good = add_provider(CODES[0], "好味餐厅")
    poor = add_provider(CODES[1], "差评餐厅", district="宁洱县")
    busy = add_provider(CODES[2], "人多小吃")
    lodge = add_provider(CODES[3], "山景客栈", ["lodging"])
    add_ratings(good, [5] * 8)
    add_ratings(poor, [1, 2, 1, 2, 5, 1])
    add_ratings(busy, [4, 5, 3] * 6)
    add_ratings(lodge, [5] * 5, sector="lodging")
    refresh()

    def names(query: str) -> list[str]:
        page = _text(client.get("/providers" + query))
        return re.findall(r'<h2 class="round-title"><a class="tool" href="[^"]+">([^<]+)</a>', page)

    assert names("?sector=catering") == ["好味餐厅", "人多小吃", "差评餐厅"]
    assert names("?sector=catering&sort=n") == ["人多小吃", "好味餐厅", "差评餐厅"]
    assert names("?district=宁洱县") == ["差评餐厅"]
    assert names("?sector=lodging") == ["山景客栈"]
    assert names("?q=餐厅&sort=n") == ["好味餐厅", "差评餐厅"]
    assert names("?sector=nonsense") == names("")  # an unknown sector filters nothing
    page = _text(client.get("/providers?sector=catering&district=宁洱县"))
    assert '<option value="宁洱县" selected>' in page and "共 1 条" in page


def test_the_directory_pages(client, app, refresh):
    # individual businesses under registration numbers (a credit code needs its check character)
    with app.app_context():
        for i in range(23):
            p = Provider(registration_no=f"REG{i:03d}", name=f"个体户{i:02d}", district="思茅区",
                         service_types=[])  # fmt: skip
            p.sectors = ["catering"]
            db.session.add(p)
        db.session.commit()
    refresh()
    first = _text(client.get("/providers?sort=n"))
    assert "第 1 / 2 页" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = _text(client.get("/providers?sort=n&page=2"))
    assert "第 2 / 2 页" in second and second.count('class="card"') == 3 + 1  # + the form
    assert _text(client.get("/providers/REG007")).count("个体户07") >= 1


def test_an_unknown_provider_is_404(client, refresh):
    refresh()
    assert client.get("/providers/NOSUCHCODE").status_code == 404


def test_usable_on_a_360_px_phone_without_javascript(client, add_provider, add_ratings, refresh):
    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5, 4, 5, 5, 5], comments=["好"])
    refresh()
    for url in ("/providers", f"/providers/{CODES[0]}"):
        page = _text(client.get(url))
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "<script" not in page and "<table" not in page  # no wide tables to scroll
        assert ' style="' not in page  # the CSP allows no inline style
        # fixed pixel widths wider than a phone would overflow it
        widths = [int(w) for w in re.findall(r'width="(\d+)(?:px)?"', page)]
        assert all(w <= 100 for w in widths), widths
        for field in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
            assert f'for="{field}"' in page, field  # every field has its label


def test_a_provider_is_found_by_its_code_in_any_case_and_a_nul_is_a_404(
    app, client, add_provider, add_ratings, refresh
):
    add_provider(CODES[0], "甲")
    assert client.get(f"/providers/{CODES[0]}").status_code == 200
    assert client.get(f"/providers/{CODES[0].lower()}").status_code == 200
    assert client.get("/providers/%00x").status_code == 404  # never sent to the database
