"""Risk-based spot checks (双随机、一公开): the reproducible draw of providers and inspectors."""

from surveyapp.inspections.draw import (
    CLASSES,
    DrawInputs,
    DrawPlan,
    PlanError,
    canonical_json,
    draw,
    inputs_sha256,
    verify_plan,
)

__all__ = [
    "CLASSES",
    "DrawInputs",
    "DrawPlan",
    "PlanError",
    "canonical_json",
    "draw",
    "inputs_sha256",
    "verify_plan",
]
