"""The OpenAPI description of ``POST /api/v1/providers/{code}/ratings`` (added to the
document by :func:`surveyapp.api.openapi.openapi_document`)."""

from __future__ import annotations

from typing import Any

from surveyapp.responses.validate import MAX_DEVICE_ID


def _error(description: str, *, fields: bool = False) -> dict[str, Any]:
    ref = "#/components/schemas/InvalidError" if fields else "#/components/schemas/Error"
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def rating_paths() -> dict[str, dict[str, Any]]:
    stars = {"type": "integer", "minimum": 1, "maximum": 5}
    return {
        "/api/v1/providers/{code}/ratings": {
            "post": {
                "summary": "Rate a provider (or one of its practitioners), 1-5 stars per item",
                "description": "Needs a channel key for all rounds (a key limited to some rounds "
                "is refused, 403 `rate_key_forbidden`). The items are those of the sector's "
                "rating form (`questionnaires/ratings/<sector>.yaml`); `overall` is required. "
                "One rating per `device_id` per provider per sector per window "
                "(SURVEYAPP_RATING_WINDOW_DAYS, 30): a second replaces the first "
                "(`replaced: true`); without `device_id` a rating is never matched to another. "
                "Beyond the burst threshold (SURVEYAPP_RATELIMIT_BURST) a key's ratings are "
                "held for review (`held: true`). "
                "Stored whole or not at all. 须携带渠道密钥；同一设备在评价周期内再次评价将替换原评价。",
                "operationId": "submitRating",
                "security": [{"channelKey": []}],
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "description": "the provider's credit code, or its registration number",
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["stars"],
                                "properties": {
                                    "stars": {
                                        "type": "object",
                                        "required": ["overall"],
                                        "properties": {"overall": stars},
                                        "additionalProperties": stars,
                                        "examples": [{"overall": 4, "hygiene": 5}],
                                    },
                                    "comment": {"type": "string"},
                                    "device_id": {"type": "string", "maxLength": MAX_DEVICE_ID},
                                    "sector": {
                                        "type": "string",
                                        "description": "one of the provider's sectors "
                                        "(default: its first)",
                                    },
                                    "practitioner": {"type": "integer"},
                                },
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Stored (or replaced this device's rating of the window)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "provider", "sector", "form", "replaced"],
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "provider": {"type": "string"},
                                        "sector": {"type": "string"},
                                        "form": {
                                            "type": "object",
                                            "properties": {
                                                "id": {"type": "string"},
                                                "version": {"type": "integer"},
                                            },
                                        },
                                        "replaced": {"type": "boolean"},
                                        "held": {
                                            "type": "boolean",
                                            "description": "part of a burst from this key: held "
                                            "for review, counted once a bureau releases it",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": _error(
                        "Invalid fields, listed in `fields`; nothing stored", fields=True
                    ),
                    "401": _error("No valid channel key")
                    | {
                        "headers": {
                            "WWW-Authenticate": {
                                "schema": {"type": "string"},
                                "description": 'Bearer realm="surveyapp" (RFC 6750)',
                            }
                        }
                    },
                    "403": _error("The key is limited to some rounds (`rate_key_forbidden`)"),
                    "404": _error("No such provider, practitioner or rating form"),
                    "410": _error("The provider is closed (`rate_closed`)"),
                    "415": _error("The body is not JSON"),
                    "429": _error("Rate limited"),
                },
            }
        }
    }
