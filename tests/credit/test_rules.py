"""Risk classes by the rule file: each factor, the cut-offs, the why, bad files at their line."""

from __future__ import annotations

import pytest

from surveyapp.credit import INDICATORS, RulesError, classify, default_rules, load_rules

CLEAN = {name: 0.0 for name in INDICATORS} | {"posterior_share": 0.9}


def test_a_clean_record_is_class_a_with_no_factor():
    result = classify(CLEAN, default_rules())
    assert (result.cls, result.points, result.factors, result.unknown) == ("A", 0, (), ())


@pytest.mark.parametrize(
    ("indicator", "value", "points"),
    [
        ("penalties_24m", 1, 40),
        ("abnormal_listings", 2, 30),
        ("failed_inspections_24m", 1, 30),
        ("complaints_per_1000_ratings", 20, 20),  # at_least: the threshold itself fires
        ("posterior_share", 0.59, 20),
        ("low_score_periods", 2, 10),
        ("months_since_inspection", 36, 10),
        ("honours", 1, -10),
    ],
)
def test_each_factor_fires_at_its_threshold_and_not_below(indicator, value, points):
    rules = default_rules()
    fired = classify(CLEAN | {indicator: value}, rules)
    assert [(f.indicator, f.value, f.points) for f in fired.factors] == [
        (indicator, float(value), points)
    ]
    assert fired.points == points
    # just on the other side of the threshold nothing fires
    rule = next(r for r in rules.rules if r.indicator == indicator)
    other = rule.threshold - 1 if rule.condition == "at_least" else rule.threshold
    assert classify(CLEAN | {indicator: other}, rules).factors == ()


def test_the_points_decide_the_class_at_each_cut_off():
    rules = default_rules()
    assert rules.minimum == {"A": 0, "B": 10, "C": 30, "D": 60}
    cases = [
        ({"months_since_inspection": 40}, "B", 10),  # exactly B's minimum
        ({"complaints_per_1000_ratings": 25}, "B", 20),
        ({"failed_inspections_24m": 1}, "C", 30),
        ({"penalties_24m": 1, "months_since_inspection": 40}, "C", 50),
        ({"penalties_24m": 1, "complaints_per_1000_ratings": 30}, "D", 60),
        ({"penalties_24m": 1, "complaints_per_1000_ratings": 30, "honours": 1}, "C", 50),
    ]
    for values, cls, points in cases:
        result = classify(CLEAN | values, rules)
        assert (result.cls, result.points) == (cls, points), values


def test_the_why_names_each_factor_and_its_value():
    result = classify(
        CLEAN | {"failed_inspections_24m": 2, "posterior_share": 0.41}, default_rules()
    )
    assert result.cls == "C"
    why = [f.as_json() for f in result.factors]
    assert why == [
        {
            "indicator": "failed_inspections_24m",
            "value": 2.0,
            "condition": "at_least 1",
            "points": 30,
            "label": {
                "zh": "近24个月抽查不合格",
                "en": "a failed inspection in the last 24 months",
            },
        },
        {
            "indicator": "posterior_share",
            "value": 0.41,
            "condition": "below 0.6",
            "points": 20,
            "label": {
                "zh": "用户满意率（经验贝叶斯估计）低于60%",
                "en": "share of satisfied ratings (empirical Bayes) below 60%",
            },
        },
    ]


def test_an_indicator_without_a_value_fires_nothing_and_is_listed():
    values = dict(CLEAN)
    del values["posterior_share"]
    values["months_since_inspection"] = None
    result = classify(values, default_rules())
    assert result.cls == "A" and set(result.unknown) == {
        "posterior_share",
        "months_since_inspection",
    }


GOOD = """\
name: {zh: 测试, en: test}
factors:
  - indicator: penalties_24m
    at_least: 1
    points: 50
    label: {zh: 处罚, en: penalty}
classes: {B: 10, C: 30, D: 50}
"""


def test_a_small_rule_file_of_ones_own():
    rules = load_rules(GOOD, "mine.yaml")
    assert classify({"penalties_24m": 1}, rules).cls == "D"
    assert classify({"penalties_24m": 0}, rules).cls == "A"


def test_every_problem_of_a_bad_rule_file_is_reported_at_its_line():
    bad = """\
name: {zh: 测试}
factors:
  - indicator: stars
    at_least: 1
    points: 5
    label: {zh: x, en: y}
  - indicator: penalties_24m
    at_least: 1
    below: 3
    points: 5
    label: {zh: x, en: y}
  - indicator: penalties_24m
    at_least: many
    points: 5
    label: {zh: x, en: y}
  - indicator: honours
    at_least: 1
    points: 0
    label: {zh: x, en: y}
classes: {B: 10, C: 10, D: 50}
colour: red
"""
    with pytest.raises(RulesError) as caught:
        load_rules(bad, "bad.yaml")
    problems = caught.value.problems
    assert problems == [
        "bad.yaml:21: unknown key 'colour' (name, factors, classes)",
        "bad.yaml:1: name needs zh and en text",
        f"bad.yaml:3: unknown indicator 'stars' (known: {', '.join(INDICATORS)})",
        "bad.yaml:7: give exactly one condition: at_least, above, at_most or below",
        "bad.yaml:13: at_least must be a number, not 'many'",
        "bad.yaml:18: points must be a whole number other than 0, not 0",
        "bad.yaml:20: the minimum of C must be a whole number above 10, not 10",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [", "bad.yaml:1: not YAML"),
        ("- a list", "bad.yaml:1: a rule file is a mapping"),
        (
            "name: {zh: a, en: b}\nname: {zh: a, en: b}\nfactors: []\nclasses: {B: 1, C: 2, D: 3}\n",
            "bad.yaml:2:",
        ),
    ],
)
def test_files_that_are_not_rules(text, expected):
    with pytest.raises(RulesError) as caught:
        load_rules(text, "bad.yaml")
    assert caught.value.problems[0].startswith(expected)
