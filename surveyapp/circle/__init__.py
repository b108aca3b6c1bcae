"""The 15-minute service circle (一刻钟便民生活圈) from files: which communities have each
service within walking distance, per district, and where to add next.

:mod:`.files` reads C.csv, F.csv, candidate sites and a GeoJSON walking network;
:mod:`.coverage` runs :mod:`analysis.circle` on them and gives the spec's JSON, the
missing list, the map and the suggestions.  The command is
:mod:`surveyapp.cli.circle` (``surveyapp circle coverage``).
"""

from .coverage import (
    CircleReport,
    Suggestion,
    compute_coverage,
    coverage_json,
    coverage_map,
    missing_csv,
    suggest_sites,
    suggestions_json,
)
from .files import read_communities, read_facilities, read_network, read_sites

__all__ = [
    "CircleReport",
    "Suggestion",
    "compute_coverage",
    "coverage_json",
    "coverage_map",
    "missing_csv",
    "read_communities",
    "read_facilities",
    "read_network",
    "read_sites",
    "suggest_sites",
    "suggestions_json",
]
