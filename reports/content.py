"""What a bulletin is made of: computed results plus the labels to show them with.

Everything here is plain data built by the caller (the bulletin service, a test, a
script); :func:`reports.render_bulletin` turns it into a PDF and never looks anything
up itself.  Numbers come only from :class:`analysis.AnalysisResult` and
:class:`analysis.ChangeResult`, so the bulletin shows the numbers of the analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from analysis import AnalysisResult, ChangeResult, QualityRules, TrendPoint

from .bulletin_complaints import ComplaintsSection
from .bulletin_plans import PlanProgress

__all__ = [
    "BulletinContent",
    "Methodology",
    "ModelEstimate",
    "SectorReport",
    "SmallAreaFit",
    "Suggestion",
    "SuggestionReview",
    "TrendPoint",
]

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Suggestion:
    """A resident's answer to the open question and how many gave the same text."""

    text: str
    count: int = 1


@dataclass(frozen=True)
class SuggestionReview:
    """How a sector's suggestions were moderated before printing: distinct ``texts``
    from analysed responses, ``reviewed`` of them by an evaluator, ``approved`` for
    printing, ``pending`` (not reviewed yet: never printed)."""

    texts: int
    reviewed: int
    approved: int
    pending: int


@dataclass(frozen=True)
class ModelEstimate:
    """A district's model-based (Fay–Herriot) estimate, 模型估计: the EBLUP, or the
    synthetic estimate x_dᵀβ̃ of a district without respondents (``synthetic``), with
    its 95% interval from the MSE.  It carries no goal verdict of its own."""

    estimate: float
    ci: tuple[float, float]
    n: int
    synthetic: bool = False


@dataclass(frozen=True)
class SmallAreaFit:
    """A sector's small-area model, for its district chart and the appendix:
    the auxiliaries' ``covariates``, σ²_u, the pooled within-district variance s²_w and
    the Kish deff of the smoothed ψ_d = s²_w · deff / n_d; ``districts``: group value →
    its model-based estimate."""

    covariates: tuple[str, ...]
    sigma2_u: float
    s2_within: float
    deff: float
    districts: Mapping[str, ModelEstimate]


@dataclass(frozen=True)
class SectorReport:
    """One sector (one questionnaire) of the period.

    Parameters
    ----------
    key : str
        Questionnaire id.
    title : str
        The sector's name as printed (e.g. 餐饮服务).
    result : AnalysisResult or None
        The period's analysis, with groups by ``group_by``; ``None`` when the round
        has no analysable response (the section then says so instead of numbers).
    change : ChangeResult or None
        Change since ``previous_period`` (``None`` without a previous round).
    trend : tuple of TrendPoint
        Oldest first, ending with the current period.
    dimension_labels, group_labels : mappings
        Dimension id → title; group value (e.g. district) → printed name.
    suggestions : tuple of Suggestion
        A few answers to the open question, most frequent first (approved ones only).
    review : SuggestionReview or None
        How the answers to the open question were moderated (``None``: not said).
    n_received : int
        Responses received (also when ``result`` is ``None``).
    unweighted : tuple of (variable, category)
        Margin categories left out of the weighting because no analysed respondent
        of the round belongs to them.
    small_area : SmallAreaFit or None
        The districts' model-based estimates (the round has district auxiliaries):
        the district chart shows them for districts below the small-sample threshold.
    """

    key: str
    title: str
    result: AnalysisResult | None
    change: ChangeResult | None = None
    previous_period: str | None = None
    trend: tuple[TrendPoint, ...] = ()
    dimension_labels: Mapping[str, str] = field(default_factory=dict)
    group_labels: Mapping[str, str] = field(default_factory=dict)
    suggestions: tuple[Suggestion, ...] = ()
    n_received: int = 0
    unweighted: tuple[tuple[str, str], ...] = ()
    review: SuggestionReview | None = None
    small_area: SmallAreaFit | None = None

    @property
    def has_numbers(self) -> bool:
        """Numbers can be printed: analysed, and not a small sample."""
        return self.result is not None and not self.result.small_sample

    def dimension_label(self, dim_id: str) -> str:
        return self.dimension_labels.get(dim_id, dim_id)

    def group_label(self, value: str) -> str:
        return self.group_labels.get(value, value)


@dataclass(frozen=True)
class Methodology:
    """The settings the numbers were computed with, for the appendix.

    ``margins`` are the population totals weighted to (``None``: unweighted);
    ``software`` maps a package name to its version.
    """

    margins: Mapping[str, Mapping[str, float]] | None
    strata: str | None
    group_by: str
    group_label: str
    min_n: int
    goal: float
    quality: QualityRules | None
    exclude_flagged: bool
    software: Mapping[str, str] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BulletinContent:
    """A whole bulletin.

    ``edition`` is the printed edition number (``None`` for a draft, which is
    marked as such on every page); ``replaces`` the edition a correction replaces;
    ``interim``: a round of the period was still open, so the figures are not final
    (marked 中期 / interim on the cover and on every page).
    """

    title: str
    issuer: str
    period: str
    issued: date
    lang: Lang
    sectors: tuple[SectorReport, ...]
    methodology: Methodology
    edition: int | None = None
    replaces: int | None = None
    note: str | None = None
    interim: bool = False
    plans: PlanProgress | None = None  # the plan-progress section (reports.bulletin_plans)
    # the complaints section (reports.bulletin_complaints); None: the bulletin has none
    complaints: ComplaintsSection | None = None
