"""What the dashboard shows: per visible sector, the cached analysis of its round.

Every number comes from :func:`surveyapp.indices.serve_round` (the same analysis,
with the same options, as the published bulletin and the API), kept per process in
an :class:`~surveyapp.indices.AnalysisCache`; trends, changes and verdicts are
:mod:`analysis`'s own rules.  Wording stays in the templates; this module returns
ids, labels from the questionnaire and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select

import analysis
from analysis import (
    Change,
    DriversResult,
    IndexEstimate,
    RateEstimate,
    ScoreEstimate,
    TrendPoint,
    Verdict,
    verdict_of,
)
from reports import fmt
from surveyapp.i18n import N_
from surveyapp.indices import (
    AnalysisCache,
    AnalysisSettings,
    DistrictEstimate,
    RoundAnalysis,
    SmallAreaResult,
    change_between,
    counted_rounds,
    periods_ending,
    rounds_beside,
    rounds_with_responses,
    serve_round,
)
from surveyapp.models import Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.user import User
from surveyapp.plans.catalogue import Plan
from surveyapp.plans.targets import PlanTargetVerdict, plan_target_verdicts
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.rounds.dates import first_day, last_day
from surveyapp.sectors import sector_name, sector_sort_key

__all__ = [
    "Dashboard",
    "DashboardError",
    "build_dashboard",
    "visible_periods",
]


class DashboardError(LookupError):
    """A filter names something that does not exist (404) or may not be seen (403).

    ``key`` and ``params`` name the text (:mod:`surveyapp.dashboard.texts`) that the
    error page shows in Chinese and in English.
    """

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.status = status
        self.key = key
        self.params = params


# --- the page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictRow:
    district: str
    label: str
    received: int
    target: int | None
    n: int
    estimate: IndexEstimate | None
    small_sample: bool
    verdict: Verdict
    rate: RateEstimate | None = None
    rate_verdict: Verdict | None = None  # None: the rate has no goal
    # 模型估计: the small-area (Fay–Herriot) estimate, with uploaded auxiliaries only;
    # no verdict of its own
    model: DistrictEstimate | None = None

    @property
    def progress(self) -> float | None:
        """Responses received as a percentage of the target (``None``: no target)."""
        return 100.0 * self.received / self.target if self.target else None


@dataclass(frozen=True)
class DimensionRow:
    id: str
    label: str
    estimate: ScoreEstimate


@dataclass(frozen=True)
class IpaRow:
    """A dimension in the importance-performance matrix; ``number`` is its place in the
    priority order (the label of its dot in the chart)."""

    number: int
    id: str
    label: str
    importance: float
    score: float
    quadrant: str | None
    fix_first: bool


@dataclass(frozen=True)
class Ipa:
    """The sector's importance-performance matrix, from :attr:`AnalysisResult.drivers`
    (the whole round: the drivers regression is not fitted per district)."""

    rows: tuple[IpaRow, ...]
    mean_importance: float
    mean_score: float
    n: int

    @property
    def fix_first(self) -> tuple[IpaRow, ...]:
        return tuple(r for r in self.rows if r.fix_first)


def ipa_of(drivers: DriversResult | None, labels: dict[str, str]) -> Ipa | None:
    """The matrix in the analysis' own classification and priority order
    (:meth:`DriversResult.by_priority`, as in the bulletin); ``None`` without drivers."""
    if drivers is None:
        return None
    rows = tuple(
        IpaRow(i, d.id, labels.get(d.id, d.id), d.importance, d.score, d.quadrant, d.fix_first)
        for i, d in enumerate(drivers.by_priority(), start=1)
    )
    return Ipa(rows, drivers.mean_importance, drivers.mean_score, drivers.n)


@dataclass(frozen=True)
class SectorView:
    sector: str
    qid: str
    title: str
    round_code: str
    goal: float
    n_received: int
    n: int
    estimate: IndexEstimate | None
    small_sample: bool
    verdict: Verdict
    change: Change | None
    previous_period: str
    trend: tuple[TrendPoint, ...]
    districts: tuple[DistrictRow, ...]
    dimensions: tuple[DimensionRow, ...]
    quality_counts: dict[str, int]
    n_excluded: int
    error: str | None
    ipa: Ipa | None = None
    as_of: datetime | None = None  # when the round's responses were read (n_received)
    stale: bool = False  # some number of the card is being recomputed in the background
    weighted: bool = True  # False: no population margins, every respondent weighs 1
    # a round shown beside the one that counts (a parallel sample, other districts, an
    # earlier run with responses: surveyapp.indices.rounds), never instead of it
    beside: bool = False
    parallel: bool = False  # the round is marked as a parallel sample
    rate: RateEstimate | None = None  # the satisfaction rate, percent
    rate_goal: float | None = None  # the questionnaire's rate_goal (None: no goal)
    rate_verdict: Verdict | None = None  # the rate against rate_goal (None: no goal)
    small_area: SmallAreaResult | None = None  # the fit, with uploaded auxiliaries only
    small_area_error: str | None = None  # auxiliaries uploaded, but no model could be fitted
    # the plans' own satisfaction targets for the sector, each judged by the same rule
    # as the configured goal (surveyapp.plans.targets); empty when no plan binds it
    plan_targets: tuple[PlanTargetVerdict, ...] = ()

    @property
    def key(self) -> str:
        """What names the card on the page (element ids, charts): the questionnaire
        id, and the round's code for a round shown beside another."""
        return f"{self.qid}--{self.round_code}" if self.beside else self.qid


