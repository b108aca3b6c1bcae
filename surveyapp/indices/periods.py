"""Survey periods: ``2026Q3``, ``2026M09``, ``2026H1`` or ``2026``, and the ones before.

A trend and a change both need "the period before"; the dashboard, the bulletins and
the API step back the same way.
"""

from __future__ import annotations

import re

__all__ = ["PERIOD_RE", "PeriodError", "periods_ending", "previous_period"]

PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|M(0[1-9]|1[0-2])|H[12])?$")


class PeriodError(ValueError):
    """Not a period label this module can step back from; one line."""


def previous_period(period: str) -> str:
    """The period before: 2026Q1 → 2025Q4, 2026M01 → 2025M12, 2026H1 → 2025H2, 2026 → 2025."""
    if not PERIOD_RE.match(period):
        raise PeriodError(f"period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026")
    year = int(period[:4])
    if len(period) == 4:
        return str(year - 1)
    kind, n = period[4], int(period[5:])
    if n > 1:
        return f"{year}{kind}{n - 1:02d}" if kind == "M" else f"{year}{kind}{n - 1}"
    last = {"Q": "Q4", "M": "M12", "H": "H2"}[kind]
    return f"{year - 1}{last}"


def periods_ending(period: str, count: int) -> list[str]:
    """Up to ``count`` periods ending with ``period``, oldest first (only ``period``
    itself when its label cannot be stepped back from)."""
    chain = [period]
    try:
        while len(chain) < count:
            chain.insert(0, previous_period(chain[0]))
    except PeriodError:
        pass
    return chain
