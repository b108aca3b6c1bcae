"""The output of ``surveyapp analyze``: the contract's JSON, or a table for people.

Shared by CSV files and stored rounds: the same result prints the same way.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence

import numpy as np

from analysis import (
    AnalysisResult,
    Change,
    ChangeResult,
    IndexEstimate,
    RateEstimate,
    has_goal,
    verdict_of,
)
from reports.fmt import p_number, p_value
from surveyapp.questionnaire.model import Questionnaire

__all__ = ["render", "render_change", "render_table"]


def render(
    result: AnalysisResult,
    fmt: str,
    questionnaire: Questionnaire | None = None,
    change: ChangeResult | None = None,
) -> str:
    """The result as the contract's JSON document (``change`` as an extra key) or a table."""
    if fmt == "json":
        doc = result.to_dict()
        if change is not None:
            doc["change"] = change.to_dict()
        return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    text = render_table(result, questionnaire)
    if change is not None:
        text += "\n" + render_change(change, questionnaire)
    return text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    widths = [max(_width(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = []
    for r in [header, *rows]:
        lines.append(
            "  ".join(_pad(v, w, a) for v, w, a in zip(r, widths, right, strict=True)).rstrip()
        )
        if r is header:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _f(x: float | None, digits: int = 2) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _ci(ci: tuple[float, float]) -> str:
    return f"{_f(ci[0])}–{_f(ci[1])}"


VERDICTS = {
    "met": "达标 met",
    "not_met": "未达标 not met",
    "inconclusive": "待定 inconclusive",
    "small": "样本不足 small sample",
}


def _verdict(index: IndexEstimate | RateEstimate, small: bool) -> str:
    verdict = verdict_of(index, small)
    if verdict == "small" and not small:
        return "—"  # no goal test (no finite SE), yet enough respondents
    text = VERDICTS[verdict]
    return (
        f"{text} ({p_value(index.p_value)})"
        if verdict != "small" and index.p_value is not None
        else text
    )


def render_table(result: AnalysisResult, questionnaire: Questionnaire | None = None) -> str:
    """A plain-text report with columns aligned for Chinese (double-width) characters."""
    titles: dict[str, str] = {}
    if questionnaire is not None:
        titles = {d.id: d.title.get("zh") for d in questionnaire.dimensions}
        title = f"{questionnaire.title.get('zh')} ({result.questionnaire} v{result.version})"
    else:
        title = f"{result.questionnaire} v{result.version}"
    w = result.weighting
    if w.method == "raking":
        state = "converged 已收敛" if w.converged else "NOT CONVERGED 未收敛"
        weights = f"raking 加权 ({w.iterations} sweeps, {state}"
        if w.source:
            weights += f"; margins 总体结构 {w.source}"
        if w.dropped:
            left = ", ".join(v if c == "*" else f"{v}={c}" for v, c in w.dropped)
            weights += f"; {w.policy}: left out 未加权类别 {left}"
        weights += ")"
    else:
        weights = "none 未加权 (no population margins 未使用总体结构)"
    out = [
        title,
        f"period 期次 {result.period or '—'}   goal 目标 {result.goal:g}   weights 权重 {weights}",
        f"received 收到 {result.n_received}   analysed 有效 {result.n}   "
        f"effective n 有效样本 {_f(result.effective_n, 1)}   deff {_f(result.deff, 3)}"
        + (f"   strata 分层 {result.strata}" if result.strata else ""),
    ]
    if result.quality is not None:
        c = result.quality.counts
        verb = "excluded 已剔除" if result.quality.excluded else "flagged, kept 已标记未剔除"
        out.append(
            f"quality 质量 ({verb}): speeders {c['speeders']}, straight-liners {c['straightliners']}, "
            f"duplicates {c['duplicates']}"
        )
    out.append("")
    head = ["", "estimate 估计", "SE", "95% CI", "n", "verdict 判定"]
    rows = [
        [
            "满意度指数 index",
            _f(result.index.estimate),
            _f(result.index.se),
            _ci(result.index.ci),
            str(result.n),
            _verdict(result.index, result.small_sample),
        ],
        [
            "满意率 satisfaction rate %",
            _f(result.satisfaction_rate.estimate),
            _f(result.satisfaction_rate.se),
            _ci(result.satisfaction_rate.ci),
            str(result.satisfaction_rate.n),
            # judged only against the questionnaire's rate_goal, when it sets one
            _verdict(result.satisfaction_rate, result.small_sample)
            if has_goal(result.satisfaction_rate)
            else "",
        ],
    ]
    for d in result.dimensions:
        label = f"{titles.get(d.id, '')} {d.id}".strip()
        rows.append(["  " + label, _f(d.estimate), _f(d.se), _ci(d.ci), str(d.n), ""])
    out += _grid(head, rows, [False, True, True, True, True, False])
    if result.groups:
        out.append("")
        head = [
            "group 分组",
            "n",
            "index 指数",
            "SE",
            "95% CI",
            "verdict 判定",
            "rate 满意率 %",
            "95% CI",
        ]
        rows = []
        for g in result.groups:
            label = ", ".join(f"{k}={v}" for k, v in g.by.items())
            rows.append(
                [
                    label,
                    str(g.n),
                    _f(g.index.estimate),
                    _f(g.index.se),
                    _ci(g.index.ci),
                    _verdict(g.index, g.small_sample),
                    _f(g.satisfaction_rate.estimate),
                    _ci(g.satisfaction_rate.ci),
                ]
            )
        out += _grid(head, rows, [False, True, True, True, True, False, True, True])
    if result.drivers is not None:
        out.append("")
        out.append(f"drivers 影响因素 (WLS, robust SE, R² = {result.drivers.r_squared:.3f})")
        head = ["dimension 维度", "score 得分", "importance 重要性", "weight 权重", "quadrant 象限"]
        rows = [
            [
                f"{titles.get(d.id, '')} {d.id}".strip(),
                _f(d.score),
                _f(d.importance, 3),
                _f(d.configured_weight, 3),
                ("★ " if d.fix_first else "") + (d.quadrant or "—"),
            ]
            for d in result.drivers.dimensions
        ]
        out += _grid(head, rows, [False, True, True, True, False])
    if result.reliability:
        out.append("")
        parts = [f"{r.dimension} {_f(r.alpha, 3)}" for r in result.reliability]
        out.append("Cronbach's alpha: " + ", ".join(parts))
    return "\n".join(out) + "\n"


def _change_row(label: str, c: Change) -> list[str]:
    flag = "★ significant 显著" if c.significant else ""
    return [label, _f(c.before), _f(c.after), _f(c.change), _f(c.se), _ci(c.ci),
            p_number(c.p_value), flag]  # fmt: skip


def render_change(change: ChangeResult, questionnaire: Questionnaire | None = None) -> str:
    """The change between two periods as a table."""
    titles = {d.id: d.title.get("zh") for d in questionnaire.dimensions} if questionnaire else {}
    head = ["变化 change", str(change.period_before), str(change.period_after), "Δ", "SE",
            "95% CI", "p", ""]  # fmt: skip
    rows = [_change_row("满意度指数 index", change.index),
            _change_row("满意率 satisfaction rate %", change.satisfaction_rate)]  # fmt: skip
    for did, c in change.dimensions.items():
        rows.append(_change_row(f"  {titles.get(did, '')} {did}".rstrip(), c))
    for g in change.groups:
        label = ", ".join(f"{k}={v}" for k, v in g.by.items())
        rows.append(_change_row(f"{label} index", g.index))
    right = [False, True, True, True, True, True, True, False]
    return "\n".join(_grid(head, rows, right)) + "\n"
