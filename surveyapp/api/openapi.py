"""The OpenAPI 3.1 document of the public JSON API, served at ``/api/v1/openapi.json``.

Written by hand next to the routes (there are few of them) so that its schemas say
exactly what :func:`surveyapp.responses.validate.validate_submission` accepts; a test
checks every API route is documented, and schemathesis can fuzz the API from it.
"""

from __future__ import annotations

from typing import Any

from surveyapp.responses.validate import CHANNELS, MAX_DEVICE_ID, MAX_TOKEN


def _error(description: str, *, fields: bool = False) -> dict[str, Any]:
    ref = "#/components/schemas/InvalidError" if fields else "#/components/schemas/Error"
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    code_param = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                  "description": "Round code, e.g. catering-2026q3"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "surveyapp API",
            "version": "1",
            "description": "Submit satisfaction-survey responses and read questionnaire definitions. "
                           "提交满意度调查答卷、读取问卷定义。Error messages follow Accept-Language (zh or en).",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/rounds/{code}/responses": {
                "post": {
                    "summary": "Submit one response (stored whole or not at all)",
                    "operationId": "submitResponse",
                    "parameters": [code_param],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Submission"}}}},
                    "responses": {
                        "201": {"description": "Stored", "content": {"application/json": {"schema": {
                            "type": "object", "required": ["id", "round"],
                            "properties": {"id": {"type": "string"}, "round": {"type": "string"}}}}}},
                        "400": _error("Invalid fields, listed in `fields`; nothing stored", fields=True),
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
                    "responses": {"200": {"description": "The round", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Round"}}}}, "404": _error("Unknown round")},
                }
            },
            "/api/v1/questionnaires": {
                "get": {
                    "summary": "The newest published version of each questionnaire",
                    "operationId": "listQuestionnaires",
                    "responses": {"200": {"description": "List", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"questionnaires": {"type": "array", "items": {
                            "$ref": "#/components/schemas/QuestionnaireSummary"}}}}}}}},
                }
            },
            "/api/v1/questionnaires/{qid}": {
                "get": {
                    "summary": "The newest published version of a questionnaire",
                    "operationId": "getQuestionnaire",
                    "parameters": [{"name": "qid", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "Definition (normalised questionnaire format)",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  "404": _error("Unknown questionnaire")},
                }
            },
            "/api/v1/questionnaires/{qid}/{version}": {
                "get": {
                    "summary": "A given version of a questionnaire",
                    "operationId": "getQuestionnaireVersion",
                    "parameters": [
                        {"name": "qid", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "version", "in": "path", "required": True,
                         "schema": {"type": "integer", "minimum": 0}},
                    ],
                    "responses": {"200": {"description": "Definition",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  "404": _error("Unknown questionnaire or version")},
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This document", "operationId": "openapi",
                        "responses": {"200": {"description": "OpenAPI 3.1 document",
                                              "content": {"application/json": {"schema": {"type": "object"}}}}}}
            },
        },
        "components": {"schemas": {
            "Submission": {
                "type": "object",
                "properties": {
                    "respondent": {"type": "object", "additionalProperties": {"type": ["string", "null"]},
                                   "description": "Respondent questions (district, age_group, gender): option values"},
                    "answers": {"type": "object", "additionalProperties": {"type": ["integer", "null"]},
                                "description": "Item id → integer score on the item's scale; null = not answered"},
                    "open": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
                    "started_at": {"type": ["string", "null"], "format": "date-time",
                                   "description": "ISO 8601 with a UTC offset; feeds the speeder rule"},
                    "channel": {"type": ["string", "null"], "enum": [*CHANNELS, None]},
                    "token": {"type": ["string", "null"], "maxLength": MAX_TOKEN,
                              "description": "Invitation token, required when the round requires invitations"},
                    "device_id": {"type": ["string", "null"], "maxLength": MAX_DEVICE_ID,
                                  "description": "Opaque id of the answering device; one response per device and round"},
                },
            },
            "Round": {"type": "object", "properties": {
                "code": {"type": "string"}, "period": {"type": "string"},
                "questionnaire": {"type": "object", "properties": {"id": {"type": "string"},
                                                                   "version": {"type": "integer"}}},
                "opens_at": {"type": "string", "format": "date-time"},
                "closes_at": {"type": "string", "format": "date-time"},
                "districts": {"type": "array", "items": {"type": "string"}},
                "require_token": {"type": "boolean"},
                "status": {"type": "string", "enum": ["open", "closed", "not_open"]}}},
            "QuestionnaireSummary": {"type": "object", "properties": {
                "id": {"type": "string"}, "version": {"type": "integer"}, "sector": {"type": "string"},
                "title": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}}},
            "Error": {"type": "object", "required": ["error", "message"], "properties": {
                "error": {"type": "string", "description": "Machine-readable code"},
                "message": {"type": "string", "description": "Human-readable text (zh or en)"}}},
            "InvalidError": {"allOf": [{"$ref": "#/components/schemas/Error"}, {"type": "object", "properties": {
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Field path (e.g. answers.hyg_safe) → what is wrong"}}}]},
        }},
    }
