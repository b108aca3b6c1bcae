"""The rating page: one rating per device per window (a second replaces the first),
window expiry, all or nothing, the abuse guards, practitioners, refusals."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.background import close_app
from surveyapp.extensions import db
from surveyapp.models import Rating
from surveyapp.ratings import submit as submit_module
from surveyapp.ratings.submit import BURST, EPOCH, window_start
from tests.rate.conftest import csrf_of


def _checked(html: str, name: str) -> str | None:
    """The value of the checked radio button ``name`` on the page."""
    for tag in re.findall(r"<input [^>]*>", html):
        if f'name="{name}"' in tag and " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def test_the_page_shows_the_sector_form_without_script(make_provider, client):
    code = make_provider(sectors=["lodging"])
    page = client.get(f"/r/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script" not in html
    assert "住宿服务评价" in html and 'name="s_overall"' in html and 'name="s_clean"' in html
    english = client.get(f"/r/{code}?lang=en").get_data(as_text=True)
    assert "Rate this hotel" in english and "5 stars · very satisfied" in english
    large = client.get(f"/r/{code}?size=large").get_data(as_text=True)
    assert 'class="text-large"' in large


def test_a_rating_is_stored_with_its_form_version_and_answers(make_provider, rate, ratings, client):
    code = make_provider()
    sent = rate(code, {"hygiene": 5, "taste": 4, "overall": 4}, comment="  米线好吃  ")
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "感谢您的评价" in thanks
    (row,) = ratings()
    assert (row.sector, row.form_id, row.form_version) == ("catering", "rating-catering", 1)
    assert row.overall == 4 and row.comment == "米线好吃" and row.channel == "web"
    # hygiene, taste, price (not answered), service (not answered), overall
    assert list(row.answers) == [5, 4, 255, 255, 4]
    assert row.device_hash and row.window_start == window_start(row.created_at.date(), 30)


def test_a_second_rating_replaces_the_first_never_doubles_it(make_provider, rate, ratings, client):
    code = make_provider()
    rate(code, {"overall": 2}, comment="太慢")
    first = ratings()[0]
    again = rate(code, {"overall": 5, "service": 5})
    assert "替换" in client.get(again.headers["Location"]).get_data(as_text=True)
    (row,) = ratings()
    assert row.id == first.id  # updated in place
    assert row.overall == 5 and row.comment is None and row.created_at >= first.created_at
    # another device (a fresh browser) is another rating
    other = client.application.test_client()
    page = other.get(f"/r/{code}").get_data(as_text=True)
    other.post(f"/r/{code}", data={"csrf_token": csrf_of(page), "sector": "catering",
                                   "s_overall": "3", "go": "submit"})  # fmt: skip
    assert [r.overall for r in ratings()] == [5, 3]


def test_a_new_window_makes_a_new_rating(make_provider, rate, ratings, monkeypatch):
    code = make_provider()
    start = window_start(date(2026, 12, 6), 30)
    first_day = datetime(start.year, start.month, start.day, 4, 0, tzinfo=UTC)  # 12:00 China
    monkeypatch.setattr(submit_module, "utcnow", lambda: first_day)
    rate(code, {"overall": 2})
    monkeypatch.setattr(submit_module, "utcnow", lambda: first_day + timedelta(days=29))
    rate(code, {"overall": 3})  # the window's last day: replaces
    assert [(r.overall, r.window_start) for r in ratings()] == [(3, start)]
    monkeypatch.setattr(submit_module, "utcnow", lambda: first_day + timedelta(days=30))
    rate(code, {"overall": 4})  # the next window: a rating of its own
    assert [(r.overall, r.window_start) for r in ratings()] == [
        (3, start),
        (4, start + timedelta(days=30)),
    ]


def test_windows_are_fixed_runs_of_days_from_the_epoch():
    assert window_start(EPOCH, 30) == EPOCH
    assert window_start(EPOCH + timedelta(days=29), 30) == EPOCH
    assert window_start(EPOCH + timedelta(days=30), 30) == EPOCH + timedelta(days=30)
    assert window_start(EPOCH + timedelta(days=95), 7) == EPOCH + timedelta(days=91)
    with pytest.raises(ValueError):
        window_start(EPOCH, 0)


def test_the_window_is_a_setting(make_provider, app, rate, ratings, monkeypatch):
    app.config["RATING_WINDOW_DAYS"] = 1
    code = make_provider()
    day = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    monkeypatch.setattr(submit_module, "utcnow", lambda: day)
    rate(code, {"overall": 2})
    monkeypatch.setattr(submit_module, "utcnow", lambda: day + timedelta(days=1))
    rate(code, {"overall": 3})
    assert [r.overall for r in ratings()] == [2, 3]


def test_errors_are_shown_and_nothing_is_stored(make_provider, rate, ratings):
    code = make_provider()
    missing = rate(code, {"hygiene": 4})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400
    assert 'id="error-summary"' in html and 'href="#q-overall"' in html
    assert 'aria-invalid="true"' in html and _checked(html, "s_hygiene") == "4"  # kept
    out_of_range = rate(code, {"overall": 9})
    assert out_of_range.status_code == 400
    too_long = rate(code, {"overall": 5}, comment="长" * 501)
    assert too_long.status_code == 400 and "500" in too_long.get_data(as_text=True)
    assert ratings() == []


def test_a_failure_while_storing_leaves_nothing(make_provider, rate, ratings, app, monkeypatch):
    code = make_provider()
    rate(code, {"overall": 2})

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(submit_module, "_pack", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError):
        rate(code, {"overall": 5})
    (row,) = ratings()
    assert row.overall == 2  # the first rating, unchanged


def test_csrf_is_checked_and_the_stars_kept(make_provider, client, ratings):
    code = make_provider()
    client.get(f"/r/{code}")
    sent = client.post(f"/r/{code}", data={"s_overall": "5", "sector": "catering", "go": "submit"})
    assert sent.status_code == 400 and _checked(sent.get_data(as_text=True), "s_overall") == "5"
    assert ratings() == []


def test_the_honeypot_thanks_a_robot_and_stores_nothing(make_provider, rate, ratings):
    code = make_provider()
    sent = rate(code, {"overall": 5}, website="http://spam.example")
    assert sent.status_code == 303 and ratings() == []


def test_a_source_beyond_the_burst_threshold_is_flagged(make_provider, rate, ratings, app):
    app.config["RATELIMIT_BURST"] = "2/10minutes"
    app.extensions["surveyapp.limiter"] = object()  # limits "on" for the threshold only
    try:
        code = make_provider()
        other = make_provider(credit_code="9144030071526726XG", name="第二家")
        rate(code, {"overall": 5})
        rate(other, {"overall": 5})
        with app.test_client() as fresh:
            page = fresh.get(f"/r/{code}").get_data(as_text=True)
            fresh.post(f"/r/{code}", data={"csrf_token": csrf_of(page), "sector": "catering",
                                           "s_overall": "1", "go": "submit"})  # fmt: skip
    finally:
        del app.extensions["surveyapp.limiter"]
    flags = [r.flags for r in ratings()]
    assert flags == [None, None, BURST]


def test_rate_limits_refuse_a_flood_from_one_address(make_provider, database_url, ratings):
    from surveyapp import create_app

    code = make_provider()
    limited = create_app({"SECRET_KEY": "s" * 40, "DATABASE_URL": database_url, "TESTING": True,
                          "RATELIMIT_BURST": "1/10minutes"})  # fmt: skip
    client = limited.test_client()
    statuses = []
    for stars in (1, 2, 3, 4, 5) * 3:  # the survey's ceiling: 10 x the threshold per address
        page = client.get(f"/r/{code}").get_data(as_text=True)
        sent = client.post(f"/r/{code}", data={"csrf_token": csrf_of(page), "sector": "catering",
                                               "s_overall": str(stars), "go": "submit"})  # fmt: skip
        statuses.append(sent.status_code)
    assert statuses == [303] * 10 + [429] * 5
    assert int(sent.headers["Retry-After"]) > 0
    assert [r.overall for r in ratings()] == [5]  # the tenth, replacing the others
    close_app(limited)


def test_practitioners_are_rated_apart_from_their_provider(
    make_provider, make_practitioner, rate, ratings, client
):
    code = make_provider(sectors=["domestic"])
    worker = make_practitioner(code)
    page = client.get(f"/r/{code}?p={worker}").get_data(as_text=True)
    assert "李阿姨" in page
    rate(code, {"overall": 5}, query=f"?p={worker}")
    rate(code, {"overall": 3})
    rate(code, {"overall": 4}, query=f"?p={worker}")  # replaces the practitioner's rating
    rows = ratings()
    assert sorted((r.practitioner_id or 0, r.overall) for r in rows) == [(0, 3), (worker, 4)]
    assert client.get(f"/r/{code}?p=999").status_code == 404
    left = make_practitioner(code, status="left", name="王师傅")
    assert client.get(f"/r/{code}?p={left}").status_code == 404


def test_unknown_and_closed_providers_are_refused(make_provider, client):
    assert client.get("/r/91350100M000100Y43").status_code == 404
    code = make_provider(status="closed")
    closed = client.get(f"/r/{code}")
    assert closed.status_code == 410 and "停业" in closed.get_data(as_text=True)
    assert client.post(f"/r/{code}", data={}).status_code == 410


def test_a_provider_in_two_sectors_is_rated_with_the_chosen_form(make_provider, rate, ratings):
    code = make_provider(sectors=["catering", "lodging"])
    rate(code, {"overall": 4, "clean": 5}, query="?s=lodging")
    (row,) = ratings()
    assert (row.sector, row.form_id, row.answers[0]) == ("lodging", "rating-lodging", 5)
    # one rating per device per provider *per sector* and window: ratings belong to the
    # sector of the form used (a score in each), so the other sector's rating is kept
    rate(code, {"overall": 5})  # default: its first sector in the catalogue's order
    rows = {r.sector: r for r in ratings()}
    assert set(rows) == {"catering", "lodging"}
    assert (rows["catering"].form_id, rows["catering"].overall) == ("rating-catering", 5)
    assert rows["lodging"].overall == 4
    # ... and a second rating of the same sector replaces the first, never doubles it
    rate(code, {"overall": 2, "clean": 1}, query="?s=lodging")
    rows = {r.sector: r for r in ratings()}
    assert len(ratings()) == 2 and rows["lodging"].overall == 2 and rows["catering"].overall == 5


def test_an_individual_business_is_found_by_its_registration_number(make_provider, rate, ratings):
    code = make_provider(credit_code=None, registration_no="530802600012345")
    assert rate(code, {"overall": 5}).status_code == 303
    assert len(ratings()) == 1


def test_ratings_count_rows_per_window_in_sql(make_provider, rate, app):
    code = make_provider()
    for stars in (1, 2, 3):
        rate(code, {"overall": stars})
    with app.app_context():
        assert db.session.scalar(select(func.count(Rating.id))) == 1
