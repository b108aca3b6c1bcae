"""Message ids the rating pages choose at run time, listed for extraction."""

from __future__ import annotations

from surveyapp.i18n import N_

STAR_LABELS = (
    N_("rate_star_1"),
    N_("rate_star_2"),
    N_("rate_star_3"),
    N_("rate_star_4"),
    N_("rate_star_5"),
)

#: Notices the views name by variable (``_stop(title, body)``) and refusal codes.
NOTICES = (
    N_("rate_not_found_title"),
    N_("rate_not_found_body"),
    N_("rate_no_practitioner"),
    N_("rate_no_form"),
    N_("rate_closed_title"),
    N_("rate_closed_body"),
    N_("rate_closed"),
    N_("form_only_title"),
    N_("form_only_body"),
)