@dataclass(frozen=True)
class ScheduledRound:
    """A round that is not open yet: listed apart, never the dashboard's default."""

    code: str
    sector: str
    title: str
    period: str
    opens_on: date  # China days, the closing day inclusive (surveyapp.rounds.dates)
    closes_on: date
    parallel: bool


@dataclass(frozen=True)
class Dashboard:
    periods: tuple[str, ...]
    period: str | None
    sectors: tuple[tuple[str, str], ...]  # (sector, label) the user may choose
    sector: str | None
    districts: tuple[tuple[str, str], ...]  # (value, label) of the period's rounds
    district: str | None
    cards: tuple[SectorView, ...] = field(default_factory=tuple)
    scheduled: tuple[ScheduledRound, ...] = ()  # not open yet, of the chosen sector(s)


def sector_label(sector: str, q: Questionnaire | None, lang: str) -> str:
    return sector_name(sector, lang, q.title.get(lang) if q is not None else None)


def _visible_rounds(session: DbSession, user: User) -> list[Round]:
    """The rounds of the user's sectors, archived rounds left out."""
    stmt = select(Round).where(Round.archived_at.is_(None)).order_by(Round.id)
    return [r for r in session.scalars(stmt) if user.may_see_sector(r.questionnaire_version.sector)]


def _default_period(session: DbSession, rounds: list[Round], now: datetime) -> str | None:
    """The newest period with responses; without any, the newest with a round already
    open (or closed); without that, the newest.  A round prepared for next quarter does
    not empty the page."""
    with_data = rounds_with_responses(session, (r.id for r in rounds))
    for pick in (
        lambda r: r.id in with_data,
        lambda r: r.state(now) != "not_open",
        lambda r: True,
    ):
        periods = [r.period for r in rounds if pick(r)]
        if periods:
            return max(periods)
    return None


def _scheduled(rounds: list[Round], now: datetime, lang: str) -> tuple[ScheduledRound, ...]:
    out = []
    for r in rounds:
        if r.state(now) != "not_open":
            continue
        v = r.questionnaire_version
        out.append(
            ScheduledRound(
                code=r.code,
                sector=v.sector,
                title=sector_label(v.sector, None, lang),
                period=r.period,
                opens_on=first_day(r.opens_at),
                closes_on=last_day(r.closes_at),
                parallel=r.parallel,
            )
        )
    out.sort(key=lambda s: (s.opens_on, sector_sort_key(s.sector), s.code))
    return tuple(out)


