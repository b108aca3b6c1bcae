"""Survey analysis: scoring, weighting, design-based estimation, tests and diagnostics.

Pure numpy and scipy: arrays in, frozen result dataclasses out.  The one
entry point for every consumer of numbers is :func:`run` (defined in :mod:`.pipeline`,
with :func:`prepare` and :class:`Prepared`); its numbers follow the analysis contract
and agree with R's ``survey`` package (Lumley 2010).
"""

from .change import Change, ChangeResult, GroupChange, compare_periods, difference
from .drivers import Driver, DriversResult, drivers
from .estimate import (
    Z95,
    Design,
    DomainEstimates,
    Grouping,
    domain_means,
    logit_interval,
    normal_interval,
)
from .goal import GoalStatus, goal_test
from .margins_policy import (
    MARGINS_POLICIES,
    AbsentMargin,
    FittedMargins,
    MarginsPolicy,
    fit_margins,
)
from .matrix import Categorical, ResponseMatrix, factorize
from .pipeline import Prepared, prepare, run
from .quality import QualityFlags, QualityRules, flag_responses
from .reliability import Reliability, cronbach_alpha, reliability
from .result import (
    AnalysisResult,
    Estimate,
    GroupResult,
    IndexEstimate,
    Measure,
    QualityReport,
    RateEstimate,
    ScoreEstimate,
    Verdict,
    WeightsInfo,
    has_goal,
    verdict_of,
)
from .scoring import item_scores, satisfied, score_respondents
from .spec import DEFAULT_GOAL, DimensionSpec, ItemSpec, ScoringSpec
from .trend import Scope, TrendPoint, change_in, comparable, scope_of, trend
from .weighting import Margins, RakingResult, kish, rake, trim_and_rake

__all__ = [
    "DEFAULT_GOAL",
    "MARGINS_POLICIES",
    "AbsentMargin",
    "FittedMargins",
    "MarginsPolicy",
    "Prepared",
    "Verdict",
    "Scope",
    "TrendPoint",
    "change_in",
    "comparable",
    "scope_of",
    "trend",
    "fit_margins",
    "has_goal",
    "Measure",
    "verdict_of",
    "Z95",
    "AnalysisResult",
    "Categorical",
    "Change",
    "ChangeResult",
    "Design",
    "DimensionSpec",
    "DomainEstimates",
    "Driver",
    "DriversResult",
    "Estimate",
    "GoalStatus",
    "GroupChange",
    "GroupResult",
    "Grouping",
    "IndexEstimate",
    "ItemSpec",
    "Margins",
    "QualityFlags",
    "QualityReport",
    "QualityRules",
    "RakingResult",
    "RateEstimate",
    "Reliability",
    "ResponseMatrix",
    "ScoreEstimate",
    "ScoringSpec",
    "WeightsInfo",
    "compare_periods",
    "cronbach_alpha",
    "difference",
    "domain_means",
    "drivers",
    "factorize",
    "flag_responses",
    "goal_test",
    "item_scores",
    "kish",
    "logit_interval",
    "normal_interval",
    "prepare",
    "rake",
    "reliability",
    "run",
    "satisfied",
    "score_respondents",
    "trim_and_rake",
]
