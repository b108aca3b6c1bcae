"""``/dashboard``: one card per visible sector, district table, charts (read-only), and
its indices table as CSV and XLSX downloads with the same filters and role checks."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from reports import Texts
from reports.fmt import p_value
from surveyapp.accounts.access import roles_required
from surveyapp.attachments import csv_attachment, xlsx_attachment
from surveyapp.complaints import ComplaintSettings
from surveyapp.complaints.panel import sector_complaints
from surveyapp.dashboard.charts import Bar, IpaPoint, Point, bar_chart, ipa_chart, trend_chart
from surveyapp.dashboard.service import (
    INDEX_COLUMNS,
    DashboardError,
    build_dashboard,
    indices_rows,
)
from surveyapp.extensions import db
from surveyapp.i18n import N_, t
from surveyapp.indices import AnalysisPending, indices_state
from surveyapp.models.base import utcnow
from surveyapp.plans.catalogue import Plan, PlanError, current_plans
from surveyapp.responses.downloads import may_export
from surveyapp.rounds.service import get_round
from surveyapp.web import current_lang

bp = Blueprint("dashboard", __name__, template_folder="templates")

PENDING_RETRY_SECONDS = 10


def _arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


ROLES = ("admin", "evaluator", "bureau", "viewer")
FILTERS = ("period", "sector", "district")


def _board():
    """The dashboard of the signed-in user for the request's filters, or the error page."""
    state = indices_state(current_app)
    try:
        board = build_dashboard(
            db.session,
            current_user,
            state.settings,
            state.cache,
            **{name: _arg(name) for name in FILTERS},
            lang=current_lang(),
            plans=_plans(),
        )
    except DashboardError as exc:
        head = N_("auth_forbidden_body") if exc.status == 403 else N_("dash_not_found")
        texts = [(t(head, lang), t(exc.key, lang, **exc.params)) for lang in ("zh", "en")]
        page = render_template("dashboard/error.html", texts=texts, status=exc.status)
        return None, (page, exc.status)
    except AnalysisPending:
        # a large round seen first by this worker: analysed in the background; the page
        # reloads itself (no script needed) and a download is asked to come back
        page = render_template("dashboard/pending.html", seconds=PENDING_RETRY_SECONDS)
        status = 200 if request.endpoint == "dashboard.index" else 503
        return None, (page, status, {"Retry-After": str(PENDING_RETRY_SECONDS)})
    return board, None


def _plans() -> list[Plan]:
    """The shipped plans whose satisfaction targets the cards show; a broken plan file
    is logged and costs the cards their plan lines, not the dashboard."""
    try:
        return current_plans()
    except PlanError as exc:
        current_app.logger.error("plan files: %s", "; ".join(exc.problems))
        return []


@bp.get("/dashboard")
@roles_required(*ROLES)
def index():
    board, error = _board()
    if error is not None:
        return error
    lang = current_lang()
    charts = {card.key: _charts(card, lang) for card in board.cards}
    export_args = {name: value for name in FILTERS if (value := _arg(name)) is not None}
    return render_template(
        "dashboard/index.html",
        board=board,
        min_n=indices_state(current_app).settings.min_n,
        charts=charts,
        export_args=export_args,
        fmt_p=p_value,
        bulletin=Texts(lang),  # the verdict legend and the quadrants in the bulletin's words
        exportable={c.round_code for c in board.cards if _may_download(c.round_code)},
        complaints=_complaints(board),
    )


def _complaints(board):
    """Complaints beside satisfaction: per sector shown, this period (the numbers are
    surveyapp.complaints'; the case list is linked for the roles that handle cases)."""
    if not board.period:
        return []
    shown = [s for s, _ in board.sectors if board.sector in (None, s)]
    settings = ComplaintSettings.from_config(current_app.config)
    return sector_complaints(db.session, shown, board.period, utcnow(), settings)


def _may_download(code: str) -> bool:
    """Whether the signed-in user may download the responses of round ``code`` (the
    links to the exports blueprint's files are shown only then; built by endpoint name,
    so this blueprint imports nothing of that one)."""
    round_ = get_round(db.session, code)
    return round_ is not None and may_export(current_user, round_)


def _table(board) -> tuple[list[str], list[list[object]]]:
    """Header and rows of the indices table in the page's language (verdicts in words)."""
    lang = current_lang()
    header = [t(text, lang) for _, text in INDEX_COLUMNS]
    rows = []
    for row in indices_rows(board, t("dash_all", lang)):
        row["verdict"] = t(f"dash_verdict_{row['verdict']}", lang)
        if row["rate_verdict"] is not None:  # the rate is judged only against a rate goal
            row["rate_verdict"] = t(f"dash_verdict_{row['rate_verdict']}", lang)
        row["small_sample"] = t("dash_yes", lang) if row["small_sample"] else t("dash_no", lang)
        rows.append([row[key] for key, _ in INDEX_COLUMNS])
    return header, rows


def _filename(board, ext: str) -> str:
    parts = ["indices", board.period or "none", board.sector, board.district]
    return "-".join(p for p in parts if p) + f".{ext}"


@bp.get("/dashboard/indices.csv")
@roles_required(*ROLES)
def indices_csv():
    """The page's indices table as CSV, UTF-8 with a BOM so Excel shows the Chinese."""
    board, error = _board()
    if error is not None:
        return error
    header, rows = _table(board)
    return csv_attachment(header, rows, _filename(board, "csv"))


@bp.get("/dashboard/indices.xlsx")
@roles_required(*ROLES)
def indices_xlsx():
    """The page's indices table as an Excel workbook (numbers as numbers, one decimal)."""
    board, error = _board()
    if error is not None:
        return error
    header, rows = _table(board)
    sheet = t("dash_col_index", current_lang())
    return xlsx_attachment(header, rows, sheet, _filename(board, "xlsx"))


def _fmt_goal(goal: float) -> str:
    return f"{goal:g}"


def _charts(card, lang: str) -> dict[str, Markup]:
    """The trend, district and importance-performance charts of one sector card."""
    goal = _fmt_goal(card.goal)
    trend = trend_chart(
        [
            Point(
                p.period,
                p.index.estimate if p.index else None,
                p.index.ci[0] if p.index else None,
                p.index.ci[1] if p.index else None,
                p.small_sample,
            )
            for p in card.trend
        ],
        card.goal,
        title=t("dash_trend_title", lang, sector=card.title, goal=goal),
        goal_label=t("dash_goal_short", lang, goal=goal),
        chart_id=f"trend-{card.key}",
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
                model=row.model.estimate if row.model else None,
                model_low=row.model.ci[0] if row.model else None,
                model_high=row.model.ci[1] if row.model else None,
            )
            for row in card.districts
        ],
        card.goal,
        title=t("dash_bars_title", lang, sector=card.title, goal=goal),
        goal_label=goal,
        chart_id=f"districts-{card.key}",
    )
    charts = {"trend": trend, "districts": bars}
    if card.ipa is not None:
        charts["ipa"] = ipa_chart(
            [
                IpaPoint(r.number, r.label, r.importance, r.score, r.fix_first)
                for r in card.ipa.rows
            ],
            card.ipa.mean_importance,
            card.ipa.mean_score,
            title=t("dash_ipa_title", lang, sector=card.title),
            x_label=t("dash_ipa_x", lang),
            y_label=t("dash_ipa_y", lang),
            fix_label=Texts(lang)("fix_first"),
            chart_id=f"ipa-{card.key}",
        )
    return charts
