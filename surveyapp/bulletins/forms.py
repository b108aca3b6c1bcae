"""The evaluator's bulletin form (Flask-WTF: CSRF-protected like every form of the app).

The choices depend on the database (periods and sectors that have rounds, editions that
can still be corrected), so the view fills them in with :func:`fill_choices` before
validating; a value that is not offered is refused by the field itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


def _edition_or_none(value: object) -> int | None:
    """``""`` (a new edition) → ``None``; an edition number → ``int``."""
    if value in (None, "", "None"):
        return None
    return int(str(value))


class BulletinForm(FlaskForm):
    """Period, sectors (none ticked: all), language, the edition a correction replaces,
    and the confirmation of an interim edition."""

    period = SelectField(validators=[DataRequired()], choices=[])
    sectors = SelectMultipleField(choices=[], validate_choice=True)
    lang = RadioField(choices=[SelectChoice("zh"), SelectChoice("en")], default="zh")
    replaces = SelectField(coerce=_edition_or_none, choices=[], default=None)
    # publishing while a round of the period is open: the publisher confirms an interim
    # edition (surveyapp.bulletins.service.InterimNotConfirmed otherwise)
    interim = BooleanField(default=False)


def fill_choices(
    form: BulletinForm,
    periods: Sequence[tuple[str, str]],
    sectors: Sequence[tuple[str, str]],
    editions: Sequence[tuple[int | None, str]],
) -> BulletinForm:
    """Set the offered values from ``(value, label)`` pairs; ``editions`` starts with the
    "new edition" choice (value ``None``, sent as an empty string)."""
    form.period.choices = [SelectChoice(v, label) for v, label in periods]
    form.sectors.choices = [SelectChoice(v, label) for v, label in sectors]
    form.replaces.choices = [
        SelectChoice("" if v is None else str(v), label) for v, label in editions
    ]
    return form


class ModerationForm(FlaskForm):
    """Approve or reject suggestions of one round: the ticked ``keys``, or every
    ``listed`` one with ``select_all``; ``action`` comes from the button pressed.  The
    view offers the round's current entries as choices, so a stale or forged key is
    refused; a rejection's reason is checked by the view (required) and here (length)."""

    period = HiddenField(validators=[DataRequired()])
    status = HiddenField()
    round = HiddenField(validators=[DataRequired()])
    keys = SelectMultipleField(choices=[], validate_choice=True)
    listed = SelectMultipleField(choices=[], validate_choice=True)
    select_all = BooleanField()
    action = SelectField(choices=[SelectChoice("approve"), SelectChoice("reject")])
    reason = TextAreaField(validators=[Length(max=500)])
