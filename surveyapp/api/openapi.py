"""The OpenAPI 3.1 document of the public JSON API, served at ``/api/v1/openapi.json``.

Written by hand next to the routes (there are few of them) so that its schemas say
exactly what :func:`surveyapp.responses.validate.validate_submission` accepts; a test
checks every API route is documented, and schemathesis can fuzz the API from it.
"""

from __future__ import annotations

from typing import Any

from surveyapp.api.credit import credit_paths, credit_schemas
from surveyapp.api.plans import plans_paths, plans_schemas
from surveyapp.api.providers_doc import provider_paths, provider_schemas
from surveyapp.api.ratings_doc import rating_paths
from surveyapp.responses.validate import CHANNELS, MAX_DEVICE_ID, MAX_TOKEN

CODE_PARAM = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Round code, e.g. catering-2026q3",
}


def _error(description: str, *, fields: bool = False) -> dict[str, Any]:
    ref = "#/components/schemas/InvalidError" if fields else "#/components/schemas/Error"
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _schema_error(
    description: str, schema: str, headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        out["headers"] = headers
    return out


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    """The whole document: the public endpoints, then the token-authenticated read API."""
    doc = _public_document(server_url)
    for path, operations in _read_paths().items():
        doc["paths"].setdefault(path, {}).update(operations)
    doc["paths"].update(_complaint_paths())
    doc["paths"].update(rating_paths())
    doc["paths"].update(provider_paths())
    doc["components"]["schemas"].update(provider_schemas())
    doc["paths"].update(credit_paths())
    doc["components"]["schemas"].update(credit_schemas())
    doc["components"]["schemas"].update(_read_schemas())
    doc["paths"].update(plans_paths())
    doc["components"]["schemas"].update(plans_schemas())
    doc["components"]["securitySchemes"] = {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`surveyapp tokens create`, or the page /account/tokens). It acts "
            "as its account: a bureau's token reads only its sectors. 访问令牌，权限同所属账户。",
        },
        "channelKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "A channel key, for posting responses: an administrator makes one per kiosk, "
            "mini-program back end, call centre or paper data-entry desk on the page /admin/keys "
            "or with `surveyapp keys create --name NAME --channel kiosk|miniprogram|phone|paper "
            "[--rounds CODE,...] [--trusted-stamps]`, which shows it once. The key sets the "
            "response's channel, may be limited to some rounds, is rate limited on its own "
            "(never by address) and can be revoked. Not an account's API token. "
            "渠道密钥：由管理员为每个自助终端、小程序后台或呼叫中心创建，仅显示一次。",
        },
    }
    return doc


