"""The survey form, generated from a questionnaire version and cached per version.

A questionnaire becomes a list of pages (who you are, one page per dimension, the
overall rating and suggestions) and one :class:`SurveyForm` subclass holding a field
per question.  The form does the HTML side only: field names and ids, keeping what
was entered, CSRF.  What an answer may be is decided once, by
:func:`surveyapp.responses.validate.validate_submission`, for this form and the JSON
API alike; its error paths (``answers.hyg_fresh``) map back to a page and a field here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from surveyapp.i18n import t
from surveyapp.questionnaire.model import Questionnaire, Scale, Text
from surveyapp.responses.validate import (
    MAX_TOKEN,
    CleanSubmission,
    FieldError,
    validate_submission,
)

NOT_APPLICABLE = "na"  # the "don't know / not applicable" choice of an optional rating
SELECT_OVER = 12  # a choice question with more options than this is a <select>
TOKEN_PATH = "token"

Kind = Literal["choice", "select", "rating", "text"]


@dataclass(frozen=True)
class Question:
    """One question as the pages show it; ``path`` is its key in the submission."""

    name: str
    path: str
    kind: Kind
    text: Text
    required: bool
    scale: Scale | None = None
    options: tuple[tuple[str, Text], ...] = ()
    max_length: int | None = None

    @property
    def key(self) -> str:
        return self.path.split(".", 1)[1]


@dataclass(frozen=True)
class Page:
    kind: Literal["intro", "dimension", "final"]
    title: Text | None
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class SurveyDefinition:
    """Pages and form class of one questionnaire version."""

    questionnaire: Questionnaire
    pages: tuple[Page, ...]
    form_class: type[SurveyForm]
    page_of_path: dict[str, int] = field(default_factory=dict)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, path: str) -> Question | None:
        for q in self.questions:
            if q.path == path:
                return q
        return None


class SurveyForm(FlaskForm):
    """Base of every generated survey form: navigation state and the invitation code."""

    class Meta:
        csrf_field_name = "csrf_token"

    page = HiddenField(default="0")
    started = HiddenField()
    token = StringField(
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        render_kw={"maxlength": MAX_TOKEN, "autocomplete": "off", "autocapitalize": "characters"},
    )

    def page_index(self, pages: int) -> int:
        try:
            index = int(self.page.data or 0)
        except (TypeError, ValueError):
            return 0
        return min(max(index, 0), pages - 1)

    def localise(
        self, definition: SurveyDefinition, lang: str, districts: Iterable[str] = ()
    ) -> None:
        """Give every choice its label in ``lang``; limit districts to the round's."""
        allowed = set(districts)
        for q in definition.questions:
            if q.kind == "text":
                continue
            if q.kind == "rating":
                scale = q.scale or definition.questionnaire.scale
                choices = [SelectChoice(str(p), scale.label(p, lang)) for p in scale.points]
                if not q.required:
                    choices.append(SelectChoice(NOT_APPLICABLE, t("not_applicable", lang)))
            else:
                options = q.options
                if q.path == "respondent.district" and allowed:
                    options = tuple(o for o in options if o[0] in allowed)
                choices = [SelectChoice(value, label.get(lang)) for value, label in options]
                if q.kind == "select":
                    choices.insert(0, SelectChoice("", t("choose", lang)))
            self[q.name].choices = choices

    def payload(self, definition: SurveyDefinition, started_at: datetime | None) -> dict[str, Any]:
        """The submission as the JSON API would receive it."""
        respondent: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        open_answers: dict[str, Any] = {}
        for q in definition.questions:
            value = self[q.name].data
            if isinstance(value, str) and value == "":
                value = None
            if q.path.startswith("respondent."):
                respondent[q.key] = value
            elif q.path.startswith("answers."):
                answers[q.key] = None if value == NOT_APPLICABLE else value
            elif value is not None:
                open_answers[q.key] = value
        return {
            "respondent": respondent,
            "answers": answers,
            "open": open_answers,
            "started_at": started_at,
            "channel": "web",
            "token": self.token.data or None,
        }

    def dont_know(self, definition: SurveyDefinition) -> list[str]:
        """The items answered "不了解/不适用" (sent as ``None`` in :meth:`payload`)."""
        return [
            q.key
            for q in definition.questions
            if q.kind == "rating" and self[q.name].data == NOT_APPLICABLE
        ]

    def submission(
        self, definition: SurveyDefinition, started_at: datetime | None
    ) -> CleanSubmission:
        """The checked submission (raises :class:`InvalidSubmission`), "don't know" kept."""
        return validate_submission(
            definition.questionnaire,
            self.payload(definition, started_at),
            dont_know=self.dont_know(definition),
        )

    def carried(self, definition: SurveyDefinition, page: int) -> list[tuple[str, str]]:
        """``(name, value)`` of every answer given on the other pages, for hidden inputs."""
        out = []
        for index, p in enumerate(definition.pages):
            if index == page:
                continue
            for q in p.questions:
                value = self[q.name].data
                if value not in (None, ""):
                    out.append((q.name, str(value)))
        return out

    def set_errors(
        self, definition: SurveyDefinition, errors: Mapping[str, FieldError], lang: str
    ) -> tuple[int | None, list[str]]:
        """Attach ``errors`` to their fields; return the first page with one, and the rest.

        Paths that are no question of the form (``started_at``, ``channel``) come back
        as plain messages so nothing is silently dropped.
        """
        first: int | None = None
        general: list[str] = []
        for path, error in errors.items():
            message = error.message(lang)
            if path == TOKEN_PATH:
                self.token.errors = [*self.token.errors, message]
                page = 0
            elif (question := definition.question(path)) is not None:
                target = self[question.name]
                target.errors = [*target.errors, message]
                page = definition.page_of_path[path]
            else:
                general.append(message)
                continue
            first = page if first is None else min(first, page)
        return first, general

    def error_count(self, definition: SurveyDefinition, page: int) -> int:
        names = [q.name for q in definition.pages[page].questions]
        if page == 0:
            names.append("token")
        return sum(1 for name in names if self[name].errors)