def visible_periods(session: DbSession, user: User) -> list[str]:
    """Periods with at least one round the user may see, newest first."""
    return sorted({r.period for r in _visible_rounds(session, user)}, reverse=True)


def build_dashboard(
    session: DbSession,
    user: User,
    settings: AnalysisSettings,
    cache: AnalysisCache,
    *,
    period: str | None = None,
    sector: str | None = None,
    district: str | None = None,
    lang: str = "zh",
    plans: Sequence[Plan] = (),
) -> Dashboard:
    """The dashboard of ``user`` for a period (default: the newest with responses,
    :func:`_default_period`), optionally one sector and one district; rounds not open
    yet are listed apart; each card judged also against the satisfaction targets that
    ``plans`` bind to its sector.  Raises :class:`DashboardError` for a bad filter."""
    rounds = _visible_rounds(session, user)
    now = utcnow()
    periods = sorted({r.period for r in rounds}, reverse=True)
    all_sectors = sorted({r.questionnaire_version.sector for r in rounds}, key=sector_sort_key)
    sector_choices = tuple((s, sector_label(s, None, lang)) for s in all_sectors)
    if sector is not None and sector not in all_sectors:
        if not user.may_see_sector(sector) and any(
            r.questionnaire_version.sector == sector for r in session.scalars(select(Round))
        ):
            raise DashboardError(403, "dash_err_sector_forbidden", sector=sector)
        raise DashboardError(404, "dash_err_no_sector", sector=sector)
    if not periods:
        return Dashboard((), None, sector_choices, sector, (), district)
    chosen = [r for r in rounds if sector is None or r.questionnaire_version.sector == sector]
    if period is None:
        period = _default_period(session, chosen, now) or periods[0]
    elif period not in periods:
        raise DashboardError(404, "dash_err_no_period", period=period)

    by_period: dict[str, list[Round]] = {}
    for r in chosen:
        by_period.setdefault(r.period, []).append(r)
    current = counted_rounds(session, by_period.get(period, []))
    beside = rounds_beside(session, by_period.get(period, []))
    if not current:
        raise DashboardError(404, "dash_err_no_round", sector=sector, period=period)

    # Periods of the trend: this one and up to TREND_PERIODS - 1 before it.
    chain = periods_ending(period, settings.trend_periods)
    wanted: dict[tuple[str, str], Round] = {}
    for p in chain:
        for qid, r in counted_rounds(session, by_period.get(p, [])).items():
            wanted[(p, qid)] = r
    extra = [r for rs in beside.values() for r in rs]
    stamps = cache.tracker.stamps(session, [r.id for r in [*wanted.values(), *extra]])
    analyses = {
        k: serve_round(session, r, settings, cache, stamps[r.id]) for k, r in wanted.items()
    }
    beside_analyses = {r.id: serve_round(session, r, settings, cache, stamps[r.id]) for r in extra}

    # Districts offered in the filter: those of the period's rounds, in questionnaire order.
    district_choices: dict[str, str] = {}
    for q in [analyses[(period, qid)].questionnaire for qid in current] + [
        a.questionnaire for a in beside_analyses.values()
    ]:
        if settings.group_by in q.respondent_ids:
            for o in q.respondent_question(settings.group_by).options:
                district_choices.setdefault(o.value, o.label.get(lang))
    if district is not None and district not in district_choices:
        raise DashboardError(404, "dash_err_no_district", district=district, period=period)

    cards = []
    for qid, round_ in current.items():
        card = _sector_view(
            round_, analyses, chain, qid, settings, cache, district, lang, district_choices, plans
        )
        cards.append(replace(card, parallel=round_.parallel))
        for other in beside.get(qid, ()):  # side by side, the same trend of the sector
            shown = {**analyses, (period, qid): beside_analyses[other.id]}
            card = _sector_view(
                other, shown, chain, qid, settings, cache, district, lang, district_choices, plans
            )
            cards.append(replace(card, beside=True, parallel=other.parallel))
    cards.sort(key=lambda c: (sector_sort_key(c.sector), c.qid, c.beside))
    return Dashboard(
        tuple(periods),
        period,
        sector_choices,
        sector,
        tuple(district_choices.items()),
        district,
        tuple(cards),
        _scheduled(chosen, now, lang),
    )


