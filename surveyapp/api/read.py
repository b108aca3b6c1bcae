"""Token-authenticated read endpoints: a round's indices, and its responses page by page.

Thin views: check the token (:func:`~surveyapp.api.bearer.token_required`), the round,
the owner's sector and the query parameters, then call one plain function
(:func:`~surveyapp.api.indices.round_indices`,
:func:`~surveyapp.responses.exporter.export_page`) and return its JSON.

Checks run in this order, so each error names the first thing wrong: 401 token, 404
round, 403 sector (and, for responses, role: viewers read aggregates only, as on the
dashboard), 400 parameter.  Every page of responses read is audited.
"""

from __future__ import annotations

import re

from flask import current_app, jsonify, request, url_for

from surveyapp.accounts.service import audit
from surveyapp.api.bearer import (
    BadParameter,
    api_token_id,
    api_user,
    bad_parameter,
    forbidden_sector,
    token_required,
)
from surveyapp.api.indices import BY_CHOICES, round_indices
from surveyapp.api.routes import bp
from surveyapp.extensions import db
from surveyapp.indices import AnalysisPending, indices_state
from surveyapp.json_errors import error_response
from surveyapp.models import Round, User
from surveyapp.models.base import DbSession
from surveyapp.responses.downloads import AUDIT_ACTION as EXPORT_AUDIT_ACTION
from surveyapp.responses.downloads import may_export
from surveyapp.responses.exporter import export_page
from surveyapp.rounds.service import CODE_RE, get_round
from surveyapp.security import rate_limited

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
_CURSOR = re.compile(r"^[0-9]{1,18}$")  # a response id; 18 digits stay inside BIGINT
MAX_RESPONSE_ID = 2**31 - 1  # response.id is an INTEGER column

bp.register_error_handler(BadParameter, bad_parameter)


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadParameter(name, "param_int_range", min=low, max=high)
    return int(raw)


def _cursor_param(name: str = "cursor") -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return 0
    if not _CURSOR.match(raw):
        raise BadParameter(name, "param_cursor")
    # past the largest id an INTEGER column holds: after every row (PostgreSQL would refuse it)
    return min(int(raw), MAX_RESPONSE_ID)


def _by_param() -> list[str]:
    """``by=district``, ``by=dimension``, either repeated or comma-separated."""
    chosen: list[str] = []
    for raw in request.args.getlist("by"):
        for part in raw.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if part not in BY_CHOICES:
                raise BadParameter("by", "param_choice", choices=", ".join(BY_CHOICES))
            if part not in chosen:
                chosen.append(part)
    return chosen


def _visible_round(code: str | None):
    """(round, None) when the token's owner may read it, else (None, the error response)."""
    # Only a well-formed code reaches the database: PostgreSQL refuses a NUL in a text
    # parameter with an error, and no round can have such a code anyway.
    round_: Round | None = get_round(db.session, code) if code and CODE_RE.match(code) else None
    if round_ is None:
        return None, error_response(404, "not_found", round=code)
    sector = round_.questionnaire_version.sector
    if not api_user().may_see_sector(sector):
        return None, forbidden_sector(sector)
    return round_, None


@bp.get("/indices")
@rate_limited("api")
@token_required
def indices():
    code = (request.args.get("round") or "").strip()
    if not code:
        raise BadParameter("round", "param_required")
    round_, problem = _visible_round(code)
    if problem is not None:
        return problem
    if round_.archived_at is not None:  # hidden from every analysis, as on the dashboard
        return error_response(410, "round_archived", round=code)
    by = _by_param()
    state = indices_state(current_app)
    try:
        return jsonify(round_indices(db.session, round_, state.settings, state.cache, by))
    except AnalysisPending:  # a large round not analysed in this worker yet: being computed
        return error_response(503, "analysis_pending", {"Retry-After": "10"})


def record_api_export(
    session: DbSession,
    user: User,
    round_: Round,
    *,
    token_id: int,
    after: int,
    rows: int,
    ip: str | None,
) -> None:
    """Audit one page of responses read through the API (the caller commits).

    Every page, not only the first: a walk may start at any cursor, and individual
    answers are personal data, so the log must show everything that was read, by which
    token.  Same action as a file download from the dashboard.
    """
    audit(
        session,
        user,
        EXPORT_AUDIT_ACTION,
        f"round:{round_.code}",
        {"format": "json", "token": token_id, "after": after, "rows": rows},
        ip=ip,
    )


@bp.get("/rounds/<code>/responses")
@rate_limited("api")
@token_required
def export_responses(code: str):
    round_, problem = _visible_round(code)
    if problem is not None:
        return problem
    user = api_user()
    if not may_export(user, round_):  # viewers read the aggregates only, as on the dashboard
        return error_response(403, "role_forbidden", role=user.role)
    limit = _int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    after = _cursor_param()
    page = export_page(db.session, round_, after=after, limit=limit)
    record_api_export(
        db.session,
        user,
        round_,
        token_id=api_token_id(),
        after=after,
        rows=len(page.rows),
        ip=request.remote_addr,
    )
    db.session.commit()
    cursor = None if page.next_after is None else str(page.next_after)
    next_url = None
    if cursor is not None:
        next_url = url_for(".export_responses", code=code, cursor=cursor, limit=limit)
    response = jsonify(
        round=round_.code,
        columns=page.columns,
        rows=page.rows,
        count=len(page.rows),
        limit=limit,
        next_cursor=cursor,
        next=next_url,
    )
    if next_url is not None:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    response.headers["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response
