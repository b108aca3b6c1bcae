"""``surveyapp analyze`` on CSV files: read, check and analyse (analysis contract).

:mod:`surveyapp.responses.csv_layout` and :mod:`surveyapp.indices.margins_file` turn
RESPONSES.csv and MARGINS.csv into the arrays of :mod:`analysis`; this module checks
them against each other and the command's options and calls :func:`analysis.run`.
Bad input raises :class:`~surveyapp.csvtable.InputError` naming file, row and column.
Margin categories without a respondent are refused (the ``refuse`` policy of
:mod:`analysis.margins_policy`, as R's ``rake`` would), and the result says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from analysis import AnalysisResult, ChangeResult, compare_periods, run
from surveyapp.csvtable import InputError
from surveyapp.indices import quality_rules
from surveyapp.indices.margins_file import MarginsFile, check_margins, read_margins
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.csv_layout import ResponsesFile, read_responses, required_columns

__all__ = ["analyze_files", "load_questionnaire_file"]


def load_questionnaire_file(path: str) -> Questionnaire:
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
    # the text columns are gone: give their memory back before the analysis needs its own
    # (pyarrow's allocator keeps freed pages: 180 MB of a million-row file)
    pa.default_memory_pool().release_unused()
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
        scores = responses.matrix.scores
        if rows.size != scores.shape[0]:  # one period of several (else no copy)
            scores = scores[rows]
        scored = ~np.isnan(scores).all(axis=1)
        check_margins(margins, responses, rows[scored])
        del scores
    try:
        result = run(
            responses.matrix,
            scoring_spec(questionnaire),
            margins=None if margins is None else margins.margins,
            quality=quality_rules(questionnaire, responses.matrix.columns),
            period=period,
            **options,
        )
    except ValueError as exc:
        raise InputError(responses.path, None, None, str(exc)) from None
    if margins is None:
        return result
    # the output names the margins and the policy they were checked with
    weighting = dataclasses.replace(result.weighting, source=margins.path, policy="refuse")
    return dataclasses.replace(result, weighting=weighting)


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
    items: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[AnalysisResult, ChangeResult | None]:
    """Read, check and analyse CSV files; raises :class:`InputError` for bad input.

    With ``compare_to``, that period is analysed too (same margins and options) and the
    change from it to ``period`` (:func:`analysis.compare_periods`) is returned as well.
    ``items=False`` leaves out the item scores (the table does not show them).
    ``progress(steps done, steps)`` is called as the steps end: reading the files,
    analysing the period (and the period compared to).
    """
    steps = 2 if compare_to is None else 3
    report = progress or (lambda done, total: None)
    report(0, steps)
    responses, margins = _read(
        questionnaire, responses_path, margins_path, strata, by, encoding, trim
    )
    report(1, steps)
    options: dict[str, Any] = {
        "strata": strata,
        "by": [list(b) for b in by],
        "goal": goal,
        "min_n": min_n,
        "exclude_flagged": exclude_flagged,
        "trim": trim,
        "items": items,
    }
    if compare_to is not None and period is None:
        raise InputError(responses_path, None, "period", "--compare-to needs --period")
    result = _analyse(questionnaire, responses, margins, period, **options)
    report(2, steps)
    if compare_to is None:
        return result, None
    before = _analyse(questionnaire, responses, margins, compare_to, **options)
    report(3, steps)
    return result, compare_periods(before, result)
