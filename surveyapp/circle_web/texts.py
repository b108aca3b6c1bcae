"""Message ids the circle pages look up at run time (the page links, the distance
words), written here for extraction."""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("circ_nav_overview"),
    N_("circ_nav_missing"),
    N_("circ_nav_map"),
    N_("circ_nav_suggest"),
    N_("circ_distance_straight"),
    N_("circ_distance_network"),
)
