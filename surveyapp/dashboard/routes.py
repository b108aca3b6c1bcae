"""``/dashboard``: one card per visible sector, district table, charts."""

from __future__ import annotations

from flask import Blueprint, render_template

from surveyapp.auth.decorators import roles_required

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/dashboard")
@roles_required("admin", "evaluator", "bureau", "viewer")
def index():
    return render_template("dashboard/index.html")
