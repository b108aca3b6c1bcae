"""Schemathesis against the OpenAPI document: every operation, generated requests.

The schema is read from the app itself (``/api/v1/openapi.json`` over WSGI), so an
operation added to the document is fuzzed without touching this file.  For every
generated request the reply must not be a 5xx, its status must be one the document
lists, its content type and body must match the documented ones, and a refused
request must leave every table's row count unchanged (a 2xx submission adds exactly one
response).  The run is derandomized and bounded so it stays within a minute or two.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Base, Invitation
from surveyapp.models.base import utcnow
from surveyapp.rounds.service import get_round, issue_invitations
from tests.api.test_submit import _payload

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        counts["invitation used"] = db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.used_at.is_not(None))
        )
        db.session.remove()
    return counts


@pytest.fixture
def api_app(app, make_app, make_round):
    """A wired app (limits off: the fuzzer is one address) with rounds in every state."""
    wired = make_app(RATELIMIT_ENABLED=False, ACCESS_LOG=False)
    make_round("catering", code="catering-2026q3", period="2026Q3")
    make_round("catering", code="catering-tokens", require_token=True)
    make_round(
        "catering",
        code="catering-closed",
        period="2026Q2",
        opens_at=utcnow() - timedelta(days=120),
        closes_at=utcnow() - timedelta(days=30),
    )
    with app.app_context():
        issue_invitations(db.session, get_round(db.session, "catering-tokens"), 3)
        db.session.commit()
    return wired


def _channel_key(app) -> dict[str, str]:
    """A mini-program's channel key, for the operations secured by ``channelKey``."""
    from surveyapp.channels import create_key

    with app.app_context():
        _, plain = create_key(db.session, "schemathesis", "miniprogram", actor="cli")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _bearer(app) -> dict[str, str]:
    """An admin's API token, for the operations secured by ``bearerAuth``."""
    from surveyapp.accounts.service import create_user
    from surveyapp.api.tokens import create_token

    with app.app_context():
        admin, _ = create_user(db.session, "fuzz-admin", "admin", "a long enough password 123")
        _, plain = create_token(db.session, admin, "schemathesis", actor="cli")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


# Real path values besides the generated ones: the open, token-only and closed rounds, a
# shipped questionnaire; without them nearly every request would only meet the 404.
KNOWN = {"code": ["catering-2026q3", "catering-tokens", "catering-closed"], "qid": ["catering"]}
EXAMPLES = 20  # per operation, mode, path choice and credential: the run stays near a minute


def _strategies(operation, valid_body, auth):
    """Labelled case strategies of one operation.

    Positive and negative cases with free path values, then with each known one; a
    valid submission to the open round (the only way to reach the 201 branch); and
    for a secured operation each of those again with a valid credential of its scheme.
    """
    names = {p.name for p in operation.path_parameters}
    choices = [{}]
    for name in names & KNOWN.keys():
        choices += [{name: value} for value in KNOWN[name]]
    security = operation.definition.raw.get("security")
    headers = [None, auth(next(iter(security[0])))] if security else [None]
    for header in headers:
        who = "with a credential" if header else "anonymous"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for fixed in choices:
                negatable = [
                    p
                    for p in operation.iter_parameters()
                    if p.name not in fixed and p.definition.get("schema") != {"type": "string"}
                ]  # any text is a valid path segment: only typed or bounded values can be wrong
                if mode is GenerationMode.NEGATIVE and not (negatable or operation.body):
                    continue
                yield (
                    f"{mode.value} {fixed or 'generated'} {who}",
                    operation.as_strategy(mode, path_parameters=fixed or None, headers=header),
                )
        if operation.method.upper() == "POST" and "code" in names:
            for code in KNOWN["code"]:
                yield (
                    f"valid body to {code} {who}",
                    operation.as_strategy(
                        path_parameters={"code": code}, body=valid_body, headers=header
                    ),
                )


def test_api_conforms_to_its_openapi_document(app, api_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /api/v1/rounds/{code}/responses",
        "GET /api/v1/rounds/{code}",
        "GET /api/v1/questionnaires",
    }
    valid_body = _payload(app, "catering-2026q3")
    made = {"bearerAuth": _bearer, "channelKey": _channel_key}
    credentials: dict[str, dict[str, str]] = {}

    def auth(scheme: str) -> dict[str, str]:
        if scheme not in credentials:
            credentials[scheme] = made[scheme](app)
        return credentials[scheme]

    seen: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        for label, strategy in _strategies(operation, valid_body, auth):

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure reports at once
            )
            def check(case):
                status = _call_and_check(api_app, case)
                seen[case.operation.label, status] += 1

            try:
                check()
            except Exception as exc:
                exc.add_note(f"operation {operation.label}, {label}")
                raise
    statuses = {status for _, status in seen}
    assert {200, 201, 400, 404, 410} <= statuses, seen
    assert sum(seen.values()) >= 200, seen


def _call_and_check(app, case) -> int:
    before = _row_counts(app)
    response = case.call_and_validate(checks=CHECKS)
    after = _row_counts(app)
    if 200 <= response.status_code < 300 and case.method.upper() == "POST":
        grown = {name for name in after if after[name] != before[name]}
        assert grown <= {"response", "invitation used"}, (before, after)
        assert after["response"] == before["response"] + 1
    elif (
        200 <= response.status_code < 300
        and case.operation.path == "/api/v1/rounds/{code}/responses"
    ):
        # reading individual responses is audited (surveyapp/api/read.py): one audit row, nothing else
        assert after == before | {"audit_log": before["audit_log"] + 1}, (before, after)
    else:
        assert after == before, (response.status_code, response.text[:300])
    return response.status_code


def test_a_cursor_beyond_every_id_is_an_empty_last_page(app, api_app):
    """Found by the run above on PostgreSQL: a cursor over 2**31 - 1 was a 500 there."""
    headers = _bearer(app)
    reply = api_app.test_client().get(
        "/api/v1/rounds/catering-2026q3/responses?cursor=999999999999", headers=headers
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    body = reply.get_json()
    assert body["rows"] == [] and body["next_cursor"] is None
