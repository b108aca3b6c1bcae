"""``/dashboard/rounds/<code>/responses.<csv|xlsx|sav>``: a round's responses for the
signed-in side (admins, evaluators, and bureaus for their own sectors)."""

from surveyapp.exports.routes import bp

__all__ = ["bp"]