def _sector_view(
    round_: Round,
    analyses: dict[tuple[str, str], RoundAnalysis],
    chain: list[str],
    qid: str,
    settings: AnalysisSettings,
    cache: AnalysisCache,
    district: str | None,
    lang: str,
    district_labels: dict[str, str],
    plans: Sequence[Plan] = (),
) -> SectorView:
    period = chain[-1]
    cur = analyses[(period, qid)]
    q, res = cur.questionnaire, cur.result
    by = settings.group_by
    goal = res.goal if res is not None else float(q.goal)
    rate_goal = res.rate_goal if res is not None else q.rate_goal
    scope = None if district is None else {by: district}
    here = analysis.scope_of(res, scope)
    prev_period = chain[-2] if len(chain) > 1 else period
    change = None
    prev = analyses.get((prev_period, qid)) if len(chain) > 1 else None
    if prev is not None and analysis.comparable(prev.result, res, scope):
        change = analysis.change_in(change_between(prev, cur, settings, cache), scope)
    results = {p: a.result for (p, k), a in analyses.items() if k == qid}
    trend = analysis.trend(chain, results, scope)

    dim_labels = {d.id: d.title.get(lang) for d in q.dimensions}
    dimensions = tuple(DimensionRow(d.id, dim_labels.get(d.id, d.id), d) for d in here.dimensions)

    district_values = list(round_.districts or [])
    for value in district_labels:
        if value not in district_values:
            district_values.append(value)
    rows = []
    for value in district_values:
        if district is not None and value != district:
            continue
        g = analysis.scope_of(res, {by: value}) if res is not None else None
        target = (round_.targets or {}).get(value)
        rows.append(
            DistrictRow(
                district=value,
                label=district_labels.get(value, value),
                received=cur.received_by_district.get(value, 0),
                target=int(target) if target is not None else None,
                n=g.n if g is not None else 0,
                estimate=g.index if g is not None else None,
                small_sample=g.small_sample if g is not None else True,
                verdict=verdict_of(g.index if g is not None else None, g is None or g.small_sample),
                rate=g.rate if g is not None else None,
                rate_verdict=_rate_verdict(
                    rate_goal, g.rate if g is not None else None, g is None or g.small_sample
                ),
                model=cur.small_area.of(value) if cur.small_area is not None else None,
            )
        )
    quality = res.quality if res is not None else None
    return SectorView(
        sector=q.sector,
        qid=q.id,
        title=sector_label(q.sector, q, lang),
        round_code=round_.code,
        goal=goal,
        n_received=cur.n_received,
        n=here.n,
        estimate=here.index,
        small_sample=here.small_sample,
        verdict=verdict_of(here.index, here.small_sample),
        change=change,
        previous_period=prev_period,
        trend=trend,
        districts=tuple(rows),
        dimensions=dimensions,
        quality_counts=dict(quality.counts) if quality is not None else {},
        n_excluded=quality.n_excluded if quality is not None else 0,
        error=cur.error,
        ipa=ipa_of(res.drivers if res is not None else None, dim_labels),
        as_of=cur.as_of,
        stale=any(a.stale for (_, k), a in analyses.items() if k == qid),
        weighted=res is None or res.weighting.method != "none",
        rate=here.rate,
        rate_goal=rate_goal,
        rate_verdict=_rate_verdict(rate_goal, here.rate, here.small_sample),
        small_area=cur.small_area,
        small_area_error=cur.small_area_error,
        plan_targets=plan_target_verdicts(
            plans, q.sector, here.index, here.rate, here.small_sample
        ),
    )