def _public_document(server_url: str) -> dict[str, Any]:
    code_param = CODE_PARAM
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "surveyapp API",
            "version": "1",
            "description": "Submit satisfaction-survey responses and read questionnaire definitions. "
            "Token-authenticated: a round's indices and its responses, page by page. "
            "提交满意度调查答卷、读取问卷定义；凭令牌读取指数与答卷。"
            "Error messages follow Accept-Language (zh or en).",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/rounds/{code}/responses": {
                "post": {
                    "summary": "Submit one response (stored whole or not at all)",
                    "description": "Needs a channel key (`Authorization: Bearer <key>`). The "
                    "response's channel is the key's: a `channel` in the body may be left out, "
                    "and one that contradicts the key is refused (400, `fields.channel`). "
                    "Residents without a key answer on the survey pages /s/<code>. "
                    "须携带渠道密钥；答卷渠道取自密钥。",
                    "operationId": "submitResponse",
                    "security": [{"channelKey": []}],
                    "parameters": [code_param],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Submission"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["id", "round"],
                                        "properties": {
                                            "id": {"type": "string"},
                                            "round": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error(
                            "Invalid fields, listed in `fields`; nothing stored", fields=True
                        ),
                        "401": _schema_error(
                            "No channel key (`key_missing`), a malformed header (`key_malformed`), "
                            "an unknown (`key_invalid`) or revoked (`key_revoked`) key",
                            "Error",
                            {
                                "WWW-Authenticate": {
                                    "schema": {"type": "string"},
                                    "description": 'Bearer realm="surveyapp" (RFC 6750)',
                                }
                            },
                        ),
                        "403": _error("The key may not post to this round (`key_round_forbidden`)"),
                        "404": _error("Unknown round"),
                        "409": _error("Duplicate: device or invitation token already used"),
                        "410": _error("Round closed or not open yet"),
                        "413": _error("Body too large"),
                        "415": _error("Not JSON"),
                        "429": _error("Rate limited (see Retry-After)"),
                        "503": _error("Database unavailable (see Retry-After); nothing stored"),
                    },
                }
            },
            "/api/v1/rounds/{code}": {
                "get": {
                    "summary": "A round: questionnaire version, period, dates, status",
                    "operationId": "getRound",
                    "parameters": [code_param],
                    "responses": {
                        "200": {
                            "description": "The round",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Round"}
                                }
                            },
                        },
                        "404": _error("Unknown round"),
                    },
                }
            },
            "/api/v1/questionnaires": {
                "get": {
                    "summary": "The newest published version of each questionnaire",
                    "operationId": "listQuestionnaires",
                    "responses": {
                        "200": {
                            "description": "List",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "questionnaires": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/QuestionnaireSummary"
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/api/v1/questionnaires/{qid}": {
                "get": {
                    "summary": "The newest published version of a questionnaire",
                    "operationId": "getQuestionnaire",
                    "parameters": [
                        {
                            "name": "qid",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Definition (normalised questionnaire format)",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "404": _error("Unknown questionnaire"),
                    },
                }
            },
            "/api/v1/questionnaires/{qid}/{version}": {
                "get": {
                    "summary": "A given version of a questionnaire",
                    "operationId": "getQuestionnaireVersion",
                    "parameters": [
                        {
                            "name": "qid",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "version",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Definition",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "404": _error("Unknown questionnaire or version"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Submission": {
                    "type": "object",
                    "properties": {
                        "respondent": {
                            "type": "object",
                            "additionalProperties": {"type": ["string", "null"]},
                            "description": "Respondent questions (district, age_group, gender): option values",
                        },
                        "answers": {
                            "type": "object",
                            "additionalProperties": {"type": ["integer", "null"]},
                            "description": "Item id → integer score on the item's scale; null = not answered",
                        },
                        "open": {
                            "type": "object",
                            "additionalProperties": {"type": ["string", "null"]},
                        },
                        "started_at": {
                            "type": ["string", "null"],
                            "format": "date-time",
                            "description": "ISO 8601 with a UTC offset; informative, used by the "
                            "speeder rule only when the key says its client records it "
                            "(`--trusted-stamps`)",
                        },
                        "channel": {
                            "type": ["string", "null"],
                            "enum": [*CHANNELS, None],
                            "description": "Optional: the response's channel is the key's; a "
                            "different value is refused",
                        },
                        "token": {
                            "type": ["string", "null"],
                            "maxLength": MAX_TOKEN,
                            "description": "Invitation token, required when the round requires invitations",
                        },
                        "device_id": {
                            "type": ["string", "null"],
                            "maxLength": MAX_DEVICE_ID,
                            "description": "Opaque id of the answering device; one response per device and round",
                        },
                    },
                },
                "Round": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "period": {"type": "string"},
                        "questionnaire": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "version": {"type": "integer"},
                            },
                        },
                        "opens_at": {
                            "type": "string",
                            "format": "date-time",
                            "description": "First instant answers are taken (China time, +08:00)",
                        },
                        "closes_at": {
                            "type": "string",
                            "format": "date-time",
                            "description": "First instant answers are no longer taken: 00:00 China time after the closing day",
                        },
                        "opens_on": {
                            "type": "string",
                            "format": "date",
                            "description": "First day, China time",
                        },
                        "closes_on": {
                            "type": "string",
                            "format": "date",
                            "description": "Closing day, China time, included until 23:59:59",
                        },
                        "time_zone": {"type": "string", "enum": ["Asia/Shanghai"]},
                        "districts": {"type": "array", "items": {"type": "string"}},
                        "require_token": {"type": "boolean"},
                        "parallel": {
                            "type": "boolean",
                            "description": "Marked by an admin as a parallel sample",
                        },
                        "archived": {
                            "type": "boolean",
                            "description": "Archived: hidden from dashboards and bulletins",
                        },
                        "status": {"type": "string", "enum": ["open", "closed", "not_open"]},
                    },
                },
                "QuestionnaireSummary": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "version": {"type": "integer"},
                        "sector": {"type": "string"},
                        "title": {
                            "type": "object",
                            "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
                        },
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string", "description": "Machine-readable code"},
                        "message": {
                            "type": "string",
                            "description": "Human-readable text (zh or en)",
                        },
                    },
                },
                "InvalidError": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Error"},
                        {
                            "type": "object",
                            "properties": {
                                "fields": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                    "description": "Field path (e.g. answers.hyg_safe) → what is wrong",
                                }
                            },
                        },
                    ]
                },
            }
        },
    }


# --- the token-authenticated read API -----------------------------------------------------


