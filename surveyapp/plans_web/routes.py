"""Routes of the plan pages: thin; they read the plans, call :mod:`surveyapp.plans` and
render or redirect.

Signed-in staff (admin, evaluator, bureau, viewer) read every plan: ``/plans`` (the
plans with how many indicators stand where) and ``/plans/<plan>`` (a table: latest
value, target, deadline, status, sparkline).  ``/plans/<plan>/<indicator>`` lists the
indicator's values by period with every correction, and carries the entry form for
an account that may enter it (:func:`surveyapp.plans.may_enter`: a bureau for the
indicators of its sectors, an administrator for all).  ``/plans/values/upload``
takes a values file, all rows or none, through the same service as
``surveyapp plans values import``.  A bureau does not see a satisfaction value of a
sector it may not see on the dashboard.

There is no public page: values entered here are live at once, without the review a
publication gets; the public reads plan progress in the published bulletin (its
plan-progress section), an archived edition.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from typing import Any

from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from surveyapp.accounts.access import roles_required
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.extensions import csrf, db
from surveyapp.i18n import LOCALES, format_number, t
from surveyapp.indices import indices_state
from surveyapp.models import User
from surveyapp.models.base import utcnow
from surveyapp.plans import (
    STATUSES,
    EntryError,
    IndicatorStatus,
    Plan,
    PlanError,
    current_plans,
    enter_value,
    import_values,
    indicator_series,
    may_enter,
    may_see_value,
    period_span,
    plan_overview,
    read_values,
    refused_rows,
    value_history,
)
from surveyapp.plans.values import current_values
from surveyapp.responses.importer import ImportFailed
from surveyapp.web import current_lang

from .forms import UploadForm, ValueForm
from .sparkline import sparkline

bp = Blueprint(
    "plans_web",
    __name__,
    url_prefix="/plans",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

READERS = ("admin", "evaluator", "bureau", "viewer")
ENTERERS = ("admin", "bureau")
MAX_UPLOAD = 2 * 1024 * 1024
UPLOAD_SLACK = 64 * 1024  # the form's other fields and the multipart framing
#: The problems of a refused upload listed on its page (then how many more there are).
MAX_PROBLEMS = 100


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def _plans() -> list[Plan]:
    """The shipped plans (``plans/``); a broken file is a server error the log names."""
    try:
        return current_plans()
    except PlanError as exc:  # pragma: no cover - the shipped files are tested
        current_app.logger.error("plan files: %s", "; ".join(exc.problems))
        abort(500)


def _plan(plans: list[Plan], plan_id: str) -> Plan:
    found = next((p for p in plans if p.id == plan_id), None)
    if found is None:
        abort(404)
    return found


def number(value: float | None, lang: str | None = None) -> str:
    """A value as written in the plans: grouped, up to two decimals (Babel)."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##", locale=LOCALES[lang or current_lang()])


def _hidden(user: User, status: IndicatorStatus) -> bool:
    return not may_see_value(user, status.indicator)


def _overview(plans: list[Plan]) -> list[IndicatorStatus]:
    config = current_app.config
    return plan_overview(
        db.session,
        plans,
        settings=indices_state(current_app).settings,
        tolerance_pp=float(config.get("PLAN_TOLERANCE_PP", 5.0)),
        now=utcnow(),
        complaints=ComplaintSettings.from_config(config),
        cache=indices_state(current_app).cache,
    )


def _row(user: User, status: IndicatorStatus, points: Any, lang: str) -> dict[str, Any]:
    hidden = _hidden(user, status)
    indicator = status.indicator
    return {
        "s": status,
        "i": indicator,
        "key": "hidden" if hidden else status.status,
        "value": "—" if hidden else number(status.value, lang),
        "target": number(indicator.target, lang),
        "spark": None
        if hidden
        else sparkline(
            indicator, points, label=indicator.name.get(lang), number=lambda v: number(v, lang)
        ),
        "may_enter": may_enter(user, indicator),
    }


@bp.get("/")
@roles_required(*READERS)
def index():
    plans = _plans()
    statuses = _overview(plans)
    counts = {
        p.id: Counter(
            "hidden" if _hidden(current_user, s) else s.status for s in statuses if s.plan is p
        )
        for p in plans
    }
    keys = [*STATUSES, "not_computed", "hidden"]
    return render_template(
        "plans_web/index.html", plans=plans, counts=counts, keys=keys, form=UploadForm()
    )


@bp.get("/<plan_id>")
@roles_required(*READERS)
def plan_page(plan_id: str):
    plans = _plans()
    plan = _plan(plans, plan_id)
    lang = current_lang()
    statuses = _overview([plan])
    series = indicator_series(
        db.session,
        plan,
        settings=indices_state(current_app).settings,
        latest=statuses,
        cache=indices_state(current_app).cache,
    )
    rows = [_row(current_user, s, series.get(s.indicator.id, []), lang) for s in statuses]
    return render_template("plans_web/plan.html", plan=plan, rows=rows)


