"""The kept-up-to-date scores: what a refresh stores, when one is due, the directory query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Rating
from surveyapp.models.base import utcnow
from surveyapp.models.provider_page import PublishedScore
from surveyapp.providers import published
from surveyapp.providers.published import (
    ScoreKeeper,
    ScoreSettings,
    directory_page,
    published_scores,
    refresh_due,
    score_state,
)
from surveyapp.providers.scores import compute_scores, score_window
from surveyapp.rounds.dates import china_today
from tests.directory.conftest import CODES


def test_a_refresh_stores_every_providers_posterior_and_distribution(
    app, add_provider, add_ratings, refresh
):
    many = add_provider(CODES[0], "老字号米线", ["catering"])
    few = add_provider(CODES[1], "新开小店", ["catering", "lodging"], district="宁洱县")
    add_ratings(many, [5, 5, 4, 2, 1, 5])
    add_ratings(few, [5, 4, 5])
    refresh()
    with app.app_context():
        rows = {(r.provider_id, r.sector): r for r in db.session.scalars(select(PublishedScore))}
        # every registered (provider, sector), rated or not
        assert set(rows) == {(many, "catering"), (few, "catering"), (few, "lodging")}
        m, f = rows[(many, "catering")], rows[(few, "catering")]
        assert (m.n, m.satisfied, m.published) == (6, 4, True)
        assert m.distribution == [1, 1, 0, 1, 3]
        assert (f.n, f.published) == (3, False)  # below the minimum of 5
        # the same numbers as the scores of the command line
        today = china_today(utcnow())
        computed = compute_scores(db.session, score_window(today, 12), 5)
        (cat,) = [s for s in computed.sectors if s.sector == "catering"]
        by_id = {p.id: p for p in cat.providers}
        assert m.posterior_share == pytest.approx(by_id[CODES[0]].posterior_share)
        assert (m.share_low, m.share_high) == pytest.approx(by_id[CODES[0]].ci)
        state = score_state(db.session)
        assert state.ratings == 9 and state.min_n == 5 and state.as_of == today
        assert published_scores(db.session, few)[0].sector == "catering"


def test_the_minimum_is_the_setting(app, add_provider, add_ratings, refresh):
    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5, 4, 5])
    app.config["PROVIDER_MIN_RATINGS"] = 3
    refresh()
    with app.app_context():
        (row,) = published_scores(db.session, pid)
        assert row.published and score_state(db.session).min_n == 3


def test_a_refresh_is_due_on_a_new_rating_a_new_day_or_age(app, add_provider, add_ratings, refresh):
    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5])
    settings = ScoreSettings(12, 5)
    with app.app_context():
        today = china_today(utcnow())
        assert refresh_due(db.session, None, today, settings)
    refresh()
    with app.app_context():
        state = score_state(db.session)
        assert not refresh_due(db.session, state, today, settings)
        assert refresh_due(db.session, state, today + timedelta(days=1), settings)
        assert refresh_due(db.session, state, today, ScoreSettings(12, 3))
        later = utcnow() + published.MAX_AGE + timedelta(seconds=1)
        assert refresh_due(db.session, state, today, settings, now=later)
    add_ratings(pid, [4])
    with app.app_context():
        assert refresh_due(db.session, score_state(db.session), today, settings)


def test_the_keeper_computes_once_then_refreshes_in_the_background(app, add_provider, add_ratings):
    from surveyapp.indices.state import app_session

    pid = add_provider(CODES[0], "甲")
    add_ratings(pid, [5, 5, 5, 5, 5])
    keeper = ScoreKeeper(lambda: app_session(app), ScoreSettings(12, 5))
    with app.app_context():
        today = china_today(utcnow())
        state = keeper.ensure(db.session, today)  # nothing stored: computed in the request
        assert state.ratings == 5 and keeper.thread is None
    add_ratings(pid, [1])
    with app.app_context():
        state = keeper.ensure(db.session, today)  # stale: served as stored ...
        assert state.ratings == 5
        keeper.wait(30)  # ... while a background thread recomputes
        db.session.expire_all()
        assert score_state(db.session).ratings == 6
        assert score_state(db.session).refresh_started_at is None
        assert db.session.scalar(select(Rating.id).where(Rating.overall == 1))


def test_directory_filters_sorts_and_pages(app, add_provider, add_ratings, refresh):
    good = add_provider(CODES[0], "好味餐厅", ["catering"])
    poor = add_provider(CODES[1], "差评餐厅", ["catering"], district="宁洱县")
    busy = add_provider(CODES[2], "人多小吃", ["catering"])
    thin = add_provider(CODES[3], "好评很少", ["catering"])
    add_ratings(good, [5] * 8)
    add_ratings(poor, [1, 2, 1, 2, 5, 1])
    add_ratings(busy, [4, 5, 3] * 6)
    add_ratings(thin, [5, 5])  # unpublished: its high raw share must not lift it
    refresh()
    with app.app_context():
        page = directory_page(db.session, sector="catering", sort="score")
        assert [r.provider.id for r in page.rows] == [good, busy, poor, thin]
        page = directory_page(db.session, sector="catering", sort="n")
        assert [r.provider.id for r in page.rows] == [busy, good, poor, thin]
        page = directory_page(db.session, district="宁洱县")
        assert [r.provider.id for r in page.rows] == [poor] and page.total == 1
        page = directory_page(db.session, name="好")
        assert {r.provider.id for r in page.rows} == {good, thin}
        assert directory_page(db.session, name="%").total == 0  # a wildcard is a character
        page = directory_page(db.session, sort="n", per_page=3, page=2)
        assert page.total == 4 and page.pages == 2 and [r.provider.id for r in page.rows] == [thin]
