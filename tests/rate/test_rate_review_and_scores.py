"""Ratings reach the stored scores without any page view; a burst is held for review,
released or rejected as one audited wave; per-item scores."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from analysis.provider_scores import ProviderTally, score_providers
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider, Rating
from surveyapp.models.provider_page import PublishedItemScore
from surveyapp.models.provider_rating import RatingWave
from surveyapp.providers.published import score_keeper, score_state
from tests.auth import helpers

app = helpers.app  # signed-in pages: the account side wired in
make_user = helpers.make_user
login = helpers.login

URL = "/api/v1/providers/{}/ratings"


@pytest.fixture
def keeper(app):
    """The app's keeper without the pause between refreshes (tests wait for it)."""
    k = score_keeper(app)
    k.min_gap = 0.0
    yield k
    k.wait()


def _post(client, keyed, code, overall, device, **stars):
    body = {"stars": {"overall": overall, **stars}, "device_id": device}
    sent = client.post(URL.format(code), json=body, headers=keyed)
    assert sent.status_code == 201, sent.get_json()
    return sent.get_json()


def _scores(client, code):
    answer = client.get(f"/api/v1/providers/{code}/scores")
    assert answer.status_code == 200
    return {s["sector"]: s for s in answer.get_json()["sectors"]}


def test_a_new_rating_reaches_the_api_scores_without_any_page_view(
    make_provider, client, keyed, keeper
):
    code = make_provider()
    assert _scores(client, code)["catering"]["n"] == 0  # the first read stores the table
    for i in range(6):
        _post(client, keyed, code, 5 if i else 2, f"dev-{i}")
    keeper.wait()  # the refresh the ratings started, in the background
    catering = _scores(client, code)["catering"]
    assert catering["n"] == 6 and catering["published"] is True
    assert 0 < catering["posterior_share"] < 1
    # no public page was asked for in this test: the ratings themselves refreshed it


def test_item_scores_are_stored_per_item_with_the_minimum_per_item(
    app, make_provider, client, keyed, keeper
):
    code = make_provider()
    hygiene = [5, 5, 4, 5, 1, 5]
    for i, h in enumerate(hygiene):
        taste = {"taste": 2} if i < 3 else {}  # only three answered the taste item
        _post(client, keyed, code, 4, f"d{i}", hygiene=h, **taste)
    keeper.wait()
    _scores(client, code)  # a read: the refresh is done
    keeper.wait()
    with app.app_context():
        pid = db.session.scalar(select(Provider.id).where(Provider.credit_code == code))
        rows = {
            r.item: r
            for r in db.session.scalars(
                select(PublishedItemScore).where(PublishedItemScore.provider_id == pid)
            )
        }
    assert set(rows) == {"hygiene", "taste", "price", "service", "overall"}
    h, t, o = rows["hygiene"], rows["taste"], rows["overall"]
    assert (h.n, h.satisfied, h.published) == (6, 5, True)
    assert (t.n, t.satisfied, t.published) == (3, 0, False)  # below the minimum of 5
    assert (rows["price"].n, o.n, o.satisfied) == (0, 6, 6)
    # the estimate is the empirical-Bayes model, fitted per item (pooled over the
    # sector's items below 10 rated providers), as for the overall score
    tallies = [
        ProviderTally(code, "hygiene", 6, 5, sum(hygiene), sum(x * x for x in hygiene)),
        ProviderTally(code, "taste", 3, 0, 6, 12),
        ProviderTally(code, "price", 0, 0, 0, 0),
        ProviderTally(code, "service", 0, 0, 0, 0),
        ProviderTally(code, "overall", 6, 6, 24, 96),
    ]
    expected = {s.sector: s.providers[0] for s in score_providers(tallies, min_n=5)}
    assert h.posterior_share == pytest.approx(expected["hygiene"].posterior_share)
    assert (h.share_low, h.share_high) == pytest.approx(expected["hygiene"].ci)
    assert h.posterior_stars == pytest.approx(expected["hygiene"].posterior_stars)
    # the API and the public page show them, the unpublished one without its numbers
    items = {i["item"]: i for i in _scores(client, code)["catering"]["items"]}
    assert items["hygiene"]["posterior_share"] == pytest.approx(h.posterior_share)
    assert items["taste"]["published"] is False and items["taste"]["posterior_share"] is None
    page = client.get(f"/providers/{code}").get_data(as_text=True)
    assert "分项评分" in page and "食品安全与卫生" in page
    assert "菜品质量" in page and "评价数不足 (n = 3)" in page
    assert "服务态度" not in page  # nobody answered it: not listed