def _field_name(path: str) -> str:
    section, key = path.split(".", 1)
    return {"respondent": "r_", "answers": "a_", "open": "o_"}[section] + key


def build_definition(q: Questionnaire) -> SurveyDefinition:
    """Pages and a fresh :class:`SurveyForm` subclass for ``q`` (use :func:`definition_for`)."""
    intro = tuple(
        Question(
            name=_field_name(f"respondent.{r.id}"),
            path=f"respondent.{r.id}",
            kind="select" if len(r.options) > SELECT_OVER else "choice",
            text=r.text,
            required=r.required,
            options=tuple((o.value, o.label) for o in r.options),
        )
        for r in q.respondent
    )
    pages = [Page("intro", None, intro)]
    for dim in q.dimensions:
        questions = tuple(
            Question(
                name=_field_name(f"answers.{item.id}"),
                path=f"answers.{item.id}",
                kind="rating",
                text=item.text,
                required=item.required,
                scale=item.scale,
            )
            for item in dim.items
        )
        pages.append(Page("dimension", dim.title, questions))
    final = [
        Question(
            name=_field_name(f"answers.{q.overall.id}"),
            path=f"answers.{q.overall.id}",
            kind="rating",
            text=q.overall.text,
            required=q.overall.required,
            scale=q.overall.scale,
        )
    ]
    final += [
        Question(
            name=_field_name(f"open.{oq.id}"),
            path=f"open.{oq.id}",
            kind="text",
            text=oq.text,
            required=oq.required,
            max_length=oq.max_length,
        )
        for oq in q.open_questions
    ]
    pages.append(Page("final", None, tuple(final)))

    attrs: dict[str, Any] = {}
    page_of_path: dict[str, int] = {}
    for index, page in enumerate(pages):
        for question in page.questions:
            page_of_path[question.path] = index
            if question.kind == "rating" or question.kind == "choice":
                attrs[question.name] = RadioField(choices=[], validate_choice=False)
            elif question.kind == "select":
                attrs[question.name] = SelectField(choices=[], validate_choice=False)
            else:
                attrs[question.name] = TextAreaField()
    form_class = type(f"SurveyForm_{q.id}_v{q.version}".replace("-", "_"), (SurveyForm,), attrs)
    return SurveyDefinition(q, tuple(pages), form_class, page_of_path)


_cache: dict[tuple[str, int, str], SurveyDefinition] = {}
_cache_lock = threading.Lock()


def definition_for(q: Questionnaire) -> SurveyDefinition:
    """The cached :class:`SurveyDefinition` of a questionnaire version."""
    key = (q.id, q.version, q.content_hash())
    found = _cache.get(key)
    if found is None:
        with _cache_lock:
            found = _cache.get(key)
            if found is None:
                found = _cache[key] = build_definition(q)
    return found


__all__ = [
    "NOT_APPLICABLE",
    "Page",
    "Question",
    "SurveyDefinition",
    "SurveyForm",
    "build_definition",
    "definition_for",
]
