"""Responses stored through the real submission path, for the export tests."""

from __future__ import annotations

from collections.abc import Sequence

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.responses.submit import Client, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.rounds.service import get_round
from tests.api.test_submit import _payload


def submit_suggestions(app, code: str, texts: Sequence[str]) -> None:
    """One response to round ``code`` per text, the text as the open answer, from
    distinct devices (the one-response rule would refuse a second from the same)."""
    with app.app_context():
        round_ = get_round(db.session, code)
        q = questionnaire_of(round_.questionnaire_version)
        for i, text in enumerate(texts):
            clean = validate_submission(q, _payload(app, code, open={"suggestions": text}))
            client = Client(device_id=f"{code}-{i}", fingerprint=f"10.9.{len(code)}.{i}|UA {code}")
            submit_response(db.session, round_, clean, client)
