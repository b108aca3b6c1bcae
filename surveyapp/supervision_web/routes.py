"""Routes of the supervision pages: thin; they check a form and call one service function.

Bureaus (their own sectors) and administrators: ``/dashboard/supervision`` (the stored
draws with their progress, results entered of providers drawn), a draw's page with the
results form (:class:`surveyapp.inspections.service.ResultChecker` and
:func:`~surveyapp.inspections.service.enter_results`, the CSV import's own check and
store), publishing it with its results (:func:`surveyapp.inspections.publication.
publish_results`, refused while results are missing), and the consumer-warning
proposals (:mod:`surveyapp.credit.proposals`).  A plan of another sector is a 404.

Public: ``/inspections`` lists the published editions only, never a plan: a drawn list
is public from the day it is published with its results (一公开), not before.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from surveyapp.accounts.access import roles_required
from surveyapp.attachments import EDITION_FORMATS, edition_attachment
from surveyapp.credit.classes import CreditSettings
from surveyapp.credit.proposals import (
    ProposalError,
    dismiss_proposal,
    publish_proposed_warning,
    warning_proposals,
)
from surveyapp.credit.rules import RulesError
from surveyapp.extensions import db
from surveyapp.i18n import N_, t
from surveyapp.inspections.publication import (
    edition_by_number,
    list_result_editions,
    plan_progress,
    plans_of,
    publish_results,
    result_lines,
)
from surveyapp.inspections.service import ResultChecker, enter_results
from surveyapp.models import Provider
from surveyapp.models.base import utcnow
from surveyapp.models.credit import InspectionPlan
from surveyapp.providers.registry import provider_by_key
from surveyapp.publications import PublicationError
from surveyapp.responses.importer import ImportProblem
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import SECTORS, sector_name
from surveyapp.web import current_lang

from .forms import DismissForm, PublishForm, ResultForm, WarnForm

bp = Blueprint(
    "supervision_web",
    __name__,
    url_prefix="/dashboard/supervision",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
public_bp = Blueprint("inspections_public", __name__, url_prefix="/inspections")

ROLES = ("admin", "bureau")
#: The results form's fields, each with the text of its problem
FIELD_ERRORS = {
    "credit_code": N_("sup_err_credit_code"),
    "inspected_on": N_("sup_err_inspected_on"),
    "result": N_("sup_err_result"),
    "findings": N_("sup_err_findings"),
    "inspectors": N_("sup_err_inspectors"),
}


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _my_sectors() -> list[str] | None:
    """The sectors the account may see; ``None``: all (an administrator)."""
    if current_user.role == "bureau":
        return list(current_user.sectors or [])
    return None


def _plan(plan_id: int) -> InspectionPlan:
    plan = db.session.get(InspectionPlan, plan_id)
    if plan is None or not current_user.may_see_sector(plan.sector):
        abort(404)
    return plan


def _settings() -> CreditSettings:
    try:
        return CreditSettings.from_config(current_app.config)
    except (RulesError, ValueError):
        abort(500)


@bp.get("")
@roles_required(*ROLES)
def index():
    return render_template(
        "supervision_web/index.html",
        plans=plans_of(db.session, _my_sectors()),
        sector_name=sector_name,
    )


def _render_plan(plan: InspectionPlan, form: ResultForm, *, errors=None, error=None, status=200):
    lang = current_lang()
    return (
        render_template(
            "supervision_web/plan.html",
            plan=plan,
            progress=plan_progress(db.session, plan),
            lines=result_lines(db.session, plan),
            form=form,
            publish_form=PublishForm(),
            errors=errors or {},
            error=error,
            sector=sector_name(plan.sector, lang, plan.sector),
            today=china_today(utcnow()).isoformat(),
        ),
        status,
    )


@bp.get("/plans/<int:plan_id>")
@roles_required(*ROLES)
def plan(plan_id: int):
    return _render_plan(_plan(plan_id), ResultForm())


@bp.post("/plans/<int:plan_id>/results")
@roles_required(*ROLES)
def enter_result(plan_id: int):
    row = _plan(plan_id)
    lang = current_lang()
    form = ResultForm()
    if not form.validate():
        errors = {name: t(FIELD_ERRORS[name], lang) for name in form.errors if name in FIELD_ERRORS}
        return _render_plan(row, form, errors=errors, error=t("sup_result_refused", lang),
                            status=400)  # fmt: skip
    values = {name: (getattr(form, name).data or "") for name in FIELD_ERRORS}
    problems: list[ImportProblem] = []
    checker = ResultChecker.of(db.session, row, china_today(utcnow()))
    draft = checker.check(0, values, problems)
    if draft is None:
        errors = {p.column: t(FIELD_ERRORS[p.column], lang) for p in problems
                  if p.column in FIELD_ERRORS}  # fmt: skip
        return _render_plan(row, form, errors=errors, error=t("sup_result_refused", lang),
                            status=400)  # fmt: skip
    enter_results(db.session, row, [draft], current_user._get_current_object(), via="form")
    return redirect(url_for(".plan", plan_id=row.id), 303)


@bp.post("/plans/<int:plan_id>/publish")
@roles_required(*ROLES)
def publish(plan_id: int):
    row = _plan(plan_id)
    lang = current_lang()
    form = PublishForm()
    if not form.validate():
        return _render_plan(row, ResultForm(), error=t("sup_publish_refused", lang), status=400)
    text = (form.replaces.data or "").strip()
    replaces = int(text) if text.isdigit() else None
    if text and replaces is None:
        return _render_plan(row, ResultForm(), error=t("sup_publish_refused", lang), status=400)
    progress = plan_progress(db.session, row)
    if not progress.complete:
        message = t("sup_publish_missing", lang, missing=progress.missing, drawn=progress.drawn)
        return _render_plan(row, ResultForm(), error=message, status=409)
    try:
        publish_results(db.session, row, current_user._get_current_object(), replaces=replaces)
    except PublicationError:
        db.session.rollback()
        return _render_plan(row, ResultForm(), error=t("sup_publish_refused", lang), status=409)
    db.session.commit()
    return redirect(url_for(".plan", plan_id=row.id), 303)


# --- consumer-warning proposals ------------------------------------------------------


def _window() -> int:
    return int(current_app.config.get("CREDIT_WARNING_DAYS", 180))


def _render_proposals(*, error: str | None = None, status: int = 200, forms=None):
    lang = current_lang()
    mine = _my_sectors()
    sectors = [s.code for s in SECTORS] if mine is None else mine  # a bureau: its own only
    today = china_today(utcnow())
    proposals = warning_proposals(db.session, _settings(), today, sectors, _window())
    warn_forms = {}
    for p in proposals:
        warn_forms[p.key] = (forms or {}).get(p.key) or WarnForm(
            formdata=None,
            title=t("sup_warning_title_default", lang, name=p.name),
            body=t("sup_warning_body_default", lang, name=p.name, code=p.key),
        )
    return (
        render_template(
            "supervision_web/proposals.html",
            proposals=proposals,
            warn_forms=warn_forms,
            dismiss_form=DismissForm(formdata=None),
            error=error,
            window=_window(),
            sector_name=sector_name,
        ),
        status,
    )


@bp.get("/proposals")
@roles_required(*ROLES)
def proposals():
    return _render_proposals()


def _provider(key: str) -> Provider:
    provider = provider_by_key(db.session, key)
    if provider is None or not any(current_user.may_see_sector(s) for s in provider.sectors or []):
        abort(404)
    return provider


@bp.post("/proposals/<key>/warn")
@roles_required(*ROLES)
def warn(key: str):
    provider = _provider(key)
    lang = current_lang()
    form = WarnForm()
    if not form.validate():
        return _render_proposals(error=t("sup_warn_refused", lang), status=400,
                                 forms={provider.key: form})  # fmt: skip
    try:
        publish_proposed_warning(db.session, _settings(), provider, form.title.data,
                                 form.body.data, current_user._get_current_object(),
                                 as_of=china_today(utcnow()), window_days=_window())  # fmt: skip
    except ValueError:
        db.session.rollback()
        return _render_proposals(error=t("sup_warn_refused", lang), status=409)
    db.session.commit()
    return redirect(url_for(".proposals"), 303)


@bp.post("/proposals/<key>/dismiss")
@roles_required(*ROLES)
def dismiss(key: str):
    provider = _provider(key)
    lang = current_lang()
    form = DismissForm()
    if not form.validate():
        return _render_proposals(error=t("sup_dismiss_refused", lang), status=400)
    try:
        dismiss_proposal(db.session, _settings(), provider, form.reason.data,
                         current_user._get_current_object(), as_of=china_today(utcnow()),
                         window_days=_window())  # fmt: skip
    except ProposalError:
        db.session.rollback()
        return _render_proposals(error=t("sup_dismiss_refused", lang), status=409)
    db.session.commit()
    return redirect(url_for(".proposals"), 303)


# --- public: published results only ---------------------------------------------------


@public_bp.get("")
def editions():
    rows = list_result_editions(db.session)
    replaced = {e.replaces_id: e.edition for e in rows if e.replaces_id is not None}
    return render_template(
        "supervision_web/public.html", editions=rows, replaced=replaced, sector_name=sector_name
    )


@public_bp.get("/editions/<int:edition>.<fmt>")
def edition_file(edition: int, fmt: str):
    if fmt not in EDITION_FORMATS:
        abort(404)
    row = edition_by_number(db.session, edition)
    if row is None:
        abort(404)
    return edition_attachment(
        row.pdf, row.csv, fmt, f"inspection-results-{row.sector}-{row.period}-{edition}"
    )