def _read_errors(forbidden: str) -> dict[str, Any]:
    """The errors every read endpoint may answer (each body is an ``Error``)."""
    return {
        "400": _schema_error(
            "A query parameter is wrong: `parameter` names it, `reason` says why",
            "BadParameterError",
        ),
        "401": _schema_error(
            "No token (`token_missing`), a malformed header (`token_malformed`), an unknown "
            "(`token_invalid`) or revoked (`token_revoked`) token, or its account is disabled "
            "(`token_inactive`)",
            "Error",
            {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "description": 'Bearer realm="surveyapp" (RFC 6750)',
                }
            },
        ),
        "403": _schema_error(forbidden, "ForbiddenError"),
        "404": _schema_error("Unknown round (`not_found`)", "Error"),
        "429": _error("Rate limited (see Retry-After)"),
    }


def _read_paths() -> dict[str, dict[str, Any]]:
    security: list[dict[str, list[str]]] = [{"bearerAuth": []}]
    return {
        "/api/v1/indices": {
            "get": {
                "summary": "A round's weighted index (95% CI), satisfaction rate and goal verdict",
                "description": "The same cached analysis as the dashboard and the bulletins: raked weights, "
                "linearised standard errors, quality exclusions. 与监测看板同一分析结果。",
                "operationId": "getIndices",
                "security": security,
                "parameters": [
                    {
                        "name": "round",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "Round code, e.g. catering-2026q3",
                    },
                    {
                        "name": "by",
                        "in": "query",
                        "required": False,
                        "style": "form",
                        "explode": False,
                        "schema": {
                            "type": "array",
                            "items": {"type": "string", "enum": ["district", "dimension"]},
                        },
                        "description": "Add per-district rows (`districts`) and/or dimension scores "
                        "(`dimensions`); comma-separated or repeated",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The indices",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Indices"}}
                        },
                    },
                    **_read_errors(
                        "The token's account may not see the round's sector (`sector_forbidden`)"
                    ),
                    "410": _schema_error(
                        "The round is archived (`round_archived`): kept in the database, its "
                        "responses still readable, but no longer analysed (as on the dashboard and "
                        "in the bulletins)",
                        "Error",
                    ),
                    "503": _schema_error(
                        "A large round (over `SURVEYAPP_DASHBOARD_SYNC_MAX` responses) not yet analysed by "
                        "this server process: its analysis is being computed (`analysis_pending`); retry "
                        "after `Retry-After` seconds",
                        "Error",
                        {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
                    ),
                },
            }
        },
        "/api/v1/rounds/{code}/responses": {
            "get": {
                "summary": "A round's responses, page by page (the CSV export's columns)",
                "description": "Admin, evaluator and bureau tokens (a bureau's for its sectors); every page "
                "read is audited. "
                "Keyset pagination by response id, oldest first: follow `next` (or pass "
                "`next_cursor` as `cursor`) until it is null; every response comes exactly "
                "once, and responses stored meanwhile appear on later pages. Values are the "
                "CSV export's strings (empty string = not answered). 按游标分页导出答卷。",
                "operationId": "listResponses",
                "security": security,
                "parameters": [
                    CODE_PARAM,
                    {
                        "name": "cursor",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                        "description": "`next_cursor` of the previous page; omit for the first page",
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 5000,
                            "default": 500,
                        },
                        "description": "Rows per page",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "One page",
                        "headers": {
                            "Link": {
                                "schema": {"type": "string"},
                                "description": '`<next URL>; rel="next"` when another page follows',
                            }
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ResponsesPage"}
                            }
                        },
                    },
                    **_read_errors(
                        "The token's account may not see the round's sector (`sector_forbidden`), "
                        "or its role may not read individual responses (`role_forbidden`: "
                        "viewers read the aggregate indices only)"
                    ),
                },
            }
        },
    }


