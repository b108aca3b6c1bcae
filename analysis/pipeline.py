"""``run()``: from a response matrix and a scoring spec to one :class:`AnalysisResult`.

Order of work (analysis contract):

1. select the period (``period``, or the single period in the data);
2. apply the data-quality rules and, if asked, leave flagged responses out;
3. score respondents; those with no index are left out (``n_received`` counts them);
4. weight (raking to ``margins``, optionally trimmed) over the analysed respondents;
5. estimate index, satisfaction rate, dimension and item scores for the whole sample
   and every group, with linearised SEs for the stratified design;
6. goal test, small-sample flags, reliability and drivers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .drivers import DriversResult
from .drivers import drivers as fit_drivers
from .estimate import (
    Design,
    DomainEstimates,
    Grouping,
    domain_means,
    logit_interval,
    normal_interval,
)
from .goal import goal_test
from .matrix import Categorical, ResponseMatrix, factorize
from .quality import QualityRules, flag_responses
from .reliability import Reliability
from .reliability import reliability as dimension_reliability
from .result import (
    AnalysisResult,
    GroupResult,
    IndexEstimate,
    QualityReport,
    RateEstimate,
    ScoreEstimate,
    WeightsInfo,
)
from .scoring import check_scores, item_score, overall_score, satisfied, score_respondents
from .spec import ScoringSpec
from .weighting import Margins, kish, rake, trim_and_rake

__all__ = ["Prepared", "prepare", "run"]

PERIOD_COLUMN = "period"

By = str | Sequence[str] | Sequence[str | Sequence[str]]


def _groupings(by: By) -> tuple[tuple[str, ...], ...]:
    """``"a"`` or ``["a", "b"]`` → one (crossed) grouping; ``[["a"], ["b"]]`` → two."""
    if isinstance(by, str):
        return ((by,),) if by else ()
    items = list(by)
    if not items:
        return ()
    if all(isinstance(x, str) for x in items):
        return (tuple(str(x) for x in items),)
    return tuple((x,) if isinstance(x, str) else tuple(x) for x in items)


def _select_period(matrix: ResponseMatrix, period: str | None) -> tuple[ResponseMatrix, str | None]:
    if PERIOD_COLUMN not in matrix.columns:
        if period is not None:
            raise ValueError(
                f"period {period!r} asked for, but the responses have no period column"
            )
        return matrix, None
    codes, levels = factorize(matrix.columns[PERIOD_COLUMN])
    if period is not None:
        if period not in levels:
            known = ", ".join(levels) or "none"
            raise ValueError(f"no response of period {period!r} (periods in the data: {known})")
        if len(levels) == 1:
            return matrix, period
        return matrix.take(codes == levels.index(period)), period
    if len(levels) > 1:
        raise ValueError(f"the responses hold several periods ({', '.join(levels)}); choose one")
    if not levels or levels[0] == "":
        return matrix, None
    return matrix, levels[0]


@dataclass(frozen=True)
class Prepared:
    """Steps 1-3 of :func:`run` done once: the period's responses, their quality flags
    and every respondent's scores.

    ``analysed`` marks the respondents the estimates use (an index, and not excluded
    by the quality rules).  A caller that needs them *before* :func:`run` (to weight
    only to margin categories the analysed respondents cover) makes this with
    :func:`prepare` and hands it to ``run(prepared=...)``, instead of flagging and
    scoring every response twice.  The inputs it was made from are kept so that
    :func:`run` can refuse a ``Prepared`` of other inputs.
    """

    matrix: ResponseMatrix
    period: str | None
    report: QualityReport | None
    dimensions: NDArray[np.float64]
    index: NDArray[np.float64]
    analysed: NDArray[np.bool_]
    source: ResponseMatrix = field(repr=False)
    spec: ScoringSpec = field(repr=False)
    quality: QualityRules | None = None
    exclude_flagged: bool = False
    asked_period: str | None = None

    def made_from(
        self,
        matrix: ResponseMatrix,
        spec: ScoringSpec,
        quality: QualityRules | None,
        exclude_flagged: bool,
        period: str | None,
    ) -> bool:
        """Whether this was prepared from exactly these inputs (the same matrix object)."""
        return (
            self.source is matrix
            and self.spec == spec
            and self.quality == quality
            and self.exclude_flagged == exclude_flagged
            and self.asked_period == period
        )


def _prepare(
    matrix: ResponseMatrix,
    spec: ScoringSpec,
    quality: QualityRules | None,
    exclude_flagged: bool,
    period: str | None,
) -> Prepared:
    """Steps 1-3 of :func:`run` on scores already checked."""
    source, asked = matrix, period
    matrix, period = _select_period(matrix, period)

    report: QualityReport | None = None
    excluded = np.zeros(matrix.n, dtype=bool)
    if quality is not None or exclude_flagged:
        rules = quality or QualityRules()
        flags = flag_responses(matrix, rules)
        if exclude_flagged:
            excluded = flags.any
        med = flags.median_duration
        report = QualityReport(
            rules,
            exclude_flagged,
            flags.counts(),
            int(excluded.sum()),
            None if np.isnan(med) else med,
        )

    dims_all, index_all = score_respondents(matrix.scores, spec)
    analysed = ~np.isnan(index_all) & ~excluded
    return Prepared(
        matrix, period, report, dims_all, index_all, analysed,
        source, spec, quality, exclude_flagged, asked,
    )  # fmt: skip


def prepare(
    matrix: ResponseMatrix,
    spec: ScoringSpec,
    *,
    quality: QualityRules | None = None,
    exclude_flagged: bool = False,
    period: str | None = None,
) -> Prepared:
    """Select the period, apply the quality rules and score every respondent (steps 1-3
    of :func:`run`, with the same arguments), for ``run(..., prepared=...)``.

    Raises
    ------
    ValueError
        Scores outside the scale, or a period that is not in the data.
    """
    check_scores(matrix.scores, matrix.overall, spec)
    return _prepare(matrix, spec, quality, exclude_flagged, period)


def _quantities(
    matrix: ResponseMatrix,
    spec: ScoringSpec,
    rows: NDArray[np.intp] | None,
    index: NDArray[np.float64],
    dims: NDArray[np.float64],
    with_items: bool,
) -> Iterator[NDArray[np.float64]]:
    """The quantities to estimate, one column at a time: index, rate, dimensions, items.

    The rate is estimated as a share of 1 (and put back in percent by :func:`_rate`):
    the weighted sum of ones over a group where everyone is satisfied is then the very
    sum of the weights, so the share is exactly 1 with an SE of exactly 0, not
    ``100.00000000000001`` with an SE of 1e-15.
    """
    yield index
    overall = matrix.overall if rows is None else matrix.overall[rows]
    yield satisfied(overall, spec) / 100.0
    for d in range(dims.shape[1]):
        yield dims[:, d]
    if with_items:
        scores = matrix.scores if rows is None else matrix.scores[rows]
        for j in range(len(spec.items)):
            yield item_score(scores, spec, j)


def _estimate(
    columns: Iterator[NDArray[np.float64]], design: Design, groupings: Sequence[Grouping]
) -> list[DomainEstimates]:
    parts: list[list[DomainEstimates]] = [[] for _ in groupings]
    for col in columns:
        for k, grouping in enumerate(groupings):
            parts[k].append(domain_means(col, design, grouping))
    out = []
    for chunks in parts:
        out.append(
            DomainEstimates(
                *(
                    np.concatenate([getattr(c, f) for c in chunks], axis=1)
                    for f in ("estimate", "se", "n", "df", "weight_sum")
                )
            )
        )
    return out


def _score(est: DomainEstimates, g: int, j: int, **kw: Any) -> ScoreEstimate:
    e, s = float(est.estimate[g, j]), float(est.se[g, j])
    lo, hi = normal_interval(e, s)
    return ScoreEstimate(e, s, (float(lo), float(hi)), int(est.n[g, j]), **kw)


def _index(est: DomainEstimates, g: int, goal: float, small: bool) -> IndexEstimate:
    e, s = float(est.estimate[g, 0]), float(est.se[g, 0])
    lo, hi = normal_interval(e, s)
    status, p = goal_test(e, s, goal)
    return IndexEstimate(
        e,
        s,
        (float(lo), float(hi)),
        int(est.n[g, 0]),
        goal_status=None if small else status,
        p_value=p,
    )


def _rate(est: DomainEstimates, g: int, goal: float | None, small: bool) -> RateEstimate:
    """The satisfaction rate in percent, within [0, 100], its interval holding it, and
    its goal test when the rate has a goal."""
    share, s, df = float(est.estimate[g, 1]), float(est.se[g, 1]), int(est.df[g, 1])
    e = min(max(share, 0.0), 1.0) * 100.0 if math.isfinite(share) else share
    s *= 100.0
    lo, hi = logit_interval(e, s, df)
    status, p = (None, None) if goal is None else goal_test(e, s, goal)
    return RateEstimate(
        e,
        s,
        (float(lo), float(hi)),
        int(est.n[g, 1]),
        df=df,
        goal=goal,
        goal_status=None if small else status,
        p_value=p,
    )


def run(
    matrix: ResponseMatrix,
    spec: ScoringSpec,
    *,
    margins: Margins | None = None,
    strata: str | None = None,
    by: By = (),
    goal: float | None = None,
    min_n: int = 30,
    quality: QualityRules | None = None,
    exclude_flagged: bool = False,
    period: str | None = None,
    trim: float | None = None,
    items: bool = True,
    drivers: bool = True,
    reliability: bool = True,
    prepared: Prepared | None = None,
) -> AnalysisResult:
    """Analyse the responses of one questionnaire and period.

    Parameters
    ----------
    matrix : ResponseMatrix
        The responses; ``matrix.scores`` columns in ``spec.items`` order.
    spec : ScoringSpec
    margins : Margins, optional
        Population totals; weights are raked to them (else every weight is 1).
    strata : str, optional
        Column of the strata of the design (default: one stratum).
    by : str, sequence of str, or sequence of sequences
        Grouping columns: one name or a list of names is one grouping (the
        combinations of the values, like ``svyby(~a + b)``); a list of lists gives
        several groupings, reported one after the other.
    goal : float, optional
        Goal of the index (default ``spec.goal``).  The satisfaction rate is judged
        against ``spec.rate_goal`` when it is set, by the same test.
    min_n : int
        Fewer analysed respondents than this makes a result ``small_sample``.
    quality : QualityRules, optional
        Data-quality rules to apply and report (default: none, unless
        ``exclude_flagged``, which applies the default rules).
    exclude_flagged : bool
        Leave responses flagged by the rules (or in ``matrix.flags``) out.
    period : str, optional
        The period to analyse; by default the data must hold a single period.
    trim : float, optional
        Cap the raked weights at ``trim`` times their median and re-rake.
    items, drivers, reliability : bool
        Also estimate item scores, fit the driver regression, compute alpha.
    prepared : Prepared, optional
        What :func:`prepare` returned for this ``matrix``, ``spec``, ``quality``,
        ``exclude_flagged`` and ``period``: steps 1-3 are taken from it, not redone.

    Returns
    -------
    AnalysisResult

    Raises
    ------
    ValueError
        Inconsistent inputs, with a message naming the cause.
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, not {min_n}")
    if trim is not None and margins is None:
        raise ValueError("trimming needs margins to re-rake to")
    if prepared is None:
        check_scores(matrix.scores, matrix.overall, spec)
    elif not prepared.made_from(matrix, spec, quality, exclude_flagged, period):
        raise ValueError(
            "prepared was made from other responses, spec, quality rules or period "
            "than run() is given: call prepare() with the same arguments"
        )
    goal_value = spec.goal if goal is None else float(goal)
    groupings_spec = _groupings(by)
    for names in groupings_spec:
        for name in names:
            matrix.column(name)
    if strata is not None:
        matrix.column(strata)

    if prepared is None:
        prepared = _prepare(matrix, spec, quality, exclude_flagged, period)
    matrix, period, report = prepared.matrix, prepared.period, prepared.report
    n_received = matrix.n
    dims_all, index_all, analysed = prepared.dimensions, prepared.index, prepared.analysed
    rows: NDArray[np.intp] | None = None
    if not analysed.all():
        rows = np.flatnonzero(analysed)
    n = int(analysed.sum())
    if n == 0:
        raise ValueError("no respondent answered any rating item: nothing to analyse")

    def sub(a: NDArray[Any]) -> NDArray[Any]:
        return a if rows is None else a[rows]

    index = sub(index_all)
    dims = sub(dims_all)
    del dims_all, index_all

    coded: dict[str, Categorical] = {}

    def column(name: str) -> Categorical:
        """A column of the analysed respondents, coded once."""
        if name not in coded:
            codes, levels = factorize(matrix.column(name), matrix.levels.get(name))
            coded[name] = Categorical(codes, levels).take(rows)
        return coded[name]

    if margins is not None:
        cols = {v: column(v) for v in margins.variables}
        raked = rake(cols, margins) if trim is None else trim_and_rake(cols, margins, trim)
        w = raked.weights
        weighting = WeightsInfo(
            "raking",
            raked.iterations,
            raked.converged,
            margins.variables,
            raked.max_relative_error,
            margins.population,
            raked.trim,
            raked.trim_rounds,
            raked.trimmed,
            float(w.min()),
            float(w.max()),
            raked.max_weight_ratio,
        )
    else:
        w = np.ones(n)
        weighting = WeightsInfo("none")
    design = Design.create(w, None if strata is None else column(strata))
    deff, eff_n = kish(w)

    sub_columns = {name: column(name) for names in groupings_spec for name in names}
    groupings = [Grouping.whole(n)] + [
        Grouping.by(sub_columns, names, matrix.levels) for names in groupings_spec
    ]
    estimates = _estimate(_quantities(matrix, spec, rows, index, dims, items), design, groupings)
    D = len(spec.dimensions)

    def scores_of(
        est: DomainEstimates, g: int
    ) -> tuple[tuple[ScoreEstimate, ...], tuple[ScoreEstimate, ...]]:
        dimensions = tuple(_score(est, g, 2 + d, id=spec.dimensions[d].id) for d in range(D))
        item_list: tuple[ScoreEstimate, ...] = ()
        if items:
            item_list = tuple(
                _score(est, g, 2 + D + j, id=it.id, dimension=it.dimension)
                for j, it in enumerate(spec.items)
            )
        return dimensions, item_list

    whole = estimates[0]
    small = n < min_n
    dimensions, item_list = scores_of(whole, 0)
    groups: list[GroupResult] = []
    for grouping, est in zip(groupings[1:], estimates[1:], strict=True):
        G = grouping.n_groups
        gn = np.bincount(grouping.codes, minlength=G)
        w1 = np.bincount(grouping.codes, weights=w, minlength=G)
        w2 = np.bincount(grouping.codes, weights=w * w, minlength=G)
        for g in range(G):
            g_small = bool(gn[g] < min_n)
            gdeff = float(gn[g] * w2[g] / (w1[g] * w1[g]))
            gd, gi = scores_of(est, g)
            groups.append(
                GroupResult(
                    by=grouping.label(g),
                    n=int(gn[g]),
                    small_sample=g_small,
                    index=_index(est, g, goal_value, g_small),
                    satisfaction_rate=_rate(est, g, spec.rate_goal, g_small),
                    dimensions=gd,
                    items=gi,
                    deff=gdeff,
                    effective_n=float(gn[g] / gdeff),
                    population=float(w1[g]),
                )
            )

    rel: tuple[Reliability, ...] = ()
    if reliability:
        rel = dimension_reliability(matrix.scores, spec, rows)
    drv: DriversResult | None = None
    if drivers:
        drv = fit_drivers(
            overall_score(sub(matrix.overall), spec),
            dims,
            w,
            spec.dimension_ids,
            [d.weight for d in spec.dimensions],
            [d.estimate for d in dimensions],
        )

    return AnalysisResult(
        questionnaire=spec.id,
        version=spec.version,
        period=period,
        goal=goal_value,
        n_received=n_received,
        n=n,
        effective_n=eff_n,
        deff=deff,
        small_sample=small,
        min_n=min_n,
        weighting=weighting,
        index=_index(whole, 0, goal_value, small),
        satisfaction_rate=_rate(whole, 0, spec.rate_goal, small),
        dimensions=dimensions,
        items=item_list,
        groups=tuple(groups),
        by=tuple(name for names in groupings_spec for name in names),
        strata=strata,
        quality=report,
        reliability=rel,
        drivers=drv,
        rate_goal=spec.rate_goal,
        weights=w,
        respondent_ids=sub(matrix.respondent_ids),
    )
