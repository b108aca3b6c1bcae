"""``/dashboard``: one card per visible sector, district table, charts (read-only)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from surveyapp.auth.decorators import roles_required
from surveyapp.bulletins.service import BulletinSettings, settings_from_config
from surveyapp.dashboard import texts  # noqa: F401  (merges the dashboard texts)
from surveyapp.dashboard.cache import AnalysisCache
from surveyapp.dashboard.charts import Bar, Point, bar_chart, trend_chart
from surveyapp.dashboard.service import DashboardError, build_dashboard
from surveyapp.extensions import db
from surveyapp.i18n import t
from surveyapp.web import current_lang

bp = Blueprint("dashboard", __name__, template_folder="templates")

STATE_KEY = "surveyapp.dashboard"


def dashboard_state(app) -> tuple[BulletinSettings, AnalysisCache]:
    """This app's analysis settings (read once: a margins file is parsed at most once)
    and its analysis cache."""
    state = app.extensions.get(STATE_KEY)
    if state is None:
        state = (settings_from_config(app.config), AnalysisCache())
        app.extensions[STATE_KEY] = state
    return state


def _arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


@bp.get("/dashboard")
@roles_required("admin", "evaluator", "bureau", "viewer")
def index():
    settings, cache = dashboard_state(current_app)
    lang = current_lang()
    try:
        board = build_dashboard(
            db.session,
            current_user,
            settings,
            cache,
            period=_arg("period"),
            sector=_arg("sector"),
            district=_arg("district"),
            lang=lang,
        )
    except DashboardError as exc:
        return render_template(
            "dashboard/error.html", message=str(exc), status=exc.status
        ), exc.status
    charts = {card.qid: _charts(card, lang) for card in board.cards}
    return render_template("dashboard/index.html", board=board, min_n=settings.min_n, charts=charts)


def _fmt_goal(goal: float) -> str:
    return f"{goal:g}"


def _charts(card, lang: str) -> dict[str, Markup]:
    """The trend and district charts of one sector card."""
    goal = _fmt_goal(card.goal)
    trend = trend_chart(
        [
            Point(
                p.period,
                p.estimate.estimate if p.estimate else None,
                p.estimate.ci[0] if p.estimate else None,
                p.estimate.ci[1] if p.estimate else None,
                p.small_sample,
            )
            for p in card.trend
        ],
        card.goal,
        title=t("dash_trend_title", lang, sector=card.title, goal=goal),
        goal_label=t("dash_goal_short", lang, goal=goal),
        chart_id=f"trend-{card.qid}",
    )
    bars = bar_chart(
        [
            Bar(
                row.label,
                row.estimate.estimate if row.estimate else None,
                row.estimate.ci[0] if row.estimate else None,
                row.estimate.ci[1] if row.estimate else None,
                css=row.verdict,
                note=f"n={row.n}",
            )
            for row in card.districts
        ],
        card.goal,
        title=t("dash_bars_title", lang, sector=card.title, goal=goal),
        goal_label=goal,
        chart_id=f"districts-{card.qid}",
    )
    return {"trend": trend, "districts": bars}
