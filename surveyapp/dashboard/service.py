"""What the dashboard shows: per visible sector, the cached analysis of its round.

Every number comes from :func:`analysis.run` through the bulletin's gatherer (same
margins, strata, grouping and quality rules as the published bulletin), once per
(round, filters) and kept in an :class:`~surveyapp.dashboard.cache.AnalysisCache`.
Wording stays in the templates; this module returns ids, labels from the
questionnaire and numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import (
    AnalysisResult,
    Change,
    ChangeResult,
    DriversResult,
    Estimate,
    IndexEstimate,
    ScoreEstimate,
    compare_periods,
)
from surveyapp.bulletins.service import (
    SECTOR_LABELS,
    SECTOR_ORDER,
    BulletinError,
    BulletinSettings,
    RoundAnalyser,
    previous_period,
)
from surveyapp.dashboard.cache import AnalysisCache, Stamp
from surveyapp.models import Round
from surveyapp.models.base import utcnow
from surveyapp.models.user import User
from surveyapp.questionnaire.model import Questionnaire

__all__ = [
    "Dashboard",
    "DashboardError",
    "RoundAnalysis",
    "analyse_round",
    "build_dashboard",
    "visible_periods",
]

Verdict = Literal["met", "not_met", "inconclusive", "small"]
TREND_PERIODS = 4


class DashboardError(LookupError):
    """A filter names something that does not exist (404) or may not be seen (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RoundAnalysis:
    """The cached analysis of one round: the result and the counts the page needs.

    ``as_of`` is when the round's responses were read (``n_received`` of them) and
    ``stamp`` the round's stamp then; ``stale`` marks an analysis served while a
    fresher one is computed in the background (see :meth:`AnalysisCache.serve`).
    """

    round_id: int
    period: str
    questionnaire: Questionnaire
    n_received: int
    received_by_district: dict[str, int]
    result: AnalysisResult | None
    error: str | None = None
    stamp: Stamp = (0, 0)
    as_of: datetime | None = None
    stale: bool = False


def settings_key(settings: BulletinSettings) -> Hashable:
    """What in the settings changes the numbers (margins by their source)."""
    return (
        settings.margins_source,
        settings.strata,
        settings.group_by,
        settings.min_n,
        settings.goal,
        settings.exclude_flagged,
    )


def margins_digest(margins: Mapping[str, Any] | None) -> str:
    """A short hash of a round's uploaded margins (``""``: none).

    An admin's upload on /admin/rounds changes the weights, hence every number, while
    the responses (and so the stamp) stay the same: the digest is part of the version
    an analysis is cached for.
    """
    if not margins:
        return ""
    text = json.dumps(margins, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def analyse_round(
    session: Session,
    round_: Round,
    settings: BulletinSettings,
    cache: AnalysisCache,
    stamp: Stamp | None = None,
) -> RoundAnalysis:
    """The round's analysis (grouped by district), from the cache when neither its
    responses nor its margins changed; when they did, the last analysis (``stale``)
    while the cache computes the new one, unless this process has none yet."""
    if stamp is None:
        stamp = cache.tracker.stamps(session, [round_.id])[round_.id]
    family = cache.family(round_.id, {"by": settings.group_by}, settings_key(settings))
    round_id = round_.id

    def compute(s: Session) -> tuple[Hashable, RoundAnalysis]:
        """Analyse the round with session ``s`` (the request's, or a background
        thread's own): everything is loaded again through ``s``, by id."""
        now = utcnow()
        fresh = cache.tracker.stamps(s, [round_id])[round_id]
        r = s.get(Round, round_id)
        if r is None:
            raise LookupError(f"round {round_id} no longer exists")
        version = (fresh, margins_digest(r.margins))
        gathered = RoundAnalyser(s, settings, "zh").analyse(r, "current", True)
        matrix = gathered.matrix
        received: dict[str, int] = {}
        if matrix.n and settings.group_by in matrix.columns:
            received = _value_counts(matrix.values(settings.group_by))
        result = gathered.result
        if result is not None:  # per-respondent arrays are not needed on the page: keep it small
            result = dataclasses.replace(result, weights=np.zeros(0), respondent_ids=np.zeros(0))
        return version, RoundAnalysis(
            round_id=round_id,
            period=r.period,
            questionnaire=gathered.questionnaire,
            n_received=matrix.n,
            received_by_district=received,
            result=result,
            error=gathered.record.get("error"),
            stamp=fresh,
            as_of=now,
        )

    served = cache.serve(
        family, (stamp, margins_digest(round_.margins)), session, compute, size=stamp[0]
    )
    return dataclasses.replace(served.value, stale=True) if served.stale else served.value


def _value_counts(column) -> dict[str, int]:
    """Rows per non-empty value of a column (an object array or an already coded
    :class:`analysis.Categorical`)."""
    if hasattr(column, "codes") and hasattr(column, "levels"):
        counts = np.bincount(np.asarray(column.codes), minlength=len(column.levels))
        pairs = zip(column.levels, counts.tolist(), strict=True)
    else:
        values, counts = np.unique(np.asarray(column, dtype=str), return_counts=True)
        pairs = zip(values.tolist(), counts.tolist(), strict=True)
    return {str(v): int(c) for v, c in pairs if v and c}


def change_between(
    before: RoundAnalysis, after: RoundAnalysis, settings: BulletinSettings, cache: AnalysisCache
) -> ChangeResult:
    """:func:`analysis.compare_periods` of two cached analyses, cached with both stamps
    (it tests every item and group: too much work to repeat on every page view)."""
    key = (
        "change",
        before.round_id,
        before.stamp,
        after.round_id,
        after.stamp,
        settings_key(settings),
    )
    first, second = before.result, after.result
    if first is None or second is None:
        raise ValueError("a change needs an analysis result in both periods")
    return cache.get_or_compute(key, lambda: compare_periods(first, second))


# --- the page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: str
    estimate: Estimate | None
    small_sample: bool


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


@dataclass(frozen=True)
class Dashboard:
    periods: tuple[str, ...]
    period: str | None
    sectors: tuple[tuple[str, str], ...]  # (sector, label) the user may choose
    sector: str | None
    districts: tuple[tuple[str, str], ...]  # (value, label) of the period's rounds
    district: str | None
    cards: tuple[SectorView, ...] = field(default_factory=tuple)


def verdict_of(estimate: IndexEstimate | None, small_sample: bool) -> Verdict:
    if estimate is None or small_sample or estimate.goal_status is None:
        return "small"
    if not math.isfinite(estimate.estimate):
        return "small"
    return estimate.goal_status


def sector_label(sector: str, q: Questionnaire | None, lang: str) -> str:
    if sector in SECTOR_LABELS:
        zh, en = SECTOR_LABELS[sector]
        return en if lang == "en" else zh
    return q.title.get(lang) if q is not None else sector


def _visible_rounds(session: Session, user: User) -> list[Round]:
    rounds = list(session.scalars(select(Round).order_by(Round.id)))
    return [r for r in rounds if user.may_see_sector(r.questionnaire_version.sector)]


def visible_periods(session: Session, user: User) -> list[str]:
    """Periods with at least one round the user may see, newest first."""
    return sorted({r.period for r in _visible_rounds(session, user)}, reverse=True)


def _sector_sort(sector: str) -> tuple[int, str]:
    return (SECTOR_ORDER.index(sector) if sector in SECTOR_ORDER else len(SECTOR_ORDER), sector)


def _latest_by_qid(rounds: Sequence[Round]) -> dict[str, Round]:
    """The round each questionnaire counts with in a period: the last to close."""
    chosen: dict[str, Round] = {}
    for r in rounds:
        qid = r.questionnaire_version.qid
        best = chosen.get(qid)
        if best is None or (r.closes_at, r.id) > (best.closes_at, best.id):
            chosen[qid] = r
    return chosen


def build_dashboard(
    session: Session,
    user: User,
    settings: BulletinSettings,
    cache: AnalysisCache,
    *,
    period: str | None = None,
    sector: str | None = None,
    district: str | None = None,
    lang: str = "zh",
) -> Dashboard:
    """The dashboard of ``user`` for a period (default: the newest), optionally one
    sector and one district.  Raises :class:`DashboardError` for a bad filter."""
    rounds = _visible_rounds(session, user)
    periods = sorted({r.period for r in rounds}, reverse=True)
    all_sectors = sorted({r.questionnaire_version.sector for r in rounds}, key=_sector_sort)
    sector_choices = tuple((s, sector_label(s, None, lang)) for s in all_sectors)
    if sector is not None and sector not in all_sectors:
        if not user.may_see_sector(sector) and any(
            r.questionnaire_version.sector == sector for r in session.scalars(select(Round))
        ):
            raise DashboardError(403, f"sector {sector!r} is not assigned to this account")
        raise DashboardError(404, f"no round for sector {sector!r}")
    if not periods:
        return Dashboard((), None, sector_choices, sector, (), district)
    if period is None:
        period = periods[0]
    elif period not in periods:
        raise DashboardError(404, f"no round in period {period!r}")

    by_period: dict[str, list[Round]] = {}
    for r in rounds:
        if sector is None or r.questionnaire_version.sector == sector:
            by_period.setdefault(r.period, []).append(r)
    current = _latest_by_qid(by_period.get(period, []))
    if not current:
        raise DashboardError(404, f"no round for sector {sector!r} in period {period!r}")

    # Periods of the trend: this one and up to TREND_PERIODS - 1 before it.
    chain = [period]
    for _ in range(TREND_PERIODS - 1):
        try:
            chain.insert(0, previous_period(chain[0]))
        except BulletinError:  # a period label the chain cannot step back from
            break
    wanted: dict[tuple[str, str], Round] = {}
    for p in chain:
        for qid, r in _latest_by_qid(by_period.get(p, [])).items():
            wanted[(p, qid)] = r
    stamps = cache.tracker.stamps(session, [r.id for r in wanted.values()])
    analyses = {
        k: analyse_round(session, r, settings, cache, stamps[r.id]) for k, r in wanted.items()
    }

    # Districts offered in the filter: those of the period's rounds, in questionnaire order.
    district_choices: dict[str, str] = {}
    for qid in current:
        q = analyses[(period, qid)].questionnaire
        if settings.group_by in q.respondent_ids:
            for o in q.respondent_question(settings.group_by).options:
                district_choices.setdefault(o.value, o.label.get(lang))
    if district is not None and district not in district_choices:
        raise DashboardError(404, f"no district {district!r} in period {period}")

    cards = []
    for qid, round_ in current.items():
        cards.append(
            _sector_view(
                round_, analyses, chain, qid, settings, cache, district, lang, district_choices
            )
        )
    cards.sort(key=lambda c: (_sector_sort(c.sector), c.qid))
    return Dashboard(
        tuple(periods),
        period,
        sector_choices,
        sector,
        tuple(district_choices.items()),
        district,
        tuple(cards),
    )


def _group(result: AnalysisResult | None, by: str, value: str):
    if result is None:
        return None
    for g in result.groups:
        if g.by.get(by) == value:
            return g
    return None


def _sector_view(
    round_: Round,
    analyses: dict[tuple[str, str], RoundAnalysis],
    chain: list[str],
    qid: str,
    settings: BulletinSettings,
    cache: AnalysisCache,
    district: str | None,
    lang: str,
    district_labels: dict[str, str],
) -> SectorView:
    period = chain[-1]
    cur = analyses[(period, qid)]
    q, res = cur.questionnaire, cur.result
    by = settings.group_by
    goal = res.goal if res is not None else float(q.goal)

    def scope(result: AnalysisResult | None):
        """(estimate, n, small, dimensions) of the whole round or of the chosen district."""
        if result is None:
            return None, 0, True, ()
        if district is None:
            return result.index, result.n, result.small_sample, result.dimensions
        g = _group(result, by, district)
        if g is None:
            return None, 0, True, ()
        return g.index, g.n, g.small_sample, g.dimensions

    estimate, n, small, dims = scope(res)
    prev_period = previous_period(period) if len(chain) > 1 else period
    change = None
    prev = analyses.get((prev_period, qid))
    if prev is not None and prev.result is not None and res is not None:
        _, _, prev_small, _ = scope(prev.result)
        if not prev_small and not small:
            changes = change_between(prev, cur, settings, cache)
            if district is None:
                change = changes.index
            else:
                change = next((c.index for c in changes.groups if c.by.get(by) == district), None)
    trend = []
    for p in chain:
        a = analyses.get((p, qid))
        if a is None:
            continue
        e, _, s, _ = scope(a.result)
        trend.append(TrendPoint(p, e, s))

    dim_labels = {d.id: d.title.get(lang) for d in q.dimensions}
    dimensions = tuple(DimensionRow(d.id, dim_labels.get(d.id, d.id), d) for d in dims)

    district_values = list(round_.districts or [])
    for value in district_labels:
        if value not in district_values:
            district_values.append(value)
    rows = []
    for value in district_values:
        if district is not None and value != district:
            continue
        g = _group(res, by, value)
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
        n=n,
        estimate=estimate,
        small_sample=small,
        verdict=verdict_of(estimate, small),
        change=change,
        previous_period=prev_period,
        trend=tuple(trend),
        districts=tuple(rows),
        dimensions=dimensions,
        quality_counts=dict(quality.counts) if quality is not None else {},
        n_excluded=quality.n_excluded if quality is not None else 0,
        error=cur.error,
        ipa=ipa_of(res.drivers if res is not None else None, dim_labels),
        as_of=cur.as_of,
        stale=any(a.stale for (_, k), a in analyses.items() if k == qid),
    )


# --- the indices table (CSV / XLSX download) ---------------------------------------------

#: Columns of the indices table: (key, text key of the header).
INDEX_COLUMNS = (
    ("period", "dash_period"),
    ("sector", "dash_sector"),
    ("round", "dash_col_round"),
    ("district", "dash_col_district"),
    ("received", "dash_col_received"),
    ("target", "dash_col_target"),
    ("n", "dash_col_n"),
    ("index", "dash_col_index"),
    ("ci_low", "dash_col_ci_low"),
    ("ci_high", "dash_col_ci_high"),
    ("verdict", "dash_col_verdict"),
    ("small_sample", "dash_col_small"),
    ("change", "dash_col_change"),
    ("change_p", "dash_col_change_p"),
)


def _one(x: float | None, digits: int = 1) -> float | None:
    """Rounded as the page shows it, so a downloaded number equals the one on screen."""
    return round(x, digits) if x is not None and math.isfinite(x) else None


def _estimate_cols(e: IndexEstimate | None) -> dict[str, float | None]:
    if e is None:
        return {"index": None, "ci_low": None, "ci_high": None}
    return {"index": _one(e.estimate), "ci_low": _one(e.ci[0]), "ci_high": _one(e.ci[1])}


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
                "small_sample": card.small_sample,
                "change": _one(card.change.change) if card.change else None,
                "change_p": _one(card.change.p_value, 3) if card.change else None,
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
                    "small_sample": d.small_sample,
                    "change": None,
                    "change_p": None,
                }
            )
    return rows