def _read_schemas() -> dict[str, Any]:
    number = {"type": ["number", "null"]}
    text = {
        "type": "object",
        "required": ["zh", "en"],
        "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    }
    verdict = {
        "type": "string",
        "enum": ["met", "not_met", "inconclusive", "small"],
        "description": "Against the goal: met / not met (one-sided test at 5%), inconclusive, "
        "or small (sample below min_n: no verdict)",
    }
    return {
        "Estimate": {
            "type": "object",
            "required": ["estimate", "se", "ci", "n"],
            "properties": {
                "estimate": number,
                "se": number,
                "ci": {
                    "type": "array",
                    "items": number,
                    "minItems": 2,
                    "maxItems": 2,
                    "description": "95% confidence interval",
                },
                "n": {"type": "integer"},
            },
        },
        "IndexEstimate": {
            "allOf": [
                {"$ref": "#/components/schemas/Estimate"},
                {
                    "type": "object",
                    "properties": {
                        "goal_status": {
                            "type": ["string", "null"],
                            "enum": ["met", "not_met", "inconclusive", None],
                        },
                        "p_value": number,
                    },
                },
            ]
        },
        "RateEstimate": {
            "allOf": [
                {"$ref": "#/components/schemas/Estimate"},
                {"type": "object", "properties": {"df": {"type": "integer"}}},
            ],
            "description": "Percentage of respondents satisfied (logit interval)",
        },
        "DistrictIndex": {
            "type": "object",
            "required": ["district", "label", "n", "small_sample", "index", "verdict"],
            "properties": {
                "district": {"type": "string"},
                "label": text,
                "received": {"type": "integer", "description": "Responses stored"},
                "n": {"type": "integer", "description": "Responses analysed"},
                "small_sample": {"type": "boolean"},
                "index": {"$ref": "#/components/schemas/IndexEstimate"},
                "satisfaction_rate": {"$ref": "#/components/schemas/RateEstimate"},
                "verdict": verdict,
                "model": {"$ref": "#/components/schemas/ModelEstimate"},
            },
        },
        "ModelEstimate": {
            "type": "object",
            "description": "模型估计 / model-based (Fay–Herriot) estimate of a district, only "
            "when the round has district auxiliaries: the EBLUP, or the synthetic estimate "
            "for a district without respondents. No goal verdict of its own.",
            "required": ["kind", "label", "estimate", "mse", "ci"],
            "properties": {
                "kind": {"type": "string", "enum": ["eblup", "synthetic"]},
                "label": text,
                "estimate": number,
                "mse": number,
                "rmse": number,
                "ci": {"type": "array", "items": number, "minItems": 2, "maxItems": 2},
                "gamma": number,
                "variance": {"type": ["number", "null"], "description": "Smoothed ψ_d"},
                "residual": {"type": ["number", "null"]},
                "std_residual": {"type": ["number", "null"]},
            },
        },
        "SmallArea": {
            "type": "object",
            "description": "The Fay–Herriot fit (model checks) and every district of the "
            "auxiliaries, those without respondents included",
            "required": ["method", "sigma2_u", "at_zero", "beta", "districts"],
            "properties": {
                "method": {"type": "string"},
                "sigma2_u": number,
                "at_zero": {"type": "boolean"},
                "warning": {"type": ["object", "null"]},
                "converged": {"type": "boolean"},
                "covariates": {"type": "array", "items": {"type": "string"}},
                "beta": {"type": "object", "additionalProperties": number},
                "beta_se": {"type": "object", "additionalProperties": number},
                "s2_within": number,
                "deff": number,
                "districts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["district", "n", "model"],
                        "properties": {
                            "district": {"type": "string"},
                            "label": text,
                            "n": {"type": "integer"},
                            "direct": {"type": ["number", "null"]},
                            "model": {"$ref": "#/components/schemas/ModelEstimate"},
                        },
                    },
                },
            },
        },
        "DimensionScore": {
            "allOf": [
                {"$ref": "#/components/schemas/Estimate"},
                {
                    "type": "object",
                    "required": ["id", "label"],
                    "properties": {"id": {"type": "string"}, "label": text},
                },
            ]
        },
        "Indices": {
            "type": "object",
            "required": [
                "round",
                "period",
                "sector",
                "goal",
                "n",
                "index",
                "verdict",
                "by",
                "as_of",
                "stamp",
                "updating",
            ],
            "properties": {
                "round": {"type": "string"},
                "period": {"type": "string"},
                "sector": {"type": "string"},
                "questionnaire": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "version": {"type": "integer"}},
                },
                "goal": {"type": "number"},
                "n_received": {"type": "integer"},
                "n": {"type": "integer"},
                "small_sample": {"type": "boolean"},
                "min_n": {"type": "integer"},
                "index": {
                    "oneOf": [{"$ref": "#/components/schemas/IndexEstimate"}, {"type": "null"}]
                },
                "satisfaction_rate": {
                    "oneOf": [{"$ref": "#/components/schemas/RateEstimate"}, {"type": "null"}]
                },
                "verdict": verdict,
                "effective_n": number,
                "deff": number,
                "weighting": {"type": ["object", "null"]},
                "error": {
                    "type": ["string", "null"],
                    "description": "Why there is no index (e.g. no responses yet)",
                },
                "by": {"type": "array", "items": {"type": "string"}},
                "districts": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/DistrictIndex"},
                },
                "dimensions": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/DimensionScore"},
                },
                "small_area": {"$ref": "#/components/schemas/SmallArea"},
                "as_of": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "When the n_received responses analysed were read (UTC)",
                },
                "stamp": {
                    "type": "object",
                    "required": ["responses", "last_response_id"],
                    "description": "The round's responses when they were read: "
                    "their number and largest id",
                    "properties": {
                        "responses": {"type": "integer"},
                        "last_response_id": {"type": "integer"},
                    },
                },
                "updating": {
                    "type": "boolean",
                    "description": "True: newer responses (or margins) exist and a "
                    "fresh analysis is being computed; ask again later",
                },
            },
        },
        "ResponsesPage": {
            "type": "object",
            "required": ["round", "columns", "rows", "count", "limit", "next_cursor", "next"],
            "properties": {
                "round": {"type": "string"},
                "columns": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "The CSV export's header",
                },
                "rows": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "string"}},
                    "description": "The CSV export's rows, oldest first",
                },
                "count": {"type": "integer"},
                "limit": {"type": "integer"},
                "next_cursor": {"type": ["string", "null"]},
                "next": {"type": ["string", "null"], "description": "URL of the next page"},
            },
        },
        "BadParameterError": {
            "allOf": [
                {"$ref": "#/components/schemas/Error"},
                {
                    "type": "object",
                    "required": ["parameter", "reason"],
                    "properties": {"parameter": {"type": "string"}, "reason": {"type": "string"}},
                },
            ]
        },
        "ForbiddenError": {
            "allOf": [
                {"$ref": "#/components/schemas/Error"},
                {
                    "type": "object",
                    "properties": {
                        "sector": {
                            "type": "string",
                            "description": "With `sector_forbidden`: the round's sector",
                        },
                        "role": {
                            "type": "string",
                            "description": "With `role_forbidden`: the account's role",
                        },
                    },
                },
            ]
        },
    }


