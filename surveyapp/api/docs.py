"""``GET /api/v1/openapi.json``: the machine-readable description of the API."""

from __future__ import annotations

from flask import jsonify, request

from surveyapp.api.openapi import openapi_document
from surveyapp.api.routes import bp


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document(request.host_url))
