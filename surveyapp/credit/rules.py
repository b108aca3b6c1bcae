"""Risk classes A-D from a provider's credit record, by a transparent rule set.

The national market regulator sorts enterprises into credit-risk classes A to D
(低 / 一般 / 较高 / 高 风险) and inspects the higher classes more often.  A class nobody
can explain invites disputes, so here the rules are a small YAML file a bureau can
read and change (``default_rules.yaml``): each *factor* is a condition on one indicator
of the credit record and the points it adds (an honour may subtract); the points'
sum decides the class by three cut-offs.  Every classification carries the factors
that fired, with the indicator's value: the "why C" a provider is owed.

An indicator a provider has no value for (no ratings yet, never inspected) fires no
factor and is listed as unknown, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from surveyapp.questionnaire.reading import LinedFileError, read_lined

DEFAULT = Path(__file__).with_name("default_rules.yaml")
CLASSES = ("A", "B", "C", "D")
CONDITIONS = {
    "at_least": lambda v, t: v >= t,
    "above": lambda v, t: v > t,
    "at_most": lambda v, t: v <= t,
    "below": lambda v, t: v < t,
}

#: The indicators a credit record gives, each with what it counts (one home for the names).
INDICATORS: dict[str, str] = {
    "complaints_per_1000_ratings": "accepted complaints in the window per 1,000 ratings",
    "complaints_12m": "accepted complaints in the last 12 months",
    "failed_inspections_24m": "inspections failed in the last 24 months",
    "penalties_24m": "administrative penalties in the last 24 months, not repaired",
    "abnormal_listings": "current abnormal-operation listings, not repaired",
    "posterior_share": "posterior share of satisfied ratings (0-1)",
    "low_score_periods": "consecutive periods with the posterior score below the threshold",
    "months_since_inspection": "months since the last inspection",
    "honours": "current honours (model enterprise, brand certification)",
}


class RulesError(ValueError):
    """A rule file that cannot be used; ``problems`` are "file:line: what" lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    indicator: str
    condition: str
    threshold: float
    points: int
    label: dict[str, str]

    def holds(self, value: float) -> bool:
        return bool(CONDITIONS[self.condition](value, self.threshold))


@dataclass(frozen=True)
class RuleSet:
    name: dict[str, str]
    rules: tuple[Rule, ...]
    minimum: dict[str, int]  # class -> minimum points; A is 0


@dataclass(frozen=True)
class Factor:
    """A factor that fired: the indicator, its value, the condition and the points."""

    indicator: str
    value: float
    condition: str
    threshold: float
    points: int
    label: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "value": self.value,
            "condition": f"{self.condition} {self.threshold:g}",
            "points": self.points,
            "label": self.label,
        }


@dataclass(frozen=True)
class Classification:
    cls: str
    points: int
    factors: tuple[Factor, ...]
    unknown: tuple[str, ...]  # indicators the rules use that had no value


def classify(values: Mapping[str, float | None], rules: RuleSet) -> Classification:
    """The class of one provider from its indicator values."""
    fired: list[Factor] = []
    unknown: list[str] = []
    for rule in rules.rules:
        value = values.get(rule.indicator)
        if value is None:
            if rule.indicator not in unknown:
                unknown.append(rule.indicator)
            continue
        if rule.holds(float(value)):
            fired.append(
                Factor(
                    rule.indicator,
                    float(value),
                    rule.condition,
                    rule.threshold,
                    rule.points,
                    rule.label,
                )
            )
    points = sum(f.points for f in fired)
    cls = "A"
    for name in CLASSES[1:]:
        if points >= rules.minimum[name]:
            cls = name
    return Classification(cls, points, tuple(fired), tuple(unknown))


