"""Message ids the survey templates choose by a condition (``_('submit' if last else
'next')``), listed for extraction."""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("next"),
    N_("submit"),
    N_("open_hint"),
    N_("open_hint_required"),
)
