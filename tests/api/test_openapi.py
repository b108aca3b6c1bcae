"""The OpenAPI document is valid and describes every API route."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from sqlalchemy import select

from surveyapp.models.user import User


def test_document_covers_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method))
    assert not routes - documented, (
        f"API routes missing from the OpenAPI document: {sorted(routes - documented)}"
    )
    assert not documented - routes, (
        f"documented operations without a route: {sorted(documented - routes)}"
    )


def test_token_routes_declare_the_bearer_scheme_and_their_errors(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for scheme in ("bearerAuth", "channelKey"):
        assert doc["components"]["securitySchemes"][scheme] == {
            "type": "http",
            "scheme": "bearer",
            "description": ANY_TEXT,
        }
    secured: dict[str, set] = {"bearer": set(), "channel_key": set()}
    for rule in app.url_map.iter_rules():
        auth = getattr(app.view_functions[rule.endpoint], "api_auth", None)
        if rule.rule.startswith("/api/") and auth:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            secured[auth] |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert secured == {
        "bearer": {
            ("/api/v1/indices", "get"),
            ("/api/v1/rounds/{code}/responses", "get"),
            ("/api/v1/credit/classes", "get"),
            ("/api/v1/plans/status", "get"),
            ("/api/v1/plans/values", "post"),
        },
        "channel_key": {
            ("/api/v1/rounds/{code}/responses", "post"),
            ("/api/v1/complaints", "post"),
            ("/api/v1/providers/{code}/ratings", "post"),
        },
    }
    scheme_of = {"bearer": "bearerAuth", "channel_key": "channelKey"}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            auth = next((a for a, ops_ in secured.items() if (path, method) in ops_), None)
            if auth is not None:
                assert op["security"] == [{scheme_of[auth]: []}], (path, method)
                assert {"400", "401", "403", "404", "429"} <= set(op["responses"]), (path, method)
                assert "WWW-Authenticate" in op["responses"]["401"]["headers"]
            else:
                assert "security" not in op, f"{method} {path} is public: no security"


class _AnyText:
    def __eq__(self, other):
        return isinstance(other, str) and bool(other)


ANY_TEXT = _AnyText()


def _validator(doc, name):
    """A validator of ``#/components/schemas/<name>`` that resolves the document's refs."""
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    )


def test_read_api_replies_match_their_schemas(app, client, make_round, keyed):
    from surveyapp.accounts.service import create_user
    from surveyapp.api.tokens import create_token
    from surveyapp.extensions import db

    code = make_round("catering", code="doc-round")
    for body in (
        {
            "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
            "answers": {"overall": 4},
            "device_id": f"d{i}",
        }
        for i in range(3)
    ):
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    with app.app_context():
        user, _ = create_user(
            db.session, "docs", "bureau", "long enough password", sectors=["lodging"]
        )
        _, token = create_token(db.session, user, "docs", actor="cli")
        db.session.commit()
    doc = client.get("/api/v1/openapi.json").get_json()
    auth = {"Authorization": f"Bearer {token}"}
    replies = {
        "Error": client.get(f"/api/v1/indices?round={code}"),
        "ForbiddenError": client.get(f"/api/v1/indices?round={code}", headers=auth),
        "BadParameterError": client.get("/api/v1/indices", headers=auth),
    }
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "docs"))
        user.sectors = ["catering"]
        db.session.commit()
    replies["Indices"] = client.get(
        f"/api/v1/indices?round={code}&by=district,dimension", headers=auth
    )
    replies["ResponsesPage"] = client.get(f"/api/v1/rounds/{code}/responses?limit=2", headers=auth)
    for schema, reply in replies.items():
        assert not list(_validator(doc, schema).iter_errors(reply.get_json())), schema
    assert replies["ResponsesPage"].get_json()["next"]
    assert replies["Indices"].get_json()["n_received"] == 3
    # and the check bites: a page without its rows is not a ResponsesPage
    broken = {k: v for k, v in replies["ResponsesPage"].get_json().items() if k != "rows"}
    assert list(_validator(doc, "ResponsesPage").iter_errors(broken))


def test_schemas_are_valid_and_match_a_real_submission(app, client, make_round):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    submission = {"$defs": schemas, **schemas["Submission"]}
    body = {
        "respondent": {"district": "思茅区"},
        "answers": {"overall": 4, "x": None},
        "channel": "kiosk",
    }
    assert not list(Draft202012Validator(submission).iter_errors(body))
    bad = {"answers": {"overall": "four"}, "channel": "fax"}
    assert len(list(Draft202012Validator(submission).iter_errors(bad))) == 2
