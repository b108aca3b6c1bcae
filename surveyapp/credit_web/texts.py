"""Message ids the credit templates build at run time (``_('crw_kind_' ~ kind)``),
listed for extraction."""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("crw_kind_inspection"),
    N_("crw_kind_penalty"),
    N_("crw_kind_abnormal"),
    N_("crw_kind_honour"),
    N_("crw_kind_complaint"),
    N_("crw_kind_rating_signal"),
    N_("crw_class_A"),
    N_("crw_class_B"),
    N_("crw_class_C"),
    N_("crw_class_D"),
)
