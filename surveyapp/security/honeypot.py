"""The honeypot: a text field on every survey page that no person fills in.

It is hidden from sight by the ``visually-hidden`` class, from screen readers by
``aria-hidden``, from keyboards by ``tabindex=-1`` and from autofill by
``autocomplete=off``; form-filling robots see an ordinary "website" box.

Choice: a submission with the honeypot filled is **answered like a success** (the
thank-you page) and **not stored**.  Storing it, even flagged, would record its
device and fingerprint hashes and so block a real resident behind the same address
and browser, and would leave the analysis to filter it out.  It is not silent for
operators: a ``honeypot`` event goes to the structured log with the request id.
"""

from __future__ import annotations

from collections.abc import Mapping

from surveyapp.ops.logs import log_event

HONEYPOT_FIELD = "website"


def honeypot_filled(form: Mapping[str, str], round_code: str) -> bool:
    """True (and logged) when the trap field came back with anything in it."""
    if not (form.get(HONEYPOT_FIELD) or "").strip():
        return False
    log_event("honeypot", round=round_code)
    return True
