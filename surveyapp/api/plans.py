"""``GET /api/v1/plans/status`` and ``POST /api/v1/plans/values``: plan indicators by token.

The status is the same list as ``surveyapp plans status --format json`` (with
``period``) or ``surveyapp plans list --format json`` (without: each indicator's latest
value, judged as of today), the same rows as the plan pages: one
:func:`surveyapp.plans.plan_status` / :func:`~surveyapp.plans.plan_overview`.  Any
staff token reads it (a provider's account: 403); a bureau's token does not get the
satisfaction values of sectors it may not see (``status`` ``hidden``, no value).

A value is posted by a token of an account that may enter the indicator
(:func:`surveyapp.plans.may_enter`: a bureau for its sectors' indicators, an
administrator for all), through :func:`surveyapp.plans.enter_value` like the form:
a second value for the same indicator and period is a correction (both kept, audited).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from surveyapp.api.bearer import BadParameter, api_user, token_required
from surveyapp.api.routes import _read_json, bp
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.extensions import db
from surveyapp.indices import indices_state
from surveyapp.json_errors import error_response
from surveyapp.models import User
from surveyapp.models.base import utcnow
from surveyapp.plans import (
    EntryError,
    IndicatorStatus,
    current_plans,
    enter_value,
    may_enter,
    may_see_value,
    period_span,
    plan_overview,
    plan_status,
)
from surveyapp.rounds.dates import china_today
from surveyapp.security import rate_limited

__all__ = ["plans_paths", "plans_schemas"]

READERS = ("admin", "evaluator", "bureau", "viewer")
FIELDS = ("plan", "indicator", "period", "value", "note")


def _shown(user: User, status: IndicatorStatus) -> dict[str, Any]:
    """The indicator's JSON; a satisfaction value of a sector ``user`` may not see is
    left out (as on the dashboard and the plan pages)."""
    out = status.to_dict()
    if not may_see_value(user, status.indicator):
        out.update(value=None, note=None, status="hidden", status_zh="不可见",
                   status_en="not shown (another bureau's sector)",
                   expected=None, gap_pp=None, value_source="hidden")  # fmt: skip
    return out


@bp.get("/plans/status")
@rate_limited("api")
@token_required
def plans_status():
    user = api_user()
    if user.role not in READERS:
        return error_response(403, "role_forbidden")
    period = (request.args.get("period") or "").strip()
    if period and period_span(period) is None:
        raise BadParameter("period", "plan_param_period")
    plans = current_plans()  # the shipped files (tested); a broken one is a logged 500
    config = current_app.config
    settings, cache = indices_state(current_app).settings, indices_state(current_app).cache
    tolerance = float(config.get("PLAN_TOLERANCE_PP", 5.0))
    complaints = ComplaintSettings.from_config(config)
    now = utcnow()
    if period:
        statuses = plan_status(db.session, plans, period, settings=settings,
                               tolerance_pp=tolerance, complaints=complaints,
                               cache=cache)  # fmt: skip
        days = period_span(period)
        head: dict[str, Any] = {
            "period": period,
            "judged_on": days[1].isoformat() if days else None,
        }
    else:
        statuses = plan_overview(db.session, plans, settings=settings, tolerance_pp=tolerance,
                                 now=now, complaints=complaints, cache=cache)  # fmt: skip
        head = {"as_of": china_today(now).isoformat()}
    return jsonify(
        **head,
        tolerance_pp=tolerance,
        plans=[p.to_dict() for p in plans],
        indicators=[_shown(user, s) for s in statuses],
    )


@bp.post("/plans/values")
@rate_limited("api")
@token_required
def post_plan_value():
    user = api_user()
    payload, problem = _read_json()
    if problem is not None:
        return problem
    if not isinstance(payload, dict):
        return error_response(400, "invalid", fields={"": "not an object"})
    bad = {k: "required" for k in FIELDS if payload.get(k) in (None, "")}
    bad.update(
        {k: "not a string" for k in ("plan", "indicator", "period", "note")
         if k not in bad and not isinstance(payload[k], str)}
    )  # fmt: skip
    unknown = sorted(set(payload) - set(FIELDS))
    bad.update(dict.fromkeys(unknown, "unknown field"))
    if bad:
        return error_response(400, "invalid", fields=bad)
    plans = current_plans()
    plan = next((p for p in plans if p.id == payload["plan"]), None)
    indicator = None if plan is None else plan.indicator(payload["indicator"])
    if indicator is not None and indicator.bound_to is None and not may_enter(user, indicator):
        return error_response(403, "plan_entry_forbidden", indicator=indicator.id)
    try:
        row = enter_value(
            db.session,
            plans,
            user,
            plan_id=payload["plan"],
            indicator_id=payload["indicator"],
            period=payload["period"].strip(),
            value=payload["value"],
            note=payload["note"],
            ip=request.remote_addr,
        )
    except EntryError as exc:
        status = 409 if "changed while" in exc.message else 400
        return error_response(status, "invalid", fields={exc.field: exc.message})
    if row is None:
        return jsonify(stored=False, correction=False), 200
    return jsonify(
        stored=True,
        id=row.id,
        correction=row.supersedes_id is not None,
        supersedes=row.supersedes_id,
        entered_at=row.entered_at.isoformat(),
    ), 201


# --- OpenAPI ---------------------------------------------------------------------------


def _err(description: str, schema: str = "Error") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def plans_paths() -> dict[str, dict[str, Any]]:
    """The two plan endpoints, for :func:`surveyapp.api.openapi.openapi_document`."""
    security: list[dict[str, list[str]]] = [{"bearerAuth": []}]
    text = {"type": "string"}
    unauthorized = {
        **_err(
            "No token (`token_missing`), a malformed header, an unknown or revoked token, or a "
            "disabled account"
        ),
        "headers": {
            "WWW-Authenticate": {
                "schema": {"type": "string"},
                "description": 'Bearer realm="surveyapp" (RFC 6750)',
            }
        },
    }
    not_found = _err("Unknown path (`not_found`)")
    return {
        "/api/v1/plans/status": {
            "get": {
                "summary": "Every plan indicator with its value and status (规划指标进展)",
                "description": "With `period`: each indicator's value of that period, judged on "
                "its last day (as `surveyapp plans status`); without: each indicator's latest "
                "value, judged as of today, China time (as `surveyapp plans list`). Statuses: "
                "achieved 已实现, ahead 快于预期, on_track 基本符合预期, behind 滞后, missed "
                "未按期实现, no_baseline 无基线, no_data 无数据, not_computed 尚未计算; a bureau's "
                "token gets `hidden` for the satisfaction of a sector it may not see.",
                "operationId": "getPlanStatus",
                "security": security,
                "parameters": [
                    {
                        "name": "period",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "pattern": r"^\d{4}(H[12]|Q[1-4]|M\d{2})?$"},
                        "description": "A period: 2025, 2025H2, 2025Q4 or 2025M12",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The indicators",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PlanStatus"}
                            }
                        },
                    },
                    "400": _err("`period` is not a period (`bad_parameter`)", "BadParameterError"),
                    "401": unauthorized,
                    "403": _err("A provider's account (`role_forbidden`)"),
                    "404": not_found,
                    "429": _err("Rate limited (see Retry-After)"),
                },
            }
        },
        "/api/v1/plans/values": {
            "post": {
                "summary": "Enter or correct one indicator's value of a period (with its source)",
                "description": "A token of an administrator, or of a bureau for the indicators "
                "of its sectors (`sectors` in the plan file). A value for an indicator and "
                "period that has one already is a correction: both are kept and audited. A "
                "bound indicator takes no entered value. 由责任部门填报，更正保留历史。",
                "operationId": "postPlanValue",
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": list(FIELDS),
                                "additionalProperties": False,
                                "properties": {
                                    "plan": {**text, "examples": ["shanghai-2025-life-services"]},
                                    "indicator": {**text, "examples": ["elderly-care-beds"]},
                                    "period": {**text, "examples": ["2025Q4"]},
                                    "value": {"type": ["number", "string"]},
                                    "note": {
                                        **text,
                                        "maxLength": 500,
                                        "description": "where the value comes from",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Stored (a new value or a correction)",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PlanValueStored"}
                            }
                        },
                    },
                    "200": {
                        "description": "The same value and source as the current one: nothing stored",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PlanValueStored"}
                            }
                        },
                    },
                    "400": _err(
                        "Invalid fields, listed in `fields`; nothing stored", "InvalidError"
                    ),
                    "401": unauthorized,
                    "403": _err(
                        "The account may not enter this indicator (`plan_entry_forbidden`)"
                    ),
                    "404": not_found,
                    "409": _err(
                        "Another entry of the same value came first; nothing stored", "InvalidError"
                    ),
                    "415": _err("Not JSON (`not_json`)"),
                    "429": _err("Rate limited (see Retry-After)"),
                },
            }
        },
    }


def plans_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    number = {"type": ["number", "null"]}
    return {
        "PlanStatus": {
            "type": "object",
            "required": ["tolerance_pp", "plans", "indicators"],
            "properties": {
                "period": text,
                "judged_on": {**text, "format": "date"},
                "as_of": {**text, "format": "date"},
                "tolerance_pp": {"type": "number"},
                "plans": {"type": "array", "items": {"type": "object"}},
                "indicators": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["plan", "id", "status", "status_zh", "status_en", "value"],
                        "properties": {
                            "plan": text,
                            "id": text,
                            "name": {"type": "object"},
                            "unit": text,
                            "direction": {"enum": ["at_least", "at_most"]},
                            "target": {"type": "object"},
                            "baseline": {"type": ["object", "null"]},
                            "period": {"type": ["string", "null"]},
                            "value": number,
                            "value_source": text,
                            "status": {
                                "enum": [
                                    "achieved",
                                    "ahead",
                                    "on_track",
                                    "behind",
                                    "missed",
                                    "no_baseline",
                                    "no_data",
                                    "not_computed",
                                    "hidden",
                                ]
                            },  # fmt: skip
                            "status_zh": text,
                            "status_en": text,
                            "expected": number,
                            "gap_pp": number,
                        },
                    },
                },
            },
        },
        "PlanValueStored": {
            "type": "object",
            "required": ["stored", "correction"],
            "properties": {
                "stored": {"type": "boolean"},
                "correction": {"type": "boolean"},
                "id": {"type": "integer"},
                "supersedes": {"type": ["integer", "null"]},
                "entered_at": {**text, "format": "date-time"},
            },
        },
    }
