"""Where every number about a stored round comes from.

A number on the dashboard, in the read API, in a published bulletin or printed by
``surveyapp analyze --round`` is computed in two hops from here:

1. :func:`analyse_round` (:mod:`.stored`) loads the round's responses into an
   :class:`analysis.ResponseMatrix`, chooses its margins (the round's upload, else the
   configured file, else none: unweighted) under the margins policy, applies the
   data-quality rules (:mod:`.quality`) and calls :func:`analysis.run` — the only call
   of it for stored data.  Options come from the app's :class:`AnalysisSettings`
   through :func:`options_for`, the same for every consumer.
2. :func:`serve_round` (:mod:`.live`) keeps that result per process in an
   :class:`AnalysisCache` (:mod:`.cache`) and refreshes it in the background when
   responses arrive; the dashboard and the API read it.  The bulletins call
   :func:`analyse_round` directly: a publication is always computed afresh.

Verdicts (:func:`analysis.verdict_of`), trends and changes (:mod:`analysis.trend`)
are computed by :mod:`analysis` for everyone.
"""

from analysis import verdict_of

from .cache import AnalysisCache, AnalysisPending, RoundStamps, Stamp, round_stamps
from .live import RoundAnalysis, change_between, margins_digest, serve_round
from .periods import PeriodError, periods_ending, previous_period
from .quality import quality_rules, rules_record
from .rounds import counted_rounds, rounds_beside, rounds_with_responses
from .settings import AnalysisSettings, SettingsError, margins_from_file, settings_from_config
from .small_area import DistrictEstimate, SmallAreaResult
from .state import IndicesState, indices_state
from .stored import Detail, RoundOptions, StoredRound, analyse_round, options_for

__all__ = [
    "AnalysisCache",
    "AnalysisPending",
    "AnalysisSettings",
    "Detail",
    "DistrictEstimate",
    "IndicesState",
    "PeriodError",
    "RoundAnalysis",
    "RoundOptions",
    "RoundStamps",
    "SettingsError",
    "SmallAreaResult",
    "Stamp",
    "StoredRound",
    "analyse_round",
    "change_between",
    "counted_rounds",
    "indices_state",
    "margins_digest",
    "margins_from_file",
    "options_for",
    "periods_ending",
    "previous_period",
    "quality_rules",
    "round_stamps",
    "rules_record",
    "rounds_beside",
    "rounds_with_responses",
    "serve_round",
    "settings_from_config",
    "verdict_of",
]
