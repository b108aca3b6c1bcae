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
)
