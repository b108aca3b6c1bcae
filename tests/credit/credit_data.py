"""Data shared by the credit and inspections tests: providers stored directly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from surveyapp.models import Provider
from surveyapp.models.credit import CreditEvent
from surveyapp.providers.credit_code import check_character

AS_OF = date(2026, 12, 6)


def credit_code(n: int) -> str:
    """A well-formed credit code (right check character), different for each ``n``."""
    first17 = f"91530800MA{n:07d}"
    return first17 + check_character(first17)


def add_providers(session, count: int, sector: str = "catering", district: str = "思茅区"):
    """``count`` open providers of ``sector``; their credit codes, in order."""
    codes = []
    for n in range(count):
        code = credit_code(n + 1)
        provider = Provider(credit_code=code, name=f"店{n}", district=district, status="open")
        provider.sectors = [sector]
        session.add(provider)
        codes.append(code)
    session.commit()
    return codes


def provider_id(session, code: str) -> int:
    from sqlalchemy import select

    return session.scalar(select(Provider.id).where(Provider.credit_code == code))


def event(session, code: str, kind: str, on: date, n: int, outcome=None, ended_on=None):
    session.add(
        CreditEvent(
            provider_id=provider_id(session, code), kind=kind, occurred_on=on, source="test",
            external_id=f"e{n}", outcome=outcome, ended_on=ended_on,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )  # fmt: skip
    session.commit()