def classify_many(columns: Mapping[str, np.ndarray], rules: RuleSet) -> list[Classification]:
    """:func:`classify` of many providers at once, equal to it provider by provider.

    ``columns`` holds one float array per indicator (NaN: unknown; an indicator missing is
    unknown for all).  The conditions are evaluated on whole columns; a classification is
    then built once per distinct outcome (the same factors with the same values, the same
    unknowns) and shared, as it is frozen.
    """
    size = len(next(iter(columns.values()))) if columns else 0
    if len(rules.rules) > 62:  # the outcome would not fit a bit mask: one by one
        lists = {name: column.tolist() for name, column in columns.items()}
        return [
            classify({k: (v[i] if v[i] == v[i] else None) for k, v in lists.items()}, rules)
            for i in range(size)
        ]
    unknown_of = np.zeros(size, dtype=np.int64)
    fired_of = np.zeros(size, dtype=np.int64)
    values: list[list[float]] = []
    for j, rule in enumerate(rules.rules):
        column = columns.get(rule.indicator)
        if column is None:
            column = np.full(size, np.nan)
        column = np.asarray(column, dtype=np.float64)
        known = ~np.isnan(column)
        unknown_of |= (~known).astype(np.int64) << j
        holds = np.zeros(size, dtype=bool)
        holds[known] = CONDITIONS[rule.condition](column[known], rule.threshold)
        fired_of |= holds.astype(np.int64) << j
        values.append(column.tolist())

    unknowns: dict[int, tuple[str, ...]] = {}
    shapes: dict[int, tuple[list[int], int, str]] = {}  # fired mask → rules, points, class
    factors: dict[tuple[int, float], Factor] = {}
    done: dict[tuple[Any, ...], Classification] = {}
    out: list[Classification] = []
    for i, (fired, unknown) in enumerate(zip(fired_of.tolist(), unknown_of.tolist(), strict=True)):
        shape = shapes.get(fired)
        if shape is None:
            which = [j for j in range(len(rules.rules)) if fired >> j & 1]
            points = sum(rules.rules[j].points for j in which)
            cls = "A"
            for name in CLASSES[1:]:
                if points >= rules.minimum[name]:
                    cls = name
            shape = shapes[fired] = (which, points, cls)
        key = (fired, unknown, *[values[j][i] for j in shape[0]])
        found = done.get(key)
        if found is None:
            if unknown not in unknowns:
                names = [r.indicator for j, r in enumerate(rules.rules) if unknown >> j & 1]
                unknowns[unknown] = tuple(dict.fromkeys(names))
            fired_factors = []
            for j in shape[0]:
                value = values[j][i]
                factor = factors.get((j, value))
                if factor is None:
                    r = rules.rules[j]
                    factor = Factor(r.indicator, value, r.condition, r.threshold, r.points, r.label)
                    factors[(j, value)] = factor
                fired_factors.append(factor)
            found = Classification(shape[2], shape[1], tuple(fired_factors), unknowns[unknown])
            done[key] = found
        out.append(found)
    return out


def _label(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and all(
        isinstance(value.get(k), str) and value[k].strip() for k in ("zh", "en")
    ):
        return {"zh": value["zh"].strip(), "en": value["en"].strip()}
    return None


def load_rules(text: str, source: str = "rules") -> RuleSet:
    """Read and check a rule file; every problem is reported with its line at once."""
    try:
        doc, problems = read_lined(text, source)
    except LinedFileError as exc:
        raise RulesError(exc.problems) from None

    def problem(path: tuple[str | int, ...], what: str) -> None:
        problems.append(f"{source}:{doc.line(path)}: {what}")

    data = doc.data
    if not isinstance(data, dict):
        raise RulesError([f"{source}:1: a rule file is a mapping with name, factors and classes"])
    for key in data:
        if key not in ("name", "factors", "classes"):
            problem((key,), f"unknown key {key!r} (name, factors, classes)")
    name = _label(data.get("name"))
    if name is None:
        problem(("name",), "name needs zh and en text")
    rules: list[Rule] = []
    factors = data.get("factors")
    if not isinstance(factors, list) or not factors:
        problem(("factors",), "factors must be a list of at least one factor")
        factors = []
    for i, entry in enumerate(factors):
        at = ("factors", i)
        if not isinstance(entry, dict):
            problem(at, "a factor is a mapping (indicator, a condition, points, label)")
            continue
        indicator = entry.get("indicator")
        if indicator not in INDICATORS:
            problem(
                (*at, "indicator"),
                f"unknown indicator {indicator!r} (known: {', '.join(INDICATORS)})",
            )
        conditions = [c for c in CONDITIONS if c in entry]
        extra = [k for k in entry if k not in (*CONDITIONS, "indicator", "points", "label")]
        for key in extra:
            problem((*at, key), f"unknown key {key!r}")
        if len(conditions) != 1:
            problem(at, "give exactly one condition: at_least, above, at_most or below")
            continue
        threshold = entry[conditions[0]]
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            problem((*at, conditions[0]), f"{conditions[0]} must be a number, not {threshold!r}")
            continue
        points = entry.get("points")
        if isinstance(points, bool) or not isinstance(points, int) or points == 0:
            problem((*at, "points"), f"points must be a whole number other than 0, not {points!r}")
            continue
        label = _label(entry.get("label"))
        if label is None:
            problem((*at, "label"), "label needs zh and en text")
            continue
        if indicator in INDICATORS:
            rules.append(Rule(str(indicator), conditions[0], float(threshold), points, label))
    minimum: dict[str, int] = {"A": 0}
    classes = data.get("classes")
    if not isinstance(classes, dict) or set(classes) != {"B", "C", "D"}:
        problem(("classes",), "classes must give the minimum points of B, C and D")
    else:
        last = 0
        for cls in ("B", "C", "D"):
            value = classes[cls]
            if isinstance(value, bool) or not isinstance(value, int) or value <= last:
                problem(
                    ("classes", cls),
                    f"the minimum of {cls} must be a whole number above {last}, not {value!r}",
                )
            else:
                minimum[cls] = last = value
    if problems:
        raise RulesError(problems)
    assert name is not None
    return RuleSet(name, tuple(rules), minimum)


def read_rules(path: Path | str) -> RuleSet:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError([f"{path.name}:1: cannot be read as UTF-8 text ({exc})"]) from None
    return load_rules(text, path.name)


@cache
def default_rules() -> RuleSet:
    """The shipped rules, read once per process."""
    return read_rules(DEFAULT)
