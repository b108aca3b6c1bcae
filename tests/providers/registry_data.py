"""Data shared by the provider registry's tests."""

from __future__ import annotations

from pathlib import Path

#: Real, valid unified social credit codes (published on business licences): the
#: example of GB 32100-2015 itself, Tencent (Shenzhen), Huawei, Alibaba (Hangzhou)
REAL_CODES = ("91350100M000100Y43", "9144030071526726XG", "914403001922038216",
              "91330100716105852F")  # fmt: skip

#: The sample registry of the README (Chinese headers, one GCJ-02 row, one 个体户)
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "providers-sample.csv"

#: An English header with every column
HEADER = "credit_code,registration_no,name,sector,district,address,lat,lon,crs,service_types,status"


def rating(provider_id: int, sector: str, overall: int, at, device: str | None = None):
    """A rating row of ``overall`` stars made at ``at`` (UTC) with ``sector``'s form."""
    from surveyapp.models import Rating

    return Rating(
        provider_id=provider_id,
        sector=sector,
        form_id=f"{sector}-rating",
        form_version=1,
        answers=bytes([overall]),
        overall=overall,
        device_hash=device,
        window_start=at.date(),
        created_at=at,
    )
