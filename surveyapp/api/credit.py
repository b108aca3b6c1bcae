"""``GET /api/v1/credit/classes`` and ``GET /api/v1/providers/<id>/credit``.

The classes (who is likely to be inspected more often) are for the bureaus, not for
every reader: ``/credit/classes`` needs a token of an administrator or of a bureau of
the sector (403 otherwise) and gives a period's recorded classes with the factors that
decided them, the same rows as the class list on ``/dashboard/credit/<sector>``.

A provider's credit record is readable without a token, but then only what the law makes
public (penalties and honours marked public, as ``surveyapp credit record --public``):
no class, no complaints, no inspections.  A token whose account may see one of the
provider's sectors adds the whole timeline, the class that holds today (an override in
force, else the last recorded one) with its factors, and the class history.  A token
that is sent must be valid (401), never silently public.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from surveyapp.api.bearer import BadParameter, api_user, forbidden_sector, token_required
from surveyapp.api.providers import _owner, token_optional
from surveyapp.api.routes import bp
from surveyapp.credit.board import (
    CreditView,
    class_list,
    distribution,
    provider_credit,
    recorded_periods,
)
from surveyapp.extensions import db
from surveyapp.json_errors import error_response
from surveyapp.models import Provider, User
from surveyapp.models.base import utcnow
from surveyapp.providers.registry import provider_by_key
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import SECTORS
from surveyapp.security import rate_limited

#: Roles whose tokens read the classes (a bureau: its own sectors)
CLASS_READERS = ("admin", "bureau")


def _required_sector() -> str:
    raw = request.args.get("sector", "").strip()
    if not raw:
        raise BadParameter("sector", "param_required")
    if raw not in {s.code for s in SECTORS}:
        raise BadParameter("sector", "param_choice", choices=", ".join(s.code for s in SECTORS))
    return raw


@bp.get("/credit/classes")
@rate_limited("api")
@token_required
def credit_classes():
    """A sector's recorded classes of a period (``period``: the latest by default), in a
    ``district`` or all; ``counts`` per class; each provider with its factors."""
    user = api_user()
    if user.role not in CLASS_READERS:
        return error_response(403, "crw_api_forbidden")
    sector = _required_sector()
    if not user.may_see_sector(sector):
        return forbidden_sector(sector)
    district = request.args.get("district", "").strip()[:64] or None
    periods = recorded_periods(db.session, sector)
    period = request.args.get("period", "").strip() or (periods[-1] if periods else None)
    if period is not None and period not in periods:
        raise BadParameter("period", "param_choice", choices=", ".join(periods) or "-")
    rows = class_list(db.session, sector, period, district) if period else []
    return jsonify(
        sector=sector,
        period=period,
        periods=periods,
        district=district,
        counts=distribution(db.session, sector, period, district).total
        if period
        else dict.fromkeys("ABCD", 0),
        providers=[r.as_json() for r in rows],
    )


def _staff(owner: User | None, provider: Provider) -> bool:
    return (
        owner is not None
        and owner.role in CLASS_READERS
        and any(owner.may_see_sector(s) for s in provider.sectors)
    )


def _class_json(view: CreditView) -> dict[str, Any]:
    rec, o = view.recorded, view.override
    return {
        "class": view.cls,
        "override": None
        if o is None
        else {"class": o.cls, "reason": o.reason, "bureau": o.bureau,
              "expires_on": o.expires_on.isoformat()},
        "recorded": None
        if rec is None
        else {"period": rec.period, "class": rec.cls, "rules_class": rec.computed,
              "points": rec.points, "factors": rec.factors},
        "history": [{"period": h.period, "class": h.cls} for h in view.history],
    }  # fmt: skip


@bp.get("/providers/<code>/credit")
@rate_limited("api")
@token_optional
def provider_credit_record(code: str):
    """A provider's credit record, newest first (the public part without a token)."""
    provider = provider_by_key(db.session, code)
    if provider is None:
        return error_response(404, "padm_api_no_provider", provider=code)
    staff = _staff(_owner(), provider)
    view = provider_credit(db.session, provider, china_today(utcnow()), public_only=not staff)
    body: dict[str, Any] = {
        "id": provider.key,
        "name": provider.name,
        "as_of": view.as_of.isoformat(),
        "staff": staff,
        "events": [e.as_json() for e in view.entries],
    }
    if staff:
        body.update(_class_json(view))
    return jsonify(body)