def _complaint_paths() -> dict[str, dict[str, Any]]:
    """``POST /api/v1/complaints``: a complaint from a hotline or a mini-program."""
    text = {"type": "string"}
    return {
        "/api/v1/complaints": {
            "post": {
                "summary": "Submit one consumer complaint (消费投诉); get its receipt code",
                "description": "Needs a channel key. The same intake as the web form "
                "/complaints/new and `surveyapp complaints import`: the provider by "
                "`provider_id` or `credit_code` (in the registry) or `provider_name` (free "
                "text, matched by staff later); `category` one of SURVEYAPP_COMPLAINT_CATEGORIES. "
                "The complainant's name and phone are for mediation only: never published. "
                "The receipt code is shown once. 须携带渠道密钥；受理编号仅返回一次。",
                "operationId": "submitComplaint",
                "security": [{"channelKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["sector", "category", "description"],
                                "properties": {
                                    "sector": {**text, "description": "a sector code (catering)"},
                                    "category": text,
                                    "description": text,
                                    "provider_id": {"type": "integer"},
                                    "credit_code": text,
                                    "provider_name": {**text, "maxLength": 200},
                                    "amount": {
                                        "type": ["string", "number"],
                                        "description": "yuan, at most 2 decimals",
                                    },
                                    "complainant_name": {**text, "maxLength": 64},
                                    "complainant_phone": {**text, "maxLength": 32},
                                    "external_id": {
                                        **text,
                                        "maxLength": 64,
                                        "description": "the source's own number; once per channel",
                                    },
                                    "received_at": {**text, "format": "date-time"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Stored",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["receipt", "status", "accept_by"],
                                    "properties": {
                                        "receipt": {**text, "examples": ["K7Q2-9MZX-4HTB"]},
                                        "status": text,
                                        "accept_by": {**text, "format": "date"},
                                        "accept_by_provisional": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error(
                        "Invalid fields, listed in `fields`; nothing stored", fields=True
                    ),
                    "401": _schema_error(
                        "No valid channel key (`key_missing`, `key_malformed`, `key_invalid`, "
                        "`key_revoked`)",
                        "Error",
                        {
                            "WWW-Authenticate": {
                                "schema": {"type": "string"},
                                "description": 'Bearer realm="surveyapp" (RFC 6750)',
                            }
                        },
                    ),
                    "403": _error("The key is limited to some survey rounds (`cmp_key_forbidden`)"),
                    "404": _error("Unknown path (`not_found`)"),
                    "413": _error("Body too large"),
                    "415": _error("The body is not JSON"),
                    "429": _error("Rate limited (see Retry-After)"),
                },
            }
        }
    }
