"""Fixtures of the stored 15-minute circle: communities files and registry providers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.extensions import db


@pytest.fixture(autouse=True)
def _fresh_circle_cache(monkeypatch):
    """Each test starts without kept reports (the cache lives in the process), and the
    data state is read on every request (a test changes the data between two)."""
    from surveyapp.circle import stored
    from surveyapp.circle.stored import clear_cache

    monkeypatch.setattr(stored, "RECHECK_SECONDS", 0.0)
    monkeypatch.setattr(stored, "BACKGROUND_AFTER_SECONDS", float("inf"))
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def write_csv(tmp_path) -> Callable[..., Path]:
    """``write_csv(text, name="c.csv", encoding="utf-8")`` writes a file; its path."""

    def _write(text: str, name: str = "c.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture
def add_provider(app) -> Callable[..., int]:
    """``add_provider(lat, lon, types, status="open", name=...)`` stores a provider."""
    from surveyapp.models import Provider
    from surveyapp.models.base import utcnow

    serial = iter(range(1, 10_000))

    def _add(
        lat: float | None,
        lon: float | None,
        types: list[str],
        status: str = "open",
        name: str | None = None,
        district: str = "思茅区",
    ) -> int:
        n = next(serial)
        with app.app_context():
            row = Provider(
                registration_no=f"REG{n:06d}",
                name=name or f"商户{n}",
                district=district,
                lat=lat,
                lon=lon,
                service_types=types,
                status=status,
                updated_at=utcnow(),
            )
            row.sectors = ["supermarket"]
            db.session.add(row)
            db.session.commit()
            return row.id

    return _add


from tests.auth import helpers  # noqa: E402

app = helpers.app
make_user = helpers.make_user
as_role = helpers.as_role
