"""Fixtures of the public provider pages: providers, ratings with comments, accounts
(a bureau of catering, one of lodging, and provider accounts), stored scores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from surveyapp.extensions import db
from surveyapp.models import Provider, Rating
from surveyapp.models.base import utcnow
from surveyapp.providers.published import ScoreSettings, refresh_published_scores
from surveyapp.rounds.dates import china_today
from tests.auth import helpers
from tests.providers.registry_data import REAL_CODES

app = helpers.app
make_user = helpers.make_user
login = helpers.login

CODES = REAL_CODES


@pytest.fixture
def add_provider(app) -> Callable[..., int]:
    """``add_provider(code, name, ["catering"], district="思茅区")`` → the provider's id."""

    def _add(code: str, name: str, sectors=("catering",), district: str = "思茅区") -> int:
        with app.app_context():
            p = Provider(credit_code=code, name=name, district=district, service_types=[])
            p.sectors = list(sectors)
            db.session.add(p)
            db.session.commit()
            return p.id

    return _add


@pytest.fixture
def add_ratings(app) -> Callable[..., list[int]]:
    """``add_ratings(pid, [5, 4, 1], sector="catering", comments=[...])`` → rating ids
    (made an hour ago, newest last)."""

    def _add(pid: int, stars, sector: str = "catering", comments=None) -> list[int]:
        comments = list(comments or [])
        now = utcnow()
        ids = []
        with app.app_context():
            for i, s in enumerate(stars):
                at = now - timedelta(hours=1) + timedelta(seconds=i)
                r = Rating(
                    provider_id=pid,
                    sector=sector,
                    form_id=f"{sector}-rating",
                    form_version=1,
                    answers=bytes([s]),
                    overall=s,
                    comment=comments[i] if i < len(comments) else None,
                    device_hash=None,
                    window_start=at.date(),
                    created_at=at,
                )
                db.session.add(r)
                db.session.flush()
                ids.append(r.id)
            db.session.commit()
        return ids

    return _add


@pytest.fixture
def refresh(app) -> Callable[[], None]:
    """Recompute the stored scores now, as the background refresh does."""

    def _refresh() -> None:
        with app.app_context():
            settings = ScoreSettings(
                app.config["PROVIDER_SCORE_WINDOW_MONTHS"], app.config["PROVIDER_MIN_RATINGS"]
            )
            refresh_published_scores(db.session, china_today(utcnow()), settings)
            db.session.commit()

    return _refresh


@pytest.fixture
def provider_user(app) -> Callable[..., int]:
    """``provider_user("ann", pid)`` → the id of a ``provider`` account of ``pid``."""
    from surveyapp.accounts.service import create_user

    def _make(username: str, provider_id: int) -> int:
        with app.app_context():
            user, _ = create_user(
                db.session,
                username,
                "provider",
                helpers.PASSWORD,
                provider_id=provider_id,
                must_change_password=False,
            )
            db.session.commit()
            return user.id

    return _make
