"""The OpenAPI description of ``GET /api/v1/providers`` and
``GET /api/v1/providers/{code}/scores`` (added to the document by
:func:`surveyapp.api.openapi.openapi_document`)."""

from __future__ import annotations

from typing import Any

_TOKEN_NOTE = (
    "Readable without a token. An optional `Authorization: Bearer <API token>` adds the staff "
    "fields (a token that is sent must be valid: else 401). 无需令牌即可读取；携带令牌可读取内部字段。"
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def provider_paths() -> dict[str, dict[str, Any]]:
    errors = {
        "401": _json("A token was sent and is not valid (`token_invalid`, ...)", "Error"),
        "429": {"description": "Rate limited (see Retry-After)"},
    }
    query = [
        {"name": "sector", "in": "query", "schema": {"type": "string"},
         "description": "a sector code of the catalogue (e.g. `catering`)"},
        {"name": "district", "in": "query", "schema": {"type": "string", "maxLength": 64}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
    ]  # fmt: skip
    return {
        "/api/v1/providers": {
            "get": {
                "summary": "The provider registry (市场主体), by district and name, page by page",
                "description": "Open providers only without a token; with one, closed and "
                "merged ones too, with their dates and what they were merged into. " + _TOKEN_NOTE,
                "operationId": "listProviders",
                "parameters": query,
                "responses": {
                    "200": _json(
                        "A page of providers (`next`: the next page, or null)", "ProviderList"
                    ),  # fmt: skip
                    "400": _json("A query parameter is wrong", "BadParameterError"),
                    **errors,
                },
            }
        },
        "/api/v1/providers/{code}/scores": {
            "get": {
                "summary": "A provider's scores per sector: posterior share satisfied, 95% interval",
                "description": "Over the rolling window (SURVEYAPP_PROVIDER_SCORE_WINDOW_MONTHS) "
                "ending today (China time); empirical-Bayes posterior shrunk toward the sector "
                "(see shared/spec/supervision.md). Without a token a score is given only from "
                "`min_n` ratings; a token whose account may see the sector adds the counts, the "
                "raw share and stars, the sector's prior and the scores below `min_n` "
                "(`staff: true`). " + _TOKEN_NOTE,
                "operationId": "getProviderScores",
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "description": "the provider's credit code, or its registration number",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": _json("The provider's scores, one entry per sector", "ProviderScores"),
                    "404": _json("No such provider (`padm_api_no_provider`)", "Error"),
                    **errors,
                },
            }
        },
    }


def provider_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    maybe_number = {"type": ["number", "null"]}
    pair = {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
    public = {  # a score's public fields, of a sector and of an item alike
        "n": {"type": "integer"},
        "published": {"type": "boolean"},
        "posterior_share": maybe_number,
        "ci": pair,
        "posterior_stars": maybe_number,
        "stars_ci": pair,
    }
    return {
        "Provider": {
            "type": "object",
            "required": ["id", "name", "sectors", "district", "status", "scores"],
            "properties": {
                "id": {**text, "description": "credit code, else registration number"},
                "credit_code": maybe_text,
                "registration_no": maybe_text,
                "name": text,
                "sectors": {"type": "array", "items": text},
                "district": text,
                "address": maybe_text,
                "lat": {**maybe_number, "description": "WGS-84"},
                "lon": {**maybe_number, "description": "WGS-84"},
                "service_types": {"type": "array", "items": text},
                "status": {"enum": ["open", "closed"]},
                "scores": {**text, "description": "the path of its scores"},
                "opened_on": {**maybe_text, "description": "with a token"},
                "closed_on": {**maybe_text, "description": "with a token"},
                "merged_into": {**maybe_text, "description": "with a token"},
            },
        },
        "ProviderList": {
            "type": "object",
            "required": ["providers", "total", "page", "per_page", "next"],
            "properties": {
                "providers": {"type": "array", "items": _ref("Provider")},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "next": maybe_text,
            },
        },
        "ProviderSectorScore": {
            "type": "object",
            "required": ["sector", "min_n", "staff", "n", "published", "posterior_share", "ci"],
            "properties": {
                "sector": text,
                "min_n": {"type": "integer"},
                "staff": {"type": "boolean"},
                **public,
                "satisfied": {"type": "integer", "description": "staff"},
                "raw_share": {**maybe_number, "description": "staff"},
                "raw_stars": {**maybe_number, "description": "staff"},
                "prior": {"type": ["object", "null"], "description": "staff: Beta(alpha, beta)"},
                "items": {
                    "type": "array",
                    "description": "without a token: every rating-form item's stored score "
                    "(the share giving it 4-5 stars, its mean stars), from `min_n` answers",
                    "items": {
                        "type": "object",
                        "required": ["item", "n", "published", "posterior_share", "ci"],
                        "properties": {"item": text, **public},
                    },
                },
            },
        },
        "ProviderScores": {
            "type": "object",
            "required": ["id", "name", "district", "window", "sectors"],
            "properties": {
                "id": text,
                "name": text,
                "district": text,
                "window": {
                    "type": "object",
                    "properties": {"first": text, "last": text},
                    "description": "China days, both included",
                },
                "sectors": {"type": "array", "items": _ref("ProviderSectorScore")},
            },
        },
    }
