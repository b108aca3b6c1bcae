"""The two forms of a provider's page: a bureau hides a comment, a provider replies."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField


class HideForm(FlaskForm):
    """The reason (required, checked by :func:`surveyapp.providers.comments.hide_comment`)."""

    reason = TextAreaField()


class ReplyForm(FlaskForm):
    """The reply (required, checked by :func:`surveyapp.providers.comments.reply_to_comment`)."""

    text = TextAreaField()
