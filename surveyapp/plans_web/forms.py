"""The plan pages' forms (WTForms, CSRF from Flask-WTF); the values are checked by
:func:`surveyapp.plans.check_entry`, the one check of the form, the file and the API."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length


class ValueForm(FlaskForm):
    period = StringField(validators=[Length(max=16)])
    value = StringField(validators=[Length(max=40)])
    note = TextAreaField(validators=[Length(max=500)])


class UploadForm(FlaskForm):
    file = FileField()