def _rate_verdict(goal: float | None, rate: RateEstimate | None, small: bool) -> Verdict | None:
    """The rate's verdict (:func:`analysis.verdict_of`) when the questionnaire sets a
    ``rate_goal``; ``None`` (nothing to show) when it does not."""
    if goal is None:
        return None
    return verdict_of(rate, small)


# --- the indices table (CSV / XLSX download) ---------------------------------------------

#: Columns of the indices table: (key, text key of the header).
INDEX_COLUMNS = (
    ("period", N_("dash_period")),
    ("sector", N_("dash_sector")),
    ("round", N_("dash_col_round")),
    ("district", N_("dash_col_district")),
    ("received", N_("dash_col_received")),
    ("target", N_("dash_col_target")),
    ("n", N_("dash_col_n")),
    ("index", N_("dash_col_index")),
    ("ci_low", N_("dash_col_ci_low")),
    ("ci_high", N_("dash_col_ci_high")),
    ("verdict", N_("dash_col_verdict")),
    ("rate", N_("dash_col_rate")),
    ("rate_ci_low", N_("dash_col_rate_ci_low")),
    ("rate_ci_high", N_("dash_col_rate_ci_high")),
    ("rate_verdict", N_("dash_col_rate_verdict")),
    ("small_sample", N_("dash_col_small")),
    ("change", N_("dash_col_change")),
    ("change_p", N_("dash_col_change_p")),
)


def _one(x: float | None, digits: int = 1) -> float | None:
    """Rounded as the page shows it, so a downloaded number equals the one on screen."""
    return round(x, digits) if x is not None and math.isfinite(x) else None


def _estimate_cols(e: IndexEstimate | None) -> dict[str, float | None]:
    if e is None:
        return {"index": None, "ci_low": None, "ci_high": None}
    return {"index": _one(e.estimate), "ci_low": _one(e.ci[0]), "ci_high": _one(e.ci[1])}


def _rate_cols(rate: RateEstimate | None, verdict: Verdict | None) -> dict[str, object]:
    """The satisfaction rate as the page shows it; its verdict only with a rate goal."""
    if rate is None:
        return {"rate": None, "rate_ci_low": None, "rate_ci_high": None, "rate_verdict": verdict}
    return {
        "rate": _one(rate.estimate),
        "rate_ci_low": _one(rate.ci[0]),
        "rate_ci_high": _one(rate.ci[1]),
        "rate_verdict": verdict,
    }


def indices_rows(board: Dashboard, all_label: str) -> list[dict[str, object]]:
    """The page's index numbers as rows: per sector card, its scope (the whole sector, or
    the chosen district) then each district of the district table.

    Values are those of the page (one decimal; p-values three), not recomputed: the
    rows come from the same :class:`Dashboard` the page renders.
    """
    rows: list[dict[str, object]] = []
    for card in board.cards:
        base = {"period": board.period, "sector": card.title, "round": card.round_code}
        scope = next((d for d in card.districts if d.district == board.district), None)
        rows.append(
            base
            | {
                "district": scope.label if scope is not None else all_label,
                "received": scope.received if scope is not None else card.n_received,
                "target": scope.target if scope is not None else None,
                "n": card.n,
                **_estimate_cols(card.estimate),
                "verdict": card.verdict,
                **_rate_cols(card.rate, card.rate_verdict),
                "small_sample": card.small_sample,
                "change": _one(card.change.change) if card.change else None,
                "change_p": fmt.p_number(card.change.p_value) if card.change else None,
            }
        )
        if board.district is not None:
            continue
        for d in card.districts:
            rows.append(
                base
                | {
                    "district": d.label,
                    "received": d.received,
                    "target": d.target,
                    "n": d.n,
                    **_estimate_cols(d.estimate),
                    "verdict": d.verdict,
                    **_rate_cols(d.rate, d.rate_verdict),
                    "small_sample": d.small_sample,
                    "change": None,
                    "change_p": None,
                }
            )
    return rows
