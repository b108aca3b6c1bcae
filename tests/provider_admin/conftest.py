"""Fixtures of the provider admin pages, the bureau's provider board and the providers API:
the wired app, signed-in clients per role, providers and ratings made on the fly."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from surveyapp.extensions import db
from surveyapp.models import Rating
from surveyapp.models.base import utcnow
from surveyapp.providers.credit_code import check_character
from surveyapp.providers.manage import create_provider
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user


def code(serial: int) -> str:
    """A well-formed credit code (its check character right) for a serial number."""
    first17 = f"91530800MA{serial:07d}"
    return first17 + check_character(first17)


@pytest.fixture
def client_as(app, make_user) -> Callable:
    """``client_as("bureau")`` → a client signed in as a new account of that role (the
    bureau manages catering)."""
    made: dict[str, int] = {}

    def _client(role: str):
        if role not in made:
            sectors = ["catering"] if role == "bureau" else None
            made[role] = make_user(f"{role}-p", role, sectors=sectors)
        client = app.test_client()
        helpers.sign_in_as(app, client, made[role])
        return client

    return _client


def csrf(client, url: str) -> str:
    found = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)
    )
    assert found, f"no CSRF token on {url}"
    return found.group(1)


@pytest.fixture
def add_provider(app) -> Callable[..., int]:
    """``add_provider(1, name=..., sector="catering", district=...)`` → the provider's id,
    stored through the service."""

    def _add(serial: int, *, name: str | None = None, sector: str = "catering",
             district: str = "思茅区", **extra: str) -> int:  # fmt: skip
        values = {"credit_code": code(serial), "registration_no": "", "name": name or f"店{serial}",
                  "sector": sector, "district": district, **extra}  # fmt: skip
        with app.app_context():
            provider = create_provider(db.session, values, "test")
            db.session.commit()
            return provider.id

    return _add


@pytest.fixture
def rate(app) -> Callable[..., None]:
    """``rate(provider_id, [5, 4, 1], sector="catering", days_ago=1)`` stores ratings
    (one device each unless ``devices`` names them; all in one rating ``window``)."""
    counter = iter(range(1, 10**9))

    def _rate(provider_id: int, stars: list[int], *, sector: str = "catering",
              days_ago: float = 1.0, devices: list[str] | None = None,
              at: datetime | None = None,
              window: date = date(2026, 12, 1)) -> None:  # fmt: skip
        when = at or utcnow() - timedelta(days=days_ago)
        rows = [
            {"provider_id": provider_id, "sector": sector, "form_id": f"{sector}-rating",
             "form_version": 1, "answers": bytes([s]), "overall": s,
             "device_hash": devices[i] if devices else f"dev{next(counter)}",
             "window_start": window, "created_at": when}
            for i, s in enumerate(stars)
        ]  # fmt: skip
        with app.app_context():
            db.session.execute(insert(Rating), rows)
            db.session.commit()

    return _rate
