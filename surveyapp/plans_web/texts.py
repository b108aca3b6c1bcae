"""Message ids the plan templates build at run time (``_('plan_status_' ~ status)``),
listed for extraction."""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("plan_status_no_data"),
    N_("plan_status_achieved"),
    N_("plan_status_missed"),
    N_("plan_status_no_baseline"),
    N_("plan_status_ahead"),
    N_("plan_status_on_track"),
    N_("plan_status_behind"),
    N_("plan_status_not_computed"),
    N_("plan_status_hidden"),
    N_("plan_field_plan"),
    N_("plan_field_indicator"),
    N_("plan_field_period"),
    N_("plan_field_value"),
    N_("plan_field_note"),
)
