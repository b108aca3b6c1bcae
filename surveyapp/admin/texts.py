"""Message ids the admin pages build from a value, listed for extraction.

The pages show errors in both languages, Chinese first (:func:`surveyapp.i18n.both`): an
administrator who switched the page to English still sees the wording a Chinese
colleague would quote.
"""

from __future__ import annotations

from surveyapp.i18n import N_

#: Message ids the admin pages build from a value (``both(f"rounds_err_{code}")``),
#: listed for extraction: the codes of :class:`surveyapp.rounds.service.RoundError`,
#: a round's states, the remove pages' actions (``delete``, ``archive``), the channels
#: of :data:`surveyapp.channels.keys.CHANNELS` and the codes of ``ChannelKeyError``, and
#: the kinds of :class:`surveyapp.indices.margins_file.MarginsProblem`.
LOOKED_UP = (
    N_("rounds_err_already_closed"),
    N_("rounds_err_bad_code"),
    N_("rounds_err_bad_period"),
    N_("rounds_err_bad_target"),
    N_("rounds_err_dates_order"),
    N_("rounds_err_invalid"),
    N_("rounds_err_not_published"),
    N_("rounds_err_overlap"),
    N_("rounds_err_target_not_in_round"),
    N_("rounds_err_unknown_district"),
    N_("rounds_err_unknown_district_param"),
    N_("rounds_state_open"),
    N_("rounds_state_not_open"),
    N_("rounds_state_closed"),
    N_("rounds_state_archived"),
    N_("rounds_delete_button"),
    N_("rounds_delete_confirm"),
    N_("rounds_delete_confirm_title"),
    N_("rounds_archive_button"),
    N_("rounds_archive_confirm"),
    N_("rounds_archive_confirm_title"),
    N_("keys_channel_kiosk"),
    N_("keys_channel_miniprogram"),
    N_("keys_channel_phone"),
    N_("keys_channel_paper"),
    N_("keys_err_key_already_revoked"),
    N_("keys_err_key_bad_channel"),
    N_("keys_err_key_unknown_rounds"),
    N_("margins_err_duplicate"),
    N_("margins_err_empty_category"),
    N_("margins_err_empty_variable"),
    N_("margins_err_missing_column"),
    N_("margins_err_no_rows"),
    N_("margins_err_not_number"),
    N_("margins_err_not_positive"),
    N_("margins_err_totals_differ"),
)
