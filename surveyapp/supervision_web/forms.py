"""The supervision pages' forms (WTForms, CSRF from Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class ResultForm(FlaskForm):
    """One drawn provider's result; checked by the service like a CSV row."""

    credit_code = StringField(validators=[DataRequired(), Length(max=64)])
    inspected_on = StringField(validators=[DataRequired(), Length(max=10)])
    result = SelectField(
        choices=[SelectChoice("合格", "合格"), SelectChoice("不合格", "不合格")],
        validators=[DataRequired()],
    )
    findings = TextAreaField(validators=[Optional(), Length(max=2000)])
    inspectors = StringField(validators=[Optional(), Length(max=200)])


class PublishForm(FlaskForm):
    replaces = StringField(validators=[Optional(), Length(max=10)])


class WarnForm(FlaskForm):
    title = StringField(validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(validators=[DataRequired(), Length(max=4000)])


class DismissForm(FlaskForm):
    reason = StringField(validators=[DataRequired(), Length(max=500)])