# --- the OpenAPI description (added to the document by surveyapp.api.openapi) ----------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def credit_paths() -> dict[str, dict[str, Any]]:
    """The two credit routes: classes (token required) and a record (token optional)."""
    unauthorized = _answer(
        "No token (`token_missing`), a malformed header, an unknown, revoked or disabled token",
        "Error",
    )
    unauthorized["headers"] = {"WWW-Authenticate": {
        "schema": {"type": "string"}, "description": 'Bearer realm="surveyapp" (RFC 6750)'}}  # fmt: skip
    text = {"type": "string"}
    return {
        "/api/v1/credit/classes": {
            "get": {
                "summary": "A sector's recorded risk classes (信用风险分类) with their factors",
                "description": "The classes recorded for a period (`surveyapp credit classes "
                "--record PERIOD`), the latest unless `period` is given: per provider the class "
                "that held (an override's, else the rules'), the rules' class, the points and "
                "the factors that decided it. Needs a token of an administrator or of a bureau "
                "of the sector. 须携带管理员或本行业主管部门的令牌。",
                "operationId": "listCreditClasses",
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {
                        "name": "sector",
                        "in": "query",
                        "required": True,
                        "schema": text,
                        "description": "a sector code of the catalogue (e.g. `catering`)",
                    },
                    {"name": "district", "in": "query", "schema": {**text, "maxLength": 64}},
                    {
                        "name": "period",
                        "in": "query",
                        "schema": text,
                        "description": "a recorded period (2026Q4); the latest by default",
                    },
                ],  # fmt: skip
                "responses": {
                    "200": _answer(
                        "The period's classes (none recorded: `period` null)", "CreditClasses"
                    ),  # fmt: skip
                    "400": _answer(
                        "`sector` missing or unknown, or a period not recorded", "BadParameterError"
                    ),  # fmt: skip
                    "401": unauthorized,
                    "403": _answer(
                        "Not an administrator's or a bureau's token "
                        "(`crw_api_forbidden`), or not the bureau's sector "
                        "(`sector_forbidden`)",
                        "Error",
                    ),  # fmt: skip
                    "404": _answer("Unknown path (`not_found`)", "Error"),
                    "429": {"description": "Rate limited (see Retry-After)"},
                },
            }
        },
        "/api/v1/providers/{code}/credit": {
            "get": {
                "summary": "A provider's credit record (信用记录), newest first",
                "description": "Without a token only what the law makes public: penalties and "
                "honours marked public. An optional `Authorization: Bearer <API token>` of an "
                "administrator or of a bureau of one of the provider's sectors adds the whole "
                "timeline (inspections, abnormal listings, complaints), the class that holds "
                "today with its factors and the class history (`staff`: true); a token that is "
                "sent must be valid (else 401). 无令牌仅返回依法公示的事件。",
                "operationId": "getProviderCredit",
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "schema": text,
                        "description": "credit code, else registration number",
                    }
                ],  # fmt: skip
                "responses": {
                    "200": _answer("The record", "ProviderCredit"),
                    "401": _answer(
                        "A token was sent and is not valid (`token_invalid`, ...)", "Error"
                    ),  # fmt: skip
                    "404": _answer("No such provider (`padm_api_no_provider`)", "Error"),
                    "429": {"description": "Rate limited (see Retry-After)"},
                },
            }
        },
    }


def credit_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    classes = {"enum": ["A", "B", "C", "D"]}
    factor = {
        "type": "object",
        "required": ["indicator", "value", "condition", "points", "label"],
        "properties": {
            "indicator": text, "value": {"type": "number"}, "condition": text,
            "points": {"type": "integer"},
            "label": {"type": "object", "properties": {"zh": text, "en": text}},
        },
    }  # fmt: skip
    return {
        "CreditFactor": factor,
        "CreditClasses": {
            "type": "object",
            "required": ["sector", "period", "periods", "counts", "providers"],
            "properties": {
                "sector": text,
                "period": maybe_text,
                "periods": {"type": "array", "items": text},
                "district": maybe_text,
                "counts": {
                    "type": "object",
                    "properties": {c: {"type": "integer"} for c in "ABCD"},
                },
                "providers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "id",
                            "name",
                            "district",
                            "class",
                            "rules_class",
                            "points",
                            "factors",
                        ],
                        "properties": {
                            "id": text,
                            "name": text,
                            "district": text,
                            "class": classes,
                            "rules_class": classes,
                            "points": {"type": "integer"},
                            "factors": {"type": "array", "items": _ref("CreditFactor")},
                        },
                    },
                },
            },
        },  # fmt: skip
        "ProviderCredit": {
            "type": "object",
            "required": ["id", "name", "as_of", "staff", "events"],
            "properties": {
                "id": text,
                "name": text,
                "as_of": {**text, "format": "date"},
                "staff": {"type": "boolean"},
                "events": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["on", "kind", "source", "counts", "public"],
                        "properties": {
                            "on": {**text, "format": "date"},
                            "kind": {
                                "enum": ["inspection", "penalty", "abnormal", "honour", "complaint"]
                            },
                            "source": text,
                            "counts": {"type": "boolean"},
                            "public": {"type": "boolean"},
                            "outcome": maybe_text,
                            "description": maybe_text,
                            "ended_on": text,
                            "end_reason": maybe_text,
                        },
                    },
                },
                "class": {"type": ["string", "null"], "description": "staff"},
                "override": {"type": ["object", "null"], "description": "staff"},
                "recorded": {"type": ["object", "null"], "description": "staff"},
                "history": {"type": "array", "description": "staff"},
            },
        },  # fmt: skip
    }
