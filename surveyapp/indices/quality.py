"""The data-quality rules a questionnaire's responses are checked with.

One function for CSV files and stored rounds alike, so ``surveyapp analyze`` and the
dashboard flag the same respondents.
"""

from __future__ import annotations

from collections.abc import Container

from analysis import QualityRules
from surveyapp.questionnaire.model import Questionnaire

__all__ = ["quality_rules"]


def quality_rules(questionnaire: Questionnaire, columns: Container[str]) -> QualityRules:
    """The default rules; duplicates compare answers and the respondent questions only
    (not extra columns such as a submission time, which always differ)."""
    names = [c for c in (*questionnaire.respondent_ids, "period") if c in columns]
    return QualityRules(duplicate_columns=tuple(names))
