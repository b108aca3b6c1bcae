"""The circle pages' forms (WTForms, CSRF from Flask-WTF); the files are checked by
:mod:`surveyapp.circle.files`, the same reader as the command's."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Length


class CommunitiesForm(FlaskForm):
    file = FileField()


class CandidatesForm(FlaskForm):
    type = StringField(validators=[Length(max=200)])
    k = StringField(validators=[Length(max=4)])
    candidates = FileField()
