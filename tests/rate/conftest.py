"""Fixtures of the rating tests: providers in the registry, the rating page's form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Practitioner, Provider, Rating

#: Valid unified social credit codes (the GB 32100-2015 example, Tencent)
CODES = ("91350100M000100Y43", "9144030071526726XG")


@pytest.fixture
def make_provider(app) -> Callable[..., str]:
    """``make_provider(sectors=["catering"], status="open")`` stores a provider and
    returns its public id (the credit code, or the registration number)."""

    def _make(
        sectors=("catering",),
        status: str = "open",
        credit_code: str | None = CODES[0],
        registration_no: str | None = None,
        name: str = "普洱老街米线店",
    ) -> str:
        with app.app_context():
            provider = Provider(
                credit_code=credit_code,
                registration_no=registration_no,
                name=name,
                district="思茅区",
                status=status,
                service_types=[],
            )
            provider.sectors = list(sectors)
            db.session.add(provider)
            db.session.commit()
            return provider.key

    return _make


@pytest.fixture
def make_practitioner(app) -> Callable[..., int]:
    def _make(provider_key: str, status: str = "active", name: str = "李阿姨") -> int:
        with app.app_context():
            provider = db.session.scalar(
                select(Provider).where(
                    (Provider.credit_code == provider_key)
                    | (Provider.registration_no == provider_key)
                )
            )
            worker = Practitioner(provider_id=provider.id, name=name, status=status)
            db.session.add(worker)
            db.session.commit()
            return worker.id

    return _make


@pytest.fixture
def ratings(app) -> Callable[[], list[Rating]]:
    """Every stored rating, oldest first (detached)."""

    def _all() -> list[Rating]:
        with app.app_context():
            rows = list(db.session.scalars(select(Rating).order_by(Rating.id)))
            db.session.expunge_all()
            return rows

    return _all


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def rate(client) -> Callable[..., object]:
    """``rate(code, stars={"overall": 5, ...}, comment=..., query="")`` opens the rating
    page like a browser, fills it and posts it; returns the POST's response."""

    def _rate(code: str, stars: dict[str, int] | None = None, query: str = "", **extra: str):
        page = client.get(f"/r/{code}{query}")
        assert page.status_code == 200, page.status_code
        html = page.get_data(as_text=True)
        data = {"csrf_token": csrf_of(html), "go": "submit"}
        for name in ("sector", "practitioner"):
            found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
            data[name] = found.group(1) if found else ""
        for item, value in (stars if stars is not None else {"overall": 5}).items():
            data[f"s_{item}"] = str(value)
        data.update(extra)
        return client.post(f"/r/{code}", data=data)

    return _rate
