"""Public routes: home page listing open rounds, ``/healthz`` and ``/readyz``."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import select, text

from reports.fmt import period_label
from surveyapp.catalog import questionnaire_of
from surveyapp.database import release_session_on_teardown
from surveyapp.extensions import db
from surveyapp.models import Round
from surveyapp.models.base import utcnow
from surveyapp.web import current_lang

bp = Blueprint("public", __name__, template_folder="templates")
# app-wide: a database that vanishes after a reply is built must not turn it into a 500
bp.record_once(lambda state: release_session_on_teardown(state.app, db.session))
# a period in words (2026年第四季度 / 2026 Q4), never the code 2026Q4
bp.context_processor(lambda: {"fmt_period": lambda p: period_label(p, current_lang())})


@bp.get("/")
def index():
    """Open rounds anyone may answer; invitation-only rounds are reached by their letter."""
    now = utcnow()
    rounds = [
        r
        for r in db.session.scalars(select(Round).order_by(Round.code))
        if r.state(now) == "open" and not r.require_token
    ]
    entries = [(r, questionnaire_of(r.questionnaire_version)) for r in rounds]
    return render_template("public/index.html", entries=entries)


@bp.get("/healthz")
def healthz():
    """The process answers; says nothing about the database (see ``/readyz``)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"
        db.session.rollback()
        return (
            jsonify(status="unavailable", error="database unreachable"),
            503,
            {"Retry-After": "5"},
        )
    return jsonify(status="ok")
