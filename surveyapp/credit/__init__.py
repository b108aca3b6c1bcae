"""Credit records and risk classes of providers (信用风险分类)."""

from surveyapp.credit.rules import (
    INDICATORS,
    Classification,
    Factor,
    RulesError,
    RuleSet,
    classify,
    default_rules,
    load_rules,
)

__all__ = [
    "INDICATORS",
    "Classification",
    "Factor",
    "RuleSet",
    "RulesError",
    "classify",
    "default_rules",
    "load_rules",
]
