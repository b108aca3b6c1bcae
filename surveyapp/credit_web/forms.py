"""The credit record's forms (WTForms, CSRF from Flask-WTF): what is wrong is said by the
view in the page's language, so the validators only bound the input."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from surveyapp.models.credit import RISK_CLASSES


class OverrideForm(FlaskForm):
    """A bureau sets the class until a day (the last day it holds), with a reason."""

    cls = SelectField(
        choices=[SelectChoice(c, c) for c in RISK_CLASSES], validators=[DataRequired()]
    )
    reason = StringField(validators=[DataRequired(), Length(max=500)])
    expires_on = DateField(validators=[DataRequired()])


class RepairForm(FlaskForm):
    """Credit repair (信用修复): an event of the record stops counting on a day."""

    event = SelectField(coerce=int, validate_choice=True)
    on = DateField(validators=[DataRequired()])
    reason = StringField(validators=[DataRequired(), Length(max=500)])
