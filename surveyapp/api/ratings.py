"""``POST /api/v1/providers/<provider>/ratings``: a rating from a kiosk or a mini-program,
with a channel key as for survey responses.

The body is the rating page's form as JSON (``{"stars": {"overall": 5, ...},
"comment": "...", "device_id": "...", "sector": "catering", "practitioner": 12}``);
it goes through the same two service calls as the page
(:func:`~surveyapp.ratings.submit.validate_rating`, then
:func:`~surveyapp.ratings.submit.submit_rating`), so a rating is checked and stored the
same way, whole or not at all, and a second rating of the same ``device_id`` in the
window replaces the first (``"replaced": true``).  A rating without ``device_id`` is
never matched to another.  A key limited to some rounds may not post ratings.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from sqlalchemy import select

from surveyapp.api.bearer import channel_key_required, channel_source
from surveyapp.api.routes import _read_json, bp
from surveyapp.extensions import db
from surveyapp.i18n import N_
from surveyapp.json_errors import api_lang, error_response
from surveyapp.models import Practitioner
from surveyapp.providers.published import rating_stored
from surveyapp.providers.registry import RatedProvider, rated_provider
from surveyapp.ratings.forms import form_version, rating_forms_memo, shipped_form
from surveyapp.ratings.submit import (
    Rater,
    RatingRefused,
    submit_rating,
    validate_rating,
)
from surveyapp.responses.validate import FieldError, InvalidSubmission
from surveyapp.security import rate_limited, submission_origin

#: The refusals' codes, each a message id (``{"error": code, "message": ...}``).
ERRORS = (
    N_("rate_key_forbidden"),
    N_("rate_not_found"),
    N_("rate_no_form"),
    N_("rate_no_practitioner"),
    N_("rate_closed"),
)


@bp.post("/providers/<code>/ratings")
@rate_limited("api")
@channel_key_required
def post_rating(code: str):
    source = channel_source()
    if source.rounds is not None:
        return error_response(403, "rate_key_forbidden")
    provider = rated_provider(db.session, code)  # plain values: no ORM objects to build
    if provider is None:
        return error_response(404, "rate_not_found")
    payload, problem = _read_json()
    if problem is not None:
        return problem
    try:
        body: dict[str, Any] = dict(payload) if isinstance(payload, dict) else {}
        if not isinstance(payload, dict):
            raise InvalidSubmission({"body": FieldError("not_object")})
        sector = _sector(provider, body.pop("sector", None))
        practitioner = _practitioner(provider, body.pop("practitioner", None))
        form = shipped_form(sector)
        if form is None:
            return error_response(404, "rate_no_form")
        version = form_version(db.session, form, rating_forms_memo(current_app))
        clean = validate_rating(version, body, allow_device=True)
        origin = submission_origin(source.id)
        stored = submit_rating(
            db.session,
            provider,
            version,
            clean,
            Rater(
                device_id=clean.device_id,
                source=origin.source,
                channel=source.channel,
                channel_key_id=source.id,
                threshold=origin.threshold,
                label=origin.label,
            ),
            secret=current_app.config["SECRET_KEY"],
            window_days=current_app.config["RATING_WINDOW_DAYS"],
            practitioner=practitioner,
        )
    except InvalidSubmission as exc:
        return error_response(400, "invalid", fields=exc.messages(api_lang()))
    except RatingRefused as exc:
        return error_response(exc.status, exc.code)
    if not stored.held:  # the stored scores take it in the background, pages or not
        rating_stored(db.session, current_app._get_current_object())  # type: ignore[attr-defined]
    answer = {
        "id": stored.id,
        "provider": provider.key,
        "sector": sector,
        "form": {"id": version.form.id, "version": version.version},
        "replaced": stored.replaced,
        "held": stored.held,
    }
    return jsonify(answer), 201


def _sector(provider: RatedProvider, wanted: Any) -> str:
    """The sector asked for (one of the provider's), else the provider's first."""
    sectors = provider.sectors
    if wanted is None and sectors:
        return sectors[0]
    if not isinstance(wanted, str) or wanted not in sectors:
        raise InvalidSubmission({"sector": FieldError("unknown_option")})
    return wanted


def _practitioner(provider: RatedProvider, wanted: Any) -> Practitioner | None:
    if wanted is None:
        return None
    if isinstance(wanted, bool) or not isinstance(wanted, int) or not 0 < wanted < 2**31:
        raise InvalidSubmission({"practitioner": FieldError("unknown_option")})
    found = db.session.scalar(
        select(Practitioner).where(
            Practitioner.id == wanted,
            Practitioner.provider_id == provider.id,
            Practitioner.status == "active",
        )
    )
    if found is None:
        raise RatingRefused("rate_no_practitioner", 404)
    return found
