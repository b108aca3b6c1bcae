"""The complaint rules a city sets: deadlines, categories, publicity, retention, calendar.

Read once from the application's configuration (:mod:`surveyapp.config`, the only
reader of ``SURVEYAPP_*`` variables) into a frozen :class:`ComplaintSettings` that the
service functions take as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from surveyapp.models.complaint import COMPLAINT_OUTCOMES
from surveyapp.workdays import WorkCalendar, default_calendar, load_calendar

__all__ = ["DEFAULT_CATEGORIES", "ComplaintSettings"]

#: The market regulator's usual complaint categories (``SURVEYAPP_COMPLAINT_CATEGORIES``)
DEFAULT_CATEGORIES = (
    "价格",
    "商品质量",
    "服务态度",
    "食品安全",
    "虚假宣传",
    "合同",
    "预付卡",
    "其他",
)
_CATEGORY_MAX = 32  # the model's column


def _words(value: Any) -> tuple[str, ...]:
    """A comma-separated setting (or a sequence) as a tuple of non-empty words."""
    parts = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
    return tuple(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True)
class ComplaintSettings:
    """Working days to decide acceptance (after the day of receipt) and to close a case
    (after the day of acceptance); days after a case ends before the complainant's name
    and phone are cleared; the categories; the outcomes publicity counts; an
    administrator's folder of calendar files (``None``: the shipped calendar only)."""

    accept_days: int = 7
    close_days: int = 45
    retention_days: int = 180
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    publish_outcomes: tuple[str, ...] = ("和解成功", "未达成和解")
    holidays_dir: str | None = None

    def __post_init__(self) -> None:
        for name in ("accept_days", "close_days", "retention_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"complaint setting {name} must be 0 or more")
        if not self.categories:
            raise ValueError("COMPLAINT_CATEGORIES names no category")
        long = [c for c in self.categories if len(c) > _CATEGORY_MAX]
        if long:
            raise ValueError(f"COMPLAINT_CATEGORIES: {long[0]!r} is longer than {_CATEGORY_MAX}")
        unknown = [o for o in self.publish_outcomes if o not in COMPLAINT_OUTCOMES]
        if unknown or not self.publish_outcomes:
            raise ValueError(
                f"COMPLAINT_PUBLISH_OUTCOMES: {', '.join(unknown) or 'empty'}; "
                f"choose among {', '.join(COMPLAINT_OUTCOMES)}"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ComplaintSettings:
        """The settings of an application's ``config`` (missing keys: the defaults).

        Memoised by the values read: a web or API complaint reads its settings once per
        process, not parsed and checked again per request; a changed value is read anew.
        """
        values = (config.get(name) for name in _CONFIG_KEYS)
        return _read(tuple(tuple(v) if isinstance(v, list) else v for v in values))

    @classmethod
    def _from(cls, config: Mapping[str, Any]) -> ComplaintSettings:
        base = cls()
        return cls(
            accept_days=int(config.get("COMPLAINT_ACCEPT_DAYS", base.accept_days)),
            close_days=int(config.get("COMPLAINT_CLOSE_DAYS", base.close_days)),
            retention_days=int(config.get("COMPLAINT_PII_RETENTION_DAYS", base.retention_days)),
            categories=_words(config.get("COMPLAINT_CATEGORIES") or base.categories),
            publish_outcomes=_words(
                config.get("COMPLAINT_PUBLISH_OUTCOMES") or base.publish_outcomes
            ),
            holidays_dir=config.get("HOLIDAYS_DIR") or None,
        )

    def calendar(self) -> WorkCalendar:
        """The shipped calendar, with the administrator's files over it per year."""
        return load_calendar(self.holidays_dir) if self.holidays_dir else default_calendar()


#: the configuration keys :meth:`ComplaintSettings.from_config` reads
_CONFIG_KEYS = (
    "COMPLAINT_ACCEPT_DAYS",
    "COMPLAINT_CLOSE_DAYS",
    "COMPLAINT_PII_RETENTION_DAYS",
    "COMPLAINT_CATEGORIES",
    "COMPLAINT_PUBLISH_OUTCOMES",
    "HOLIDAYS_DIR",
)


@lru_cache(maxsize=32)  # tests make many apps; a server one
def _read(values: tuple[Any, ...]) -> ComplaintSettings:
    """The settings of the values of :data:`_CONFIG_KEYS` (``None``: not set)."""
    given = {k: v for k, v in zip(_CONFIG_KEYS, values, strict=True) if v is not None}
    return ComplaintSettings._from(given)
