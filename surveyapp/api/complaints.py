"""``POST /api/v1/complaints``: a hotline's or mini-program's complaint, with a channel key.

A key limited to some survey rounds (``--rounds``) may not post complaints (403).
The body is one complaint (the complaints file's field names); it goes through the same
:func:`surveyapp.complaints.intake` as the web form and the CSV import, and the reply
carries the receipt code (shown once) and the acceptance deadline.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, jsonify

from surveyapp.api.bearer import channel_key_required, channel_source
from surveyapp.api.routes import _read_json, bp
from surveyapp.complaints import (
    ComplaintDraft,
    ComplaintSettings,
    IntakeError,
    case_deadlines,
    intake,
)
from surveyapp.extensions import db
from surveyapp.json_errors import error_response
from surveyapp.models.base import utcnow
from surveyapp.security import rate_limited

TEXT_FIELDS = ("sector", "category", "description", "external_id", "credit_code",
               "provider_name", "complainant_name", "complainant_phone")  # fmt: skip


def _draft(payload: dict[str, Any]) -> tuple[ComplaintDraft | None, dict[str, str]]:
    bad: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = payload.get(name)
        if value is not None and not isinstance(value, str):
            bad[name] = "not a string"
        values[name] = value if isinstance(value, str) else None
    provider_id = payload.get("provider_id")
    if provider_id is not None and (
        not isinstance(provider_id, int) or isinstance(provider_id, bool)
    ):
        bad["provider_id"] = "not an integer"
        provider_id = None
    amount = None
    if payload.get("amount") is not None:
        try:
            amount = Decimal(str(payload["amount"]))
        except InvalidOperation:
            bad["amount"] = "not a number"
    received_at = utcnow()
    if payload.get("received_at") is not None:
        try:
            received_at = datetime.fromisoformat(str(payload["received_at"]))
        except ValueError:
            bad["received_at"] = "not an ISO 8601 date-time"
    for name in ("sector", "category", "description"):
        if not values[name]:
            bad.setdefault(name, "required")
    if bad:
        return None, bad
    return ComplaintDraft(
        received_at=received_at,
        channel="api",
        sector=values["sector"],
        category=values["category"],
        description=values["description"],
        external_id=values["external_id"],
        provider_id=provider_id,
        credit_code=values["credit_code"],
        provider_name=values["provider_name"],
        amount=amount,
        complainant_name=values["complainant_name"],
        complainant_phone=values["complainant_phone"],
    ), {}


@bp.post("/complaints")
@rate_limited("api")
@channel_key_required
def post_complaint():
    source = channel_source()
    if source.rounds is not None:  # a kiosk's key bound to some survey rounds
        return error_response(403, "cmp_key_forbidden")
    payload, problem = _read_json()
    if problem is not None:
        return problem
    if not isinstance(payload, dict):
        return error_response(400, "invalid", fields={"": "not an object"})
    draft, bad = _draft(payload)
    if draft is None:
        return error_response(400, "invalid", fields=bad)
    settings = ComplaintSettings.from_config(current_app.config)
    try:
        stored = intake(db.session, [draft], f"api:{source.id}", settings)
    except IntakeError as exc:
        return error_response(
            400, "invalid", fields={p.field: p.message for p in exc.problems.get(0, [])}
        )
    item = stored[0]
    deadlines = case_deadlines(item.case, settings.calendar(), settings)
    return jsonify(
        receipt=item.receipt,
        status=item.case.status,
        accept_by=deadlines.accept_by.day.isoformat(),
        accept_by_provisional=deadlines.accept_by.provisional,
    ), 201
