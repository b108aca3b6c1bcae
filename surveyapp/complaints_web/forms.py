"""The complaint pages' forms (WTForms, CSRF from Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from surveyapp.models.complaint import COMPLAINT_OUTCOMES


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class ComplaintForm(FlaskForm):
    """A resident's complaint; choices and labels are set per request (language)."""

    provider_q = StringField(validators=[Optional(), Length(max=100)])
    provider_id = RadioField(validators=[Optional()], validate_choice=False)
    provider_name = StringField(validators=[Optional(), Length(max=200)])
    sector = SelectField(validators=[DataRequired()])
    category = SelectField(validators=[DataRequired()])
    description = TextAreaField(validators=[DataRequired(), Length(max=2000)])
    amount = StringField(validators=[Optional(), Length(max=20)])
    complainant_name = StringField(validators=[Optional(), Length(max=64)])
    complainant_phone = StringField(validators=[Optional(), Length(max=32)])
    action = HiddenField()


class StatusForm(FlaskForm):
    code = StringField(validators=[DataRequired(), Length(max=20)])


class StepForm(FlaskForm):
    to = SelectField(
        choices=choices((s, s) for s in ("accepted", "not_accepted", "mediation", "closed")),
        validators=[DataRequired()],
    )
    # checked by transition(): closing needs one, other steps take none
    outcome = SelectField(
        choices=choices([("", ""), *((o, o) for o in COMPLAINT_OUTCOMES)]), validate_choice=False
    )
    note = TextAreaField(validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    handler = SelectField(coerce=int, validate_choice=True)


class PublishForm(FlaskForm):
    period = StringField(validators=[DataRequired(), Length(max=7)])
    lang = SelectField(choices=choices([("zh", "zh"), ("en", "en")]))
    replaces = StringField(validators=[Optional(), Length(max=10)])


class ExplanationForm(FlaskForm):
    period = StringField(validators=[DataRequired(), Length(max=7)])
    credit_code = StringField(validators=[DataRequired(), Length(max=64)])
    text = TextAreaField(validators=[DataRequired(), Length(max=1000)])


class DecideForm(FlaskForm):
    decision = SelectField(choices=choices([("approved", "approved"), ("rejected", "rejected")]))
    reason = StringField(validators=[Optional(), Length(max=500)])


class WarningForm(FlaskForm):
    scope = SelectField(choices=choices([("provider", "provider"), ("category", "category")]))
    credit_code = StringField(validators=[Optional(), Length(max=64)])
    sector = SelectField(validators=[Optional()])
    category = SelectField(validators=[Optional()])
    title = StringField(validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(validators=[DataRequired(), Length(max=4000)])


class OwnExplanationForm(FlaskForm):
    """A provider account's explanation of its own publicity line."""

    period = StringField(validators=[DataRequired(), Length(max=7)])
    text = TextAreaField(validators=[DataRequired(), Length(max=1000)])


class MatchForm(FlaskForm):
    """Staff point a free-text complaint at a registry provider."""

    provider_id = StringField(validators=[DataRequired(), Length(max=12)])
