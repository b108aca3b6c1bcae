"""How stored rounds are analysed: one settings object for every consumer.

The dashboard, the API, the bulletins and ``surveyapp analyze --round`` analyse a
round with the same :class:`AnalysisSettings`, made from the application's
configuration by :func:`settings_from_config` (which reads ``app.config`` only: the
``SURVEYAPP_*`` environment is read once, by :func:`surveyapp.config.load_config`).

Margins: a round an admin uploaded margins for is weighted to those; otherwise to
the configured ``MARGINS_FILE``; otherwise **not at all** (every design weight 1),
and every output says so.  No population structure is ever assumed: the demo's
margins are the demo's only (it uploads them onto its rounds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis import MarginsPolicy

from .margins_file import read_margins

__all__ = [
    "AnalysisSettings",
    "MarginTotals",
    "SettingsError",
    "margins_from_file",
    "settings_from_config",
]

MarginTotals = Mapping[str, Mapping[str, float]]


class SettingsError(ValueError):
    """The configuration cannot be used (e.g. a bad margins file); one line."""


@dataclass(frozen=True)
class AnalysisSettings:
    """How a stored round is analysed.

    ``margins`` are the default population totals (``None``: unweighted), named by
    ``margins_source`` (a file path); a round's own uploaded margins replace them.
    ``pinned_margins`` fixes ``(margins, source)`` for given round ids — a published
    bulletin is re-derived with exactly the margins it was made with, even if a
    round's upload changed since (``None`` margins: unweighted).  ``margins_policy``
    says what happens to margin categories nobody analysed belongs to
    (:mod:`analysis.margins_policy`; ``drop-absent`` so an early round still weights).
    ``strata`` and ``group_by`` are dropped for a round that does not ask them.
    ``pinned_auxiliaries`` does for the district auxiliaries of the small-area
    estimates what ``pinned_margins`` does for the margins (``None`` value: none).
    """

    margins: MarginTotals | None = None
    margins_source: str | None = None
    pinned_margins: Mapping[int, tuple[MarginTotals | None, str | None]] | None = None
    margins_policy: MarginsPolicy = "drop-absent"
    strata: str | None = "district"
    group_by: str = "district"
    min_n: int = 30
    goal: float | None = None
    exclude_flagged: bool = True
    trend_periods: int = 4
    pinned_auxiliaries: Mapping[int, Mapping[str, Mapping[str, float]] | None] | None = None

    def key(self) -> tuple[Any, ...]:
        """What in the settings changes the numbers (margins by their source): part of
        the key a cached analysis is kept under."""
        return (
            self.margins_source,
            self.margins_policy,
            self.strata,
            self.group_by,
            self.min_n,
            self.goal,
            self.exclude_flagged,
        )


def margins_from_file(path: str) -> dict[str, dict[str, float]]:
    """MARGINS.csv in the analysis contract's format, checked as ``surveyapp analyze`` does."""
    try:
        margins = read_margins(path).margins
    except (OSError, ValueError) as exc:
        raise SettingsError(f"margins file: {exc}") from None
    return {v: dict(c) for v, c in margins.totals.items()}


def settings_from_config(config: Mapping[str, Any], **overrides: Any) -> AnalysisSettings:
    """The analysis settings of an application: ``MARGINS_FILE`` (a path, or
    ``margins_file=`` here) read and checked once.  Other keyword arguments override
    fields (``None`` values are ignored)."""
    values: dict[str, Any] = {}
    margins_file = overrides.pop("margins_file", None) or config.get("MARGINS_FILE")
    if margins_file:
        values["margins"] = margins_from_file(str(margins_file))
        values["margins_source"] = str(margins_file)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return AnalysisSettings(**values)
