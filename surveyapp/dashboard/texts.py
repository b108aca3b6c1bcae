"""Message ids the dashboard builds from a value, listed for extraction.

The verdict legend and the importance-performance wording are the bulletin's own
(``reports.Texts``, passed to the page as ``bulletin``), so the two say the same.

Listed: the verdicts (``dash_verdict_<verdict>``, :func:`analysis.verdict_of`) and, on
the anomaly panel, the states of a wave, its signals, the decisions and the codes of
:class:`surveyapp.review.WaveDecisionError`.
"""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("dash_verdict_met"),
    N_("dash_verdict_not_met"),
    N_("dash_verdict_inconclusive"),
    N_("dash_verdict_small"),
    N_("anom_state_held"),
    N_("anom_state_released"),
    N_("anom_sig_shared_device"),
    N_("anom_sig_shared_prefix"),
    N_("anom_sig_stamp_implausible"),
    N_("anom_sig_stamp_missing"),
    N_("anom_done_release"),
    N_("anom_done_reject"),
    N_("anom_err_already_decided"),
    N_("anom_err_forbidden"),
    N_("anom_err_unknown_action"),
    N_("anom_err_unknown_wave"),
)