def test_one_rating_per_device_per_sector_and_window_via_the_api(make_provider, client, keyed):
    code = make_provider(sectors=["catering", "lodging"])
    first = _post(client, keyed, code, 5, "tablet")
    other = client.post(URL.format(code), json={"stars": {"overall": 3}, "device_id": "tablet",
                                                "sector": "lodging"}, headers=keyed)  # fmt: skip
    assert other.status_code == 201 and other.get_json()["replaced"] is False
    again = _post(client, keyed, code, 1, "tablet")
    assert again["replaced"] is True and again["id"] == first["id"]


def _burst(app, client, keyed, code, n):
    """``n`` ratings from one channel key with a threshold of 2 per 10 minutes."""
    app.config["RATELIMIT_BURST"] = "2/10minutes"
    app.extensions["surveyapp.limiter"] = object()  # limits "on" for the threshold only
    try:
        return [_post(client, keyed, code, 1, f"bot-{i}") for i in range(n)]
    finally:
        del app.extensions["surveyapp.limiter"]


def test_a_burst_is_held_out_of_the_scores_until_released(
    app, make_provider, make_user, login, client, keyed, keeper
):
    code = make_provider()
    for i in range(5):
        _post(client, keyed, code, 5, f"resident-{i}")
    answers = _burst(app, client, keyed, code, 4)
    assert [a["held"] for a in answers] == [True] * 4  # the key already made 5 ratings
    keeper.wait()
    assert _scores(client, code)["catering"]["n"] == 5  # the held ones count nowhere
    keeper.wait()
    with app.app_context():
        (wave,) = db.session.scalars(select(RatingWave)).all()
        reviews = [r.review for r in db.session.scalars(select(Rating).order_by(Rating.id))]
        assert (wave.sector, wave.state) == ("catering", "held")
        assert reviews == ["counted"] * 5 + ["held"] * 4
    # the board says so; the review page lists the wave for the sector's bureau
    make_user("cat", "bureau", sectors=["catering"])
    make_user("lod", "bureau", sectors=["lodging"])
    other = app.test_client()
    login(other, "lod")
    assert other.get("/dashboard/providers/catering/held").status_code == 403
    login(client, "cat")
    board = client.get("/dashboard/providers/catering").get_data(as_text=True)
    assert "4 条评价因集中提交暂缓计入" in board
    page = client.get("/dashboard/providers/catering/held")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"第 {wave.id} 批：4 条评价" in html
    url = f"/dashboard/providers/catering/held/{wave.id}"
    assert client.post(url, data={"action": "release"}).status_code == 400  # no CSRF token
    token = _csrf(html)
    done = client.post(url, data={"action": "release", "csrf_token": token})
    assert done.status_code == 303
    again = client.post(url, data={"action": "reject", "csrf_token": token})
    assert again.status_code == 409  # decided already
    keeper.wait()
    assert _scores(client, code)["catering"]["n"] == 9  # released: counted
    with app.app_context():
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "rating.release"))
        assert audit.details["ratings"] == 4 and audit.actor == "cat"
        assert score_state(db.session).ratings == 9


def test_a_rejected_wave_never_counts(app, make_provider, make_user, login, client, keyed, keeper):
    code = make_provider()
    for i in range(2):
        _post(client, keyed, code, 5, f"resident-{i}")
    _burst(app, client, keyed, code, 3)
    with app.app_context():
        wave_id = db.session.scalar(select(RatingWave.id))
    make_user("boss", "admin")
    login(client, "boss")
    token = _csrf(client.get("/dashboard/providers/catering/held").get_data(as_text=True))
    url = f"/dashboard/providers/catering/held/{wave_id}"
    assert client.post(url, data={"action": "reject", "csrf_token": token}).status_code == 303
    assert "没有待审核的评价" in client.get(url.rsplit("/", 1)[0]).get_data(as_text=True)
    keeper.wait()
    client.get(f"/api/v1/providers/{code}/scores")
    keeper.wait()
    assert _scores(client, code)["catering"]["n"] == 2
    with app.app_context():
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "rating.reject"))
        assert db.session.get(RatingWave, wave_id).state == "rejected"


def _csrf(html: str) -> str:
    import re

    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, "no CSRF token"
    return found.group(1)
