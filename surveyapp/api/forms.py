"""The form of the token page (CSRF-protected like every form of the app)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from surveyapp.api.tokens import MAX_NAME


class CreateTokenForm(FlaskForm):
    name = StringField(validators=[DataRequired(), Length(max=MAX_NAME)])
