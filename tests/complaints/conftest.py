"""Fixtures of the complaints tests: registered providers, drafts and files on the fly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveyapp.complaints import ComplaintDraft, ComplaintSettings
from surveyapp.i18n import CHINA_TZ
from surveyapp.providers.credit_code import check_character

#: A day after every receipt date of these tests (the intake refuses future receipts)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HEADER = (
    "external_id,received_at,channel,credit_code,provider_name,sector,category,description,"
    "amount,complainant_name,complainant_phone,status,accepted_at,closed_at,outcome"
)


def credit_code(n: int) -> str:
    """A well-formed credit code (right check character), different for each ``n``."""
    first17 = f"91530800MA{n:07d}"
    return first17 + check_character(first17)


def china(*args: int) -> datetime:
    """A China-time moment as the UTC instant it is stored as."""
    return datetime(*args, tzinfo=CHINA_TZ).astimezone(UTC)  # type: ignore[misc]


@pytest.fixture
def settings() -> ComplaintSettings:
    return ComplaintSettings()


@pytest.fixture
def make_provider(session) -> Callable[..., int]:
    """``make_provider(1, "普洱茶楼")`` registers a provider and returns its id."""
    from surveyapp.models import Provider

    def _make(n: int = 1, name: str | None = None) -> int:
        provider = Provider(
            credit_code=credit_code(n),
            name=name or f"经营者{n}",
            district="思茅区",
            service_types=[],
            status="open",
        )
        provider.sectors = ["catering"]
        session.add(provider)
        session.commit()
        return provider.id

    return _make


@pytest.fixture
def draft() -> Callable[..., ComplaintDraft]:
    """``draft(external_id="A1", status="closed", ...)``: a good draft, fields overridden."""

    def _make(**fields) -> ComplaintDraft:
        values = {
            "received_at": china(2026, 10, 9, 10, 0),
            "channel": "12315",
            "sector": "catering",
            "category": "价格",
            "description": "标价与结账不一致",
            "external_id": "T-1",
            "provider_name": "某餐馆",
            "complainant_name": "张三丰",
            "complainant_phone": "13812345678",
        }
        values.update(fields)
        return ComplaintDraft(**values)

    return _make


@pytest.fixture
def complaints_csv(tmp_path) -> Callable[..., Path]:
    """``complaints_csv(rows, encoding="utf-8")``: a complaints file of HEADER and ``rows``
    (each a CSV line), written in ``encoding``."""

    def _write(rows: list[str], encoding: str = "utf-8", header: str = HEADER) -> Path:
        path = tmp_path / "complaints.csv"
        path.write_bytes("\n".join([header, *rows, ""]).encode(encoding))
        return path

    return _write
