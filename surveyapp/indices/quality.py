"""The data-quality rules a questionnaire's responses are checked with.

One function for CSV files and stored rounds alike, so ``surveyapp analyze`` and the
dashboard flag the same respondents.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from analysis import QualityRules
from surveyapp.questionnaire.model import Questionnaire

__all__ = ["quality_rules", "rules_record"]


def quality_rules(questionnaire: Questionnaire, columns: Container[str]) -> QualityRules:
    """The default rules; duplicates compare answers and the respondent questions only
    (not extra columns such as a submission time, which always differ)."""
    names = [c for c in (*questionnaire.respondent_ids, "period") if c in columns]
    return QualityRules(duplicate_columns=tuple(names))


def rules_record(rules: QualityRules) -> dict[str, Any]:
    """The rules as plain JSON, as a published bulletin's inputs keep them."""
    return {
        "speeders": rules.speeders,
        "speed_fraction": rules.speed_fraction,
        "straightliners": rules.straightliners,
        "straightline_min_items": rules.straightline_min_items,
        "duplicates": rules.duplicates,
        "duplicate_columns": list(rules.duplicate_columns or ()),
    }
