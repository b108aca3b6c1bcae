"""Message ids the complaint templates build at run time (``_('cmp_state_' ~ status)``),
listed for extraction."""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("cmp_state_received"),
    N_("cmp_state_accepted"),
    N_("cmp_state_not_accepted"),
    N_("cmp_state_mediation"),
    N_("cmp_state_closed"),
    # an explanation's moderation status, on the provider's own page
    N_("cmp_own_status_pending"),
    N_("cmp_own_status_approved"),
    N_("cmp_own_status_rejected"),
)
