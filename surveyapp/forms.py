"""Forms shared by several blueprints."""

from __future__ import annotations

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: a button that changes something (logout,
    unlock, revoke, close) is still a form, so it cannot be forged from another site."""
