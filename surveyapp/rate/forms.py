"""The rating form of a rating-form version: one radio group of 1-5 stars per item and
the comment box.  The form does the HTML side only (names, kept values, CSRF); what a
rating may be is decided by :func:`surveyapp.ratings.submit.validate_rating`, for this
page and the JSON API alike."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from surveyapp.i18n import t
from surveyapp.rate.texts import STAR_LABELS
from surveyapp.ratings.forms import STARS, RatingForm

PREFIX = "s_"
_CLASSES: dict[str, type[RateForm]] = {}


class RateForm(FlaskForm):
    """Base of every generated rating form: the sector and practitioner chosen."""

    sector = HiddenField()
    practitioner = HiddenField()
    comment = TextAreaField(filters=[lambda v: v.strip() if isinstance(v, str) else v])

    def localise(self, form: RatingForm, lang: str) -> None:
        for item in form.items:
            self[PREFIX + item.id].choices = [
                SelectChoice(str(n), t(key, lang))
                for n, key in zip(STARS, STAR_LABELS, strict=True)
            ]

    def payload(self, form: RatingForm) -> dict[str, Any]:
        """The rating as the JSON API would receive it."""
        stars = {item.id: self[PREFIX + item.id].data or None for item in form.items}
        return {"stars": stars, "comment": self.comment.data or None}

    def set_errors(self, errors: dict[str, str]) -> list[str]:
        """Attach ``{path: message}`` to the fields; return the messages of no field."""
        general = []
        for path, message in errors.items():
            name = PREFIX + path.removeprefix("stars.") if path.startswith("stars.") else path
            if name in self._fields and name not in ("sector", "practitioner"):
                self[name].errors = [*self[name].errors, message]
            else:
                general.append(message)
        return general


def form_class(form: RatingForm) -> type[RateForm]:
    """The :class:`RateForm` subclass of ``form`` (one per content, cached)."""
    key = form.content_hash()
    cls = _CLASSES.get(key)
    if cls is None:
        fields = {
            PREFIX + item.id: RadioField(choices=[SelectChoice(str(n), str(n)) for n in STARS],
                                         validate_choice=False)
            for item in form.items
        }  # fmt: skip
        cls = _CLASSES[key] = type(f"RateForm_{form.id}", (RateForm,), fields)
    return cls