def _history(plan: Plan, indicator_id: str) -> list[tuple[str, list[Any]]]:
    """Every period with a value, latest first, each with its values (first first)."""
    periods = {key[2] for key in current_values(db.session, [plan.id]) if key[1] == indicator_id}
    ordered = sorted(periods, key=lambda p: period_span(p) or (), reverse=True)
    return [(p, value_history(db.session, plan.id, indicator_id, p)) for p in ordered]


def _indicator_page(plan: Plan, indicator_id: str, form: ValueForm, error: str | None, code: int):
    indicator = plan.indicator(indicator_id)
    if indicator is None:
        abort(404)
    return render_template(
        "plans_web/indicator.html",
        plan=plan,
        indicator=indicator,
        history=_history(plan, indicator_id),
        form=form,
        error=error,
        may_enter=may_enter(current_user, indicator),
        number=number,
    ), code


@bp.get("/<plan_id>/<indicator_id>")
@roles_required(*READERS)
def indicator_page(plan_id: str, indicator_id: str):
    plan = _plan(_plans(), plan_id)
    form = ValueForm(formdata=None)
    if request.args.get("period"):
        form.period.data = request.args["period"][:16]
    return _indicator_page(plan, indicator_id, form, None, 200)


@bp.post("/<plan_id>/<indicator_id>")
@roles_required(*ENTERERS)
def enter(plan_id: str, indicator_id: str):
    plans = _plans()
    plan = _plan(plans, plan_id)
    indicator = plan.indicator(indicator_id)
    if indicator is None:
        abort(404)
    if not may_enter(current_user, indicator):
        return render_template("auth/forbidden.html"), 403
    form = ValueForm()
    lang = current_lang()
    if not form.validate():
        return _indicator_page(plan, indicator_id, form, t("plan_form_invalid", lang), 400)
    try:
        row = enter_value(
            db.session,
            plans,
            current_user,
            plan_id=plan.id,
            indicator_id=indicator.id,
            period=(form.period.data or "").strip(),
            value=(form.value.data or "").strip(),
            note=form.note.data or "",
            ip=request.remote_addr,
        )
    except EntryError as exc:
        error = t("plan_entry_error", lang, field=t(f"plan_field_{exc.field}", lang), why=exc)
        return _indicator_page(plan, indicator_id, form, error, 400)
    flash(t("plan_saved", lang) if row is not None else t("plan_unchanged", lang))
    return redirect(url_for("plans_web.indicator_page", plan_id=plan.id, indicator_id=indicator.id))


def _upload_page(form: UploadForm, problems: list[str], code: int, error: str | None = None):
    return render_template("plans_web/upload.html", form=form, problems=problems, error=error), code


@bp.get("/values/upload")
@roles_required(*ENTERERS)
def upload_form():
    return _upload_page(UploadForm(formdata=None), [], 200)


@csrf.exempt  # checked by the form itself, after the upload limit is raised
@bp.post("/values/upload")
@roles_required(*ENTERERS)
def upload():
    """A values file: every row stored, or none (each bad row and column named)."""
    request.max_content_length = MAX_UPLOAD + UPLOAD_SLACK  # the app's limit is 256 KB
    form = UploadForm()
    lang = current_lang()
    if not form.validate():
        return _upload_page(form, [], 400, t("plan_form_invalid", lang))
    upload = form.file.data
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not data:
        return _upload_page(form, [], 400, t("plan_upload_empty", lang))
    if len(data) > MAX_UPLOAD:
        return _upload_page(form, [], 400, t("plan_upload_too_large", lang))
    name = os.path.basename(upload.filename or "values.csv")[:100] or "values.csv"
    plans = _plans()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "values.csv")
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            entries = read_values(path, plans, name=name)
        except ImportFailed as exc:
            lines = exc.lines()
            if len(lines) > MAX_PROBLEMS:  # a page of the first ones, not of every bad row
                more = format_number(len(lines) - MAX_PROBLEMS, 0, lang)
                lines = [*lines[:MAX_PROBLEMS], t("plan_upload_more", lang, n=more)]
            return _upload_page(form, lines, 400, t("plan_upload_failed", lang))
    refused = refused_rows(current_user, plans, entries)
    if refused:
        lines = ImportFailed(name, refused).lines()
        return _upload_page(form, lines, 403, t("plan_upload_failed", lang))
    try:
        outcome = import_values(db.session, entries, current_user, file=name)
    except EntryError as exc:
        return _upload_page(form, [str(exc)], 409, t("plan_upload_failed", lang))
    flash(
        t(
            "plan_upload_done",
            lang,
            rows=len(entries),
            new=outcome.entered,
            corrected=outcome.corrected,
            unchanged=outcome.unchanged,
        )
    )
    return redirect(url_for("plans_web.index"))
