"""The OpenAPI document is valid and describes every API route."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator


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
    assert routes == documented


def test_schemas_are_valid_and_match_a_real_submission(app, client, make_round):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    submission = {"$defs": schemas, **schemas["Submission"]}
    body = {"respondent": {"district": "思茅区"}, "answers": {"overall": 4, "x": None}, "channel": "kiosk"}
    assert not list(Draft202012Validator(submission).iter_errors(body))
    bad = {"answers": {"overall": "four"}, "channel": "fax"}
    assert len(list(Draft202012Validator(submission).iter_errors(bad))) == 2
