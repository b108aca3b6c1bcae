"""The ``surveyapp analyze`` command (analysis contract) and its output formats.

    surveyapp analyze --questionnaire Q.yaml --responses RESPONSES.csv \\
        [--margins MARGINS.csv] [--strata COLUMN] [--by COLUMN[,COLUMN]] [--goal 80] \\
        [--period P] [--min-n 30] [--exclude-flagged] [--format json|table] \\
        [--encoding utf-8|gb18030] [--trim K] [--compare-to PERIOD]

Bad input exits with status 2 and one line on stderr naming file, row and column.
``--by a,b`` groups by the combinations of ``a`` and ``b``; ``--by`` may be repeated
for several groupings.  The engine is :func:`analysis.run`; :func:`render` is shared
with any other source of a result (such as a round stored in the database).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

import click
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import (
    AnalysisResult,
    Change,
    ChangeResult,
    IndexEstimate,
    compare_periods,
    run,
    verdict_of,
)
from surveyapp.csvtable import InputError
from surveyapp.indices import (
    RoundOptions,
    StoredRound,
    analyse_round,
    counted_rounds,
    quality_rules,
)
from surveyapp.indices.margins_file import MarginsFile, check_margins, read_margins
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.csv_layout import ResponsesFile, read_responses, required_columns
from surveyapp.rounds.service import get_round

__all__ = ["analyze", "analyze_files", "render", "render_change", "render_table"]


def _load_questionnaire(path: str) -> Questionnaire:
    from surveyapp.questionnaire import load_questionnaire

    return load_questionnaire(path)


def _period_rows(responses, period: str | None) -> np.ndarray:
    """Positions of the rows of the analysed period (contract, 12)."""
    m = responses.matrix
    if "period" not in m.columns:
        if period is not None:
            raise InputError(
                responses.path,
                "header",
                "period",
                f"no such column (asked for by --period {period})",
            )
        return np.arange(m.n)
    col = m.values("period")
    if period is not None:
        rows = np.flatnonzero(col == period)
        if rows.size == 0:
            known = ", ".join(sorted(set(col.tolist())))
            raise InputError(
                responses.path, None, "period", f"no row of period {period!r} (periods: {known})"
            )
        return rows
    values = sorted(set(col.tolist()))
    if len(values) > 1:
        raise InputError(
            responses.path,
            None,
            "period",
            f"the file holds several periods ({', '.join(values)}); choose one with --period",
        )
    return np.arange(m.n)


def _read(
    questionnaire: Questionnaire,
    responses_path: str,
    margins_path: str | None,
    strata: str | None,
    by: Sequence[Sequence[str]],
    encoding: str,
    trim: float | None,
) -> tuple[ResponsesFile, MarginsFile | None]:
    responses = read_responses(responses_path, questionnaire, encoding=encoding)
    margins = read_margins(margins_path, encoding=encoding) if margins_path else None
    if strata:
        required_columns(responses, [strata], "--strata")
    for names in by:
        required_columns(responses, names, "--by")
    if trim is not None and margins is None:
        raise InputError(responses_path, None, None, "--trim needs --margins to re-rake to")
    return responses, margins


def _analyse(
    questionnaire: Questionnaire,
    responses: ResponsesFile,
    margins: MarginsFile | None,
    period: str | None,
    **options: Any,
) -> AnalysisResult:
    rows = _period_rows(responses, period)
    if margins is not None:
        scored = ~np.isnan(responses.matrix.scores[rows]).all(axis=1)
        check_margins(margins, responses, rows[scored])
    try:
        return run(
            responses.matrix,
            scoring_spec(questionnaire),
            margins=None if margins is None else margins.margins,
            quality=quality_rules(questionnaire, responses.matrix.columns),
            period=period,
            **options,
        )
    except ValueError as exc:
        raise InputError(responses.path, None, None, str(exc)) from None


def analyze_files(
    questionnaire: Questionnaire,
    responses_path: str,
    margins_path: str | None = None,
    *,
    strata: str | None = None,
    by: Sequence[Sequence[str]] = (),
    goal: float | None = None,
    period: str | None = None,
    min_n: int = 30,
    exclude_flagged: bool = False,
    encoding: str = "utf-8",
    trim: float | None = None,
    compare_to: str | None = None,
) -> tuple[AnalysisResult, ChangeResult | None]:
    """Read, check and analyse CSV files; raises :class:`InputError` for bad input.

    With ``compare_to``, that period is analysed too (same margins and options) and the
    change from it to ``period`` (:func:`analysis.compare_periods`) is returned as well.
    """
    responses, margins = _read(
        questionnaire, responses_path, margins_path, strata, by, encoding, trim
    )
    options: dict[str, Any] = {
        "strata": strata,
        "by": [list(b) for b in by],
        "goal": goal,
        "min_n": min_n,
        "exclude_flagged": exclude_flagged,
        "trim": trim,
    }
    if compare_to is not None and period is None:
        raise InputError(responses_path, None, "period", "--compare-to needs --period")
    result = _analyse(questionnaire, responses, margins, period, **options)
    if compare_to is None:
        return result, None
    before = _analyse(questionnaire, responses, margins, compare_to, **options)
    return result, compare_periods(before, result)


# --- output ------------------------------------------------------------------------------


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


def _verdict(index: IndexEstimate, small: bool) -> str:
    verdict = verdict_of(index, small)
    if verdict == "small" and not small:
        return "—"  # no goal test (no finite SE), yet enough respondents
    text = VERDICTS[verdict]
    return (
        f"{text} (p={index.p_value:.2g})"
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
            "",
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
            f"{c.p_value:.2g}" if np.isfinite(c.p_value) else "—", flag]  # fmt: skip


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


# --- the command ---------------------------------------------------------------------------


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _by(values: Sequence[str]) -> list[list[str]]:
    out = []
    for value in values:
        names = [v.strip() for v in value.split(",") if v.strip()]
        if names:
            out.append(names)
    return out


@click.command("analyze")
@click.option(
    "--questionnaire",
    "questionnaire_path",
    default=None,
    metavar="QUESTIONNAIRE.yaml",
    help="The questionnaire the responses answer.",
)
@click.option(
    "--responses",
    "responses_path",
    default=None,
    metavar="RESPONSES.csv",
    help="One row a respondent: respondent_id, district, age_group, gender, period, items.",
)
@click.option(
    "--margins",
    "margins_path",
    default=None,
    metavar="MARGINS.csv",
    help="Population totals to rake to: variable,category,population.",
)
@click.option(
    "--strata", default=None, metavar="COLUMN", help="Strata of the design (default none)."
)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="COLUMN[,COLUMN]",
    help="Group results (combinations of the columns); repeat for several groupings.",
)
@click.option(
    "--goal", type=float, default=None, help="Goal of the index [questionnaire's, else 80]."
)
@click.option(
    "--period", default=None, help="Period to analyse (needed when the file holds several)."
)
@click.option(
    "--min-n",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Fewer respondents make a result a small sample, with no verdict.",
)
@click.option(
    "--exclude-flagged", is_flag=True, help="Leave out speeders, straight-liners and duplicates."
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"], case_sensitive=False),
    default="utf-8",
    show_default=True,
    help="Encoding of the CSV files (a UTF-8 BOM is fine).",
)
@click.option(
    "--trim",
    type=click.FloatRange(min=1, min_open=True),
    default=None,
    metavar="K",
    help="Cap raked weights at K times the median and re-rake.",
)
@click.option(
    "--compare-to",
    "compare_to",
    default=None,
    metavar="PERIOD",
    help="Also analyse PERIOD and report the change from it to --period.",
)
@click.option(
    "--round",
    "round_code",
    default=None,
    metavar="CODE",
    help="Analyse a round stored in the database instead of CSV files "
    "(data-quality exclusions apply unless --include-flagged).",
)
@click.option(
    "--include-flagged",
    is_flag=True,
    help="With --round: keep speeders, straight-liners, duplicates.",
)
def analyze(
    questionnaire_path: str | None,
    responses_path: str | None,
    margins_path: str | None,
    strata: str | None,
    by: tuple[str, ...],
    goal: float | None,
    period: str | None,
    min_n: int,
    exclude_flagged: bool,
    fmt: str,
    encoding: str,
    trim: float | None,
    compare_to: str | None,
    round_code: str | None,
    include_flagged: bool,
) -> None:
    """Satisfaction index, rate and scores from CSV files or a stored round (分析调查数据).

    Prints the analysis contract's JSON (--format json) or a readable table.
    """
    if round_code is not None:
        if questionnaire_path or responses_path:
            _fail("--round analyses a stored round: leave out --questionnaire and --responses")
        _analyze_round(
            round_code,
            margins_path,
            strata,
            by,
            goal,
            min_n,
            include_flagged,
            fmt,
            encoding,
            trim,
            compare_to,
            period,
        )
        return
    if not questionnaire_path or not responses_path:
        _fail("give --questionnaire and --responses (CSV files), or --round CODE")
        return
    try:
        questionnaire = _load_questionnaire(questionnaire_path)
    except OSError as exc:
        _fail(f"{questionnaire_path}: cannot read the file: {exc.strerror or exc}")
        return
    except ValueError as exc:  # QuestionnaireError names file, line and key
        _fail(str(exc).replace("\n", " "))
        return
    try:
        result, change = analyze_files(
            questionnaire,
            responses_path,
            margins_path,
            strata=strata,
            by=_by(by),
            goal=goal,
            period=period,
            min_n=min_n,
            exclude_flagged=exclude_flagged,
            encoding=encoding,
            trim=trim,
            compare_to=compare_to,
        )
    except InputError as exc:
        _fail(str(exc))
        return
    click.echo(render(result, fmt, questionnaire, change), nl=fmt == "json")


def _analyze_round(
    code: str,
    margins_path: str | None,
    strata: str | None,
    by: Sequence[str],
    goal: float | None,
    min_n: int,
    include_flagged: bool,
    fmt: str,
    encoding: str,
    trim: float | None,
    compare_to: str | None,
    period: str | None,
) -> None:
    from surveyapp.cli.base import AppContext

    ctx = click.get_current_context().find_object(AppContext) or AppContext(None)
    try:
        margins = read_margins(margins_path, encoding=encoding).margins if margins_path else None
        options = RoundOptions(
            margins=None if margins is None else margins.totals,
            margins_source=margins_path,
            margins_override=margins is not None,
            strata=strata,
            by=_by(by),
            goal=goal,
            min_n=min_n,
            exclude_flagged=not include_flagged,
            trim=trim,
        )
        with ctx.session() as session:
            questionnaire, result, change = analyze_stored(session, code, options, compare_to)
    except InputError as exc:
        _fail(str(exc))
        return
    if period is not None and period != result.period:
        _fail(f"--period {period}: round {code} is of period {result.period}")
        return
    click.echo(render(result, fmt, questionnaire, change), nl=fmt == "json")


def _stored_result(
    session: Session, round_: Round, options: RoundOptions
) -> tuple[StoredRound, AnalysisResult]:
    """The round analysed by :func:`surveyapp.indices.analyse_round`; no response or a
    refused analysis is an :class:`InputError`; margins left out are named on stderr."""
    stored = analyse_round(session, round_, options)
    if stored.matrix.n == 0:
        raise InputError(f"round {round_.code}", None, None, "has no responses yet")
    if stored.result is None:
        raise InputError(f"round {round_.code}", None, None, stored.error or "not analysable")
    for var, cat in stored.result.weighting.dropped:
        what = var if cat == "*" else f"{var}={cat}"
        click.echo(
            f"note: round {round_.code}: margin {what} has no analysed respondent; "
            "left out of the weighting (drop-absent)",
            err=True,
        )
    return stored, stored.result


def analyze_stored(
    session: Session, code: str, options: RoundOptions, compare_to: str | None = None
) -> tuple[Questionnaire, AnalysisResult, ChangeResult | None]:
    """Analyse round ``code``; with ``compare_to``, also the round that counts for the
    same questionnaire in that period, and the change between them."""
    round_ = get_round(session, code)
    if round_ is None:
        raise InputError("--round", None, None, f"no round with code {code!r}")
    current, result = _stored_result(session, round_, options)
    q = current.questionnaire
    if compare_to is None:
        return q, result, None
    candidates = session.scalars(
        select(Round)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .where(QuestionnaireVersion.qid == q.id, Round.period == compare_to)
    )
    earlier = counted_rounds(candidates).get(q.id)
    if earlier is None:
        raise InputError("--compare-to", None, None, f"no round of {q.id} in period {compare_to}")
    _, before = _stored_result(session, earlier, options)
    return q, result, compare_periods(before, result)
