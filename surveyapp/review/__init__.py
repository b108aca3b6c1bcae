"""Held-for-review waves and fraud signals of stored responses (issue 12, item 2).

Three kinds, applied the same way by the dashboard, the API, the bulletins and the CLI:

- *exclusions* (speeders by a trustworthy start stamp, straight-liners, exact
  duplicates) are the analysis' data-quality rules (:mod:`surveyapp.indices.quality`);
- *held for review* (:mod:`.holds`): a source (an address of the survey pages, a channel
  key of the API) beyond the one per-source threshold (``RATELIMIT_BURST``) in a round:
  its responses are stored but not analysed until a bureau releases or rejects the wave;
- *signals* (:mod:`.signals`): shared device fingerprint, shared address prefix, client
  stamps missing or implausible; they never exclude anything and only feed the anomaly
  panel (``/dashboard/anomalies``).
"""

from surveyapp.review.holds import (
    Origin,
    Threshold,
    WaveDecisionError,
    decide_wave,
    hold_state,
    parse_threshold,
    review_version,
)
from surveyapp.review.signals import review_counts, stamp_flags

__all__ = [
    "Origin",
    "Threshold",
    "WaveDecisionError",
    "decide_wave",
    "hold_state",
    "parse_threshold",
    "review_counts",
    "review_version",
    "stamp_flags",
]
