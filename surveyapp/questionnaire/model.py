"""Typed, immutable view of a questionnaire definition.

The YAML files under ``questionnaires/`` are parsed and validated by
:mod:`surveyapp.questionnaire.loader` into these dataclasses.  Everything else in
the application (forms, storage, exports, analysis) reads questionnaires only
through this model, so the order of items defined here is the order answers are
stored in and the column order of every export.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """A bilingual text; a missing translation falls back to the other language."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        if lang == "en":
            return self.en or self.zh
        return self.zh or self.en

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Scale:
    """A rating scale ``min..max`` with one label per point and language."""

    min: int
    max: int
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    def label(self, value: int, lang: str) -> str:
        labels = self.labels.get(lang) or self.labels.get("zh") or self.labels.get("en")
        if labels and len(labels) == len(self.points):
            return labels[value - self.min]
        return str(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "min": self.min,
            "max": self.max,
            "labels": {k: list(v) for k, v in self.labels.items()},
        }


@dataclass(frozen=True)
class Item:
    """A rating item of a dimension."""

    id: str
    text: Text
    scale: Scale
    weight: float = 1.0
    required: bool = False


@dataclass(frozen=True)
class OverallItem:
    """The overall-satisfaction item; it defines who counts as satisfied."""

    id: str
    text: Text
    scale: Scale
    satisfied_threshold: int
    required: bool = True


@dataclass(frozen=True)
class Dimension:
    id: str
    title: Text
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Option:
    """One choice of a respondent question: the stored value and its labels."""

    value: str
    label: Text


@dataclass(frozen=True)
class RespondentQuestion:
    """A question about the respondent (district, age group, ...): always a choice."""

    id: str
    text: Text
    options: tuple[Option, ...]
    type: str = "choice"
    required: bool = True

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class OpenQuestion:
    """A free-text question; never part of any index."""

    id: str
    text: Text
    max_length: int = 1000
    required: bool = False


@dataclass(frozen=True)
class Questionnaire:
    """One version of a questionnaire.

    ``definition`` keeps the validated source mapping so that the exact text a
    resident saw can be stored with the version and served by the API.
    """

    id: str
    version: int
    sector: str
    title: Text
    goal: float
    scale: Scale
    overall: OverallItem
    dimensions: tuple[Dimension, ...]
    respondent: tuple[RespondentQuestion, ...] = ()
    open_questions: tuple[OpenQuestion, ...] = ()
    intro: Text | None = None
    rate_goal: float | None = None
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # Cached: the submission path reads these on every request; the dataclass is frozen,
    # so computing them once per parsed questionnaire is safe.
    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every rating item, dimension by dimension, in file order."""
        return tuple(item for dim in self.dimensions for item in dim.items)

    @cached_property
    def answer_ids(self) -> tuple[str, ...]:
        """Storage order of scored answers: the rating items, then the overall item."""
        return tuple(item.id for item in self.items) + (self.overall.id,)

    @cached_property
    def respondent_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.respondent)

    @cached_property
    def _scales(self) -> dict[str, Scale]:
        scales = {item.id: item.scale for item in self.items}
        scales[self.overall.id] = self.overall.scale
        return scales

    def scale_of(self, answer_id: str) -> Scale:
        return self._scales[answer_id]

    def respondent_question(self, qid: str) -> RespondentQuestion:
        for q in self.respondent:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the definition, minus its version number.

        Two files that differ only in layout, comments or key order hash alike; a
        changed text, weight or option does not.
        """
        body = {k: v for k, v in self.definition.items() if k != "version"}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
