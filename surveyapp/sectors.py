"""The sector catalogue: codes, names (zh/en) and the plans' order — one home.

The life-services plans (生活性服务业 quality plans, 二（一）1-6) list their key
sectors in this order, and every page, export and bulletin shows them in it.  A
questionnaire may name a sector not listed here (a city's own); it sorts after these,
by code, and is called by its questionnaire's title.  Nothing of the application is
imported here, so anything may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["SECTORS", "Sector", "sector", "sector_name", "sector_sort_key", "sorted_sectors"]

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Sector:
    """A sector: ``name_zh`` is the full name of the plans and bulletins (餐饮服务),
    ``short_zh`` the short one of the questionnaire editor (餐饮)."""

    code: str
    name_zh: str
    short_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


#: In the plans' order.
SECTORS: tuple[Sector, ...] = (
    Sector("elderly_care", "健康养老服务", "健康养老", "Elderly care"),
    Sector("domestic", "家政服务", "家政服务", "Domestic services"),
    Sector("catering", "餐饮服务", "餐饮", "Catering"),
    Sector("lodging", "住宿服务", "住宿", "Lodging"),
    Sector("supermarket", "商场超市服务", "商场超市", "Shopping malls and supermarkets"),
    Sector("logistics", "商贸物流服务", "商贸物流", "Commercial logistics"),
)
_BY_CODE = {s.code: s for s in SECTORS}
_ORDER = {s.code: i for i, s in enumerate(SECTORS)}


def sector(code: str) -> Sector | None:
    """The catalogued sector ``code``, or ``None`` for a city's own."""
    return _BY_CODE.get(code)


def sector_name(code: str, lang: str, fallback: str | None = None) -> str:
    """The sector's name in ``lang``; a sector not catalogued is called ``fallback``
    (its questionnaire's title) or its code."""
    found = _BY_CODE.get(code)
    if found is not None:
        return found.name(lang)
    return fallback or code


def sector_sort_key(code: str) -> tuple[int, str]:
    """Catalogued sectors in the plans' order, then the others by code."""
    return _ORDER.get(code, len(SECTORS)), code


def sorted_sectors(codes: Iterable[str]) -> list[str]:
    """``codes`` without repeats, in :func:`sector_sort_key` order."""
    return sorted(set(codes), key=sector_sort_key)
