"""The bulletin's plan-progress section (规划指标进展): each plan's indicators with
their target, deadline, latest value up to the period's end and status.

Plain data in (:class:`PlanProgress`, built by the caller from the record pinned in the
bulletin's inputs), flowables out; the layout helpers (escaped paragraphs, the table
with a repeated header) are the bulletin's own, passed in by :mod:`reports.document`,
so this module draws nothing of its own style.  The status colours follow the summary's
verdict colours: achieved and ahead green, on track blue, behind and missed red, the
rest grey.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from . import fmt
from .fmt import period_label
from .texts import N_, Texts

__all__ = ["STATUS_COLOURS", "PlanProgress", "PlanProgressRow", "plan_progress_flowables"]

#: Status → (text colour, background) in the section's table.
STATUS_COLOURS: dict[str, tuple[colors.Color, colors.Color]] = {
    "achieved": (colors.HexColor("#1e7b34"), colors.HexColor("#dff0e3")),
    "ahead": (colors.HexColor("#1e7b34"), colors.HexColor("#dff0e3")),
    "on_track": (colors.HexColor("#1f4e79"), colors.HexColor("#e4eefb")),
    "behind": (colors.HexColor("#b03a2e"), colors.HexColor("#f8e0dd")),
    "missed": (colors.HexColor("#b03a2e"), colors.HexColor("#f8e0dd")),
}
_GREY = (colors.HexColor("#555555"), colors.HexColor("#eeeeee"))

#: The status words, looked up through the row's status (listed for extraction).
STATUS_TEXTS = {
    "achieved": N_("bplan_status_achieved"),
    "ahead": N_("bplan_status_ahead"),
    "on_track": N_("bplan_status_on_track"),
    "behind": N_("bplan_status_behind"),
    "missed": N_("bplan_status_missed"),
    "no_baseline": N_("bplan_status_no_baseline"),
    "no_data": N_("bplan_status_no_data"),
    "not_computed": N_("bplan_status_not_computed"),
}


@dataclass(frozen=True)
class PlanProgressRow:
    """One indicator as printed: names in the bulletin's language, ``value`` of
    ``value_period`` (``None``: no value), ``status`` a key of :data:`STATUS_TEXTS`."""

    plan: str
    indicator: str
    unit: str
    direction: str
    target: float
    deadline: date
    value: float | None
    value_period: str | None
    status: str
    small_sample: bool = False


@dataclass(frozen=True)
class PlanProgress:
    """The section: the bulletin's ``period``, the day judged, the on-track tolerance
    (percentage points of the baseline-to-target span) and the rows, plan by plan."""

    period: str
    judged_on: date
    tolerance_pp: float
    rows: tuple[PlanProgressRow, ...]


def _number(x: float) -> str:
    """As the plans write it: no trailing zeros (80, 4.5, 178,000)."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text


def plan_progress_flowables(
    section: PlanProgress | None,
    builder: Any,
    width: float,
    para: Callable[..., Any],
    table: Callable[..., Any],
) -> list[Flowable]:
    """The section's flowables (none without a section): a heading, the rule in words,
    then one table per plan.  ``builder`` is the bulletin's: its texts ``t``, styles
    ``s`` (``h1``, ``h2``, ``body``, ``cell``, ``cell_c``, ``small``) and ``font``;
    ``para(text, style, colour=None)`` and ``table(rows, widths, font, extra)`` are its
    layout helpers."""
    if section is None or not section.rows:
        return []
    t: Texts = builder.t
    s, font = builder.s, builder.font
    out: list[Flowable] = [CondPageBreak(60 * mm), para(t("bplan_title"), s.h1)]
    out.append(
        para(
            t(
                "bplan_intro",
                day=t.date(section.judged_on),
                tolerance=_number(section.tolerance_pp),
            ),
            s.body,
        )
    )
    plans: dict[str, list[PlanProgressRow]] = {}
    for row in section.rows:
        plans.setdefault(row.plan, []).append(row)
    widths = [w * width for w in (0.36, 0.17, 0.12, 0.18, 0.17)]
    for plan, rows in plans.items():
        out.append(para(plan, s.h2))
        out.append(_plan_table(rows, t, s, widths, para, table, font))
        out.append(Spacer(1, 2 * mm))
    if any(r.small_sample for r in section.rows):
        out.append(para("* " + t("bplan_small_sample"), s.small))
    out.append(para(t("bplan_note"), s.small))
    return out


def _plan_table(
    rows: Sequence[PlanProgressRow],
    t: Texts,
    s: Any,
    widths: Sequence[float],
    para: Callable[..., Any],
    table: Callable[..., Any],
    font: str,
) -> Any:
    header = [
        para(t(k), s.cell_c)
        for k in (
            N_("bplan_col_indicator"),
            N_("bplan_col_target"),
            N_("bplan_col_deadline"),
            N_("bplan_col_value"),
            N_("bplan_col_status"),
        )
    ]
    cells: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = []
    for n, r in enumerate(rows, start=1):
        fg, bg = STATUS_COLOURS.get(r.status, _GREY)
        sign = "≥" if r.direction == "at_least" else "≤"
        value = fmt.DASH
        if r.value is not None:
            value = f"{_number(r.value)} {r.unit}" + (" *" if r.small_sample else "")
            if r.value_period:
                value += (
                    f"（{period_label(r.value_period, t.lang)}）"
                    if t.lang == "zh"
                    else (f" ({period_label(r.value_period, t.lang)})")
                )
        cells.append(
            [
                para(r.indicator, s.cell),
                para(f"{sign} {_number(r.target)} {r.unit}", s.cell_c),
                para(r.deadline.isoformat(), s.cell_c),
                para(value, s.cell_c),
                para(t(STATUS_TEXTS.get(r.status, "bplan_status_no_data")), s.cell_c, fg),
            ]
        )
        extra.append(("BACKGROUND", (4, n), (4, n), bg))
    return table(cells, widths, font, extra)
