"""Flask-WTF forms of the account pages (CSRF-protected like every form of the app)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from surveyapp.models.user import ROLES


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=1024)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(validators=[DataRequired(), Length(max=1024)])


class CreateUserForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64)])
    role = StringField(validators=[DataRequired(), AnyOf(ROLES)])
    sectors = StringField(validators=[Length(max=400)])
    # a provider account: the credit code or registration number of its provider
    provider = StringField(validators=[Length(max=64)])

    def sector_list(self) -> list[str]:
        raw = (self.sectors.data or "").replace("，", ",")
        return [s.strip() for s in raw.split(",") if s.strip()]
