"""Number formatting shared by the bulletin and by anyone checking it.

Every number printed in the bulletin goes through these functions, so a test (or a
reader with the JSON) can format an analysis result the same way and find it in the
PDF text.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "change",
    "ci",
    "count",
    "is_number",
    "p_number",
    "p_value",
    "pct",
    "period_label",
    "score",
    "share",
]

DASH = "—"


def is_number(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _fixed(x: float, digits: int, sign: bool = False) -> str:
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    # -0.0 after rounding reads as a fall that is not there
    if float(text) == 0.0:
        text = f"{0.0:+.{digits}f}" if sign else f"{0.0:.{digits}f}"
    return text


def score(x: float | None, digits: int = 1) -> str:
    """An index or score on 0-100: ``82.3``."""
    return _fixed(x, digits) if x is not None and is_number(x) else DASH


def pct(x: float | None, digits: int = 1) -> str:
    """A rate already in percent: ``86.0%``."""
    return f"{_fixed(x, digits)}%" if x is not None and is_number(x) else DASH


def ci(interval: tuple[float, float] | None, digits: int = 1) -> str:
    """A 95% interval: ``[81.4, 83.3]``."""
    if interval is None or not (is_number(interval[0]) and is_number(interval[1])):
        return DASH
    return f"[{_fixed(interval[0], digits)}, {_fixed(interval[1], digits)}]"


def change(x: float | None, digits: int = 1) -> str:
    """A signed change: ``+1.2``, ``-0.4``."""
    return _fixed(x, digits, sign=True) if x is not None and is_number(x) else DASH


def share(x: float | None, digits: int = 2) -> str:
    """A share in 0-1 (importance, weight): ``0.25``."""
    return _fixed(x, digits) if x is not None and is_number(x) else DASH


def p_number(p: float | None, digits: int = 3) -> str:
    """A p-value alone: ``0.012``, or ``< 0.001`` below the last digit shown.

    The one rule for p-values on every page, download and bulletin: rounded to three
    decimals a very clear result would read ``0.000``, which looks like "impossible"
    rather than "very small".
    """
    if p is None or not is_number(p):
        return DASH
    floor = 10.0**-digits
    if p < floor:
        return f"< {floor:.{digits}f}"
    return _fixed(min(p, 1.0), digits)


def p_value(p: float | None, digits: int = 3) -> str:
    """A p-value as a statement: ``p = 0.012``, ``p < 0.001`` (see :func:`p_number`)."""
    number = p_number(p, digits)
    if number == DASH:
        return DASH
    return f"p {number}" if number.startswith("<") else f"p = {number}"


def count(n: int | float | None) -> str:
    """A count with thousands separators: ``1,243``."""
    if n is None or not is_number(float(n)):
        return DASH
    return f"{int(round(n)):,}"


def period_label(period: str, lang: str) -> str:
    """``2026Q3`` → 2026年第三季度 / 2026 Q3; months, halves and years alike."""
    m = re.fullmatch(r"(\d{4})(?:(Q)([1-4])|(M)(\d{2})|(H)([12]))?", period)
    if not m:
        return period
    year = m.group(1)
    if lang == "en":
        if m.group(2):
            return f"{year} Q{m.group(3)}"
        if m.group(4):
            return f"{year}-{m.group(5)}"
        if m.group(6):
            return f"{year} H{m.group(7)}"
        return year
    if m.group(2):
        return f"{year}年第{'一二三四'[int(m.group(3)) - 1]}季度"
    if m.group(4):
        return f"{year}年{int(m.group(5))}月"
    if m.group(6):
        return f"{year}年{'上下'[int(m.group(7)) - 1]}半年"
    return f"{year}年"
