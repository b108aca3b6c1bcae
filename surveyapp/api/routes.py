"""API routes: thin; they parse JSON, call a service and shape the reply."""

from __future__ import annotations

import json
import re

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from surveyapp.api.bearer import channel_key_required, channel_source, check_channel_key
from surveyapp.catalog import find_version, latest_versions, questionnaire_of
from surveyapp.database import is_unavailable
from surveyapp.extensions import db
from surveyapp.json_errors import HTTP_CODES, api_lang, error_response
from surveyapp.models.base import utcnow
from surveyapp.responses.submit import Client, SubmissionRefused, submit_response
from surveyapp.responses.validate import InvalidSubmission, validate_submission
from surveyapp.rounds.service import get_round, round_details, round_snapshot
from surveyapp.security import rate_limited, submission_origin

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_VERSION = 2**31 - 1  # the largest version number the database can store (and find)


#: The 404 code of each path value, for values that cannot name anything.
_NOT_FOUND = {"code": "not_found", "qid": "no_questionnaire"}


@bp.before_request
def _nothing_is_named_with_nul():
    """A path value with a NUL names nothing: answer its 404 before any query, because
    PostgreSQL refuses such a text parameter with an error (a 500), not an empty result."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            return error_response(404, _NOT_FOUND.get(name, "not_found"))
    return None


bp.before_request(check_channel_key)  # before the rate limits, which count per key


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    code = exc.code or 500
    return error_response(code, HTTP_CODES.get(code, "error"))


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    db.session.rollback()
    if is_unavailable(exc):
        return error_response(503, "unavailable", {"Retry-After": "5"})
    raise exc


# a \uD800-\uDFFF escape: JSON can spell a lone surrogate, which no text column can store
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _has_lone_surrogate(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _read_json():
    if request.mimetype != "application/json":
        return None, error_response(415, "not_json")
    try:
        text = request.get_data(cache=False).decode("utf-8")
        payload = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, NaN, an int of 4300+ digits
        return None, error_response(400, "bad_json")
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(payload):
        return None, error_response(400, "bad_json")
    return payload, None


@bp.post("/rounds/<code>/responses")
@rate_limited("api")
@channel_key_required
def post_response(code: str):
    source = channel_source()
    if not source.may_post_to(code):
        return error_response(
            403, "key_round_forbidden", message_params={"round": code}, round=code
        )
    round_ = round_snapshot(db.session, code)  # plain values in one query: the hot path
    if round_ is None:
        return error_response(404, "not_found")
    payload, problem = _read_json()
    if problem is not None:
        return problem
    q = questionnaire_of(round_.questionnaire_version)
    try:
        clean = validate_submission(q, payload, channel=source.channel)
        # the client's started_at counts for the speeder rule only if the key says so
        client = Client(device_id=clean.device_id, stamp_trusted=source.trusted_stamps)
        uid = submit_response(
            db.session,
            round_,
            clean,
            client,
            utcnow(),
            channel_key_id=source.id,
            origin=submission_origin(source.id),
        )
    except InvalidSubmission as exc:
        return error_response(400, "invalid", fields=exc.messages(api_lang()))
    except SubmissionRefused as exc:
        return error_response(exc.status, exc.code)
    return jsonify(id=uid, round=code), 201


@bp.get("/rounds/<code>")
def show_round(code: str):
    round_ = get_round(db.session, code)
    if round_ is None:
        return error_response(404, "not_found")
    # China time: opens_on/closes_on are the days a person reads (the last one included)
    return jsonify(round_details(round_, utcnow()))


@bp.get("/questionnaires")
def list_questionnaires():
    items = [
        {
            "id": v.qid,
            "version": v.version,
            "sector": v.sector,
            "title": {"zh": v.title_zh, "en": v.title_en},
        }
        for v in latest_versions(db.session)
    ]
    return jsonify(questionnaires=items)


@bp.get("/questionnaires/<qid>")
@bp.get("/questionnaires/<qid>/<int:version>")
def show_questionnaire(qid: str, version: int | None = None):
    if version is not None and version > MAX_VERSION:  # no INTEGER column holds it
        return error_response(404, "no_questionnaire")
    row = find_version(db.session, qid, version)
    if row is None:
        return error_response(404, "no_questionnaire")
    body = dict(row.definition)
    body["content_hash"] = row.content_hash
    body["published_at"] = row.published_at.isoformat() if row.published_at else None
    return jsonify(body)
