"""The resident survey: ``/s/<round_code>``, one server-rendered page at a time.

The pages keep no state on the server: the answers of the other pages travel as
hidden inputs, the start time as a signed stamp, the invitation code as a hidden
field.  Moving on checks the page's own questions; the last page sends the whole
submission through the same two service calls as the JSON API
(:func:`validate_submission` then :func:`submit_response`) and redirects to the
thank-you page (POST, redirect, GET).  Everything works with JavaScript off.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from reports.fmt import period_label
from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import csrf, db
from surveyapp.i18n import format_date, t
from surveyapp.models import Round
from surveyapp.models.base import utcnow
from surveyapp.responses.submit import (
    Client,
    RoundNotOpen,
    SubmissionRefused,
    has_responded,
    round_state_error,
    submit_response,
)
from surveyapp.responses.validate import (
    MAX_TOKEN,
    FieldError,
    InvalidSubmission,
    validate_submission,
)
from surveyapp.rounds.service import get_round, invitation_state
from surveyapp.security import (
    HONEYPOT_FIELD,
    honeypot_filled,
    rate_limited,
    retry_after,
    submission_origin,
)
from surveyapp.survey.device import (
    device_id,
    install_display_prefs,
    read_receipt,
    read_started,
    save_device_cookie,
    sign_receipt,
    sign_started,
)
from surveyapp.survey.forms import TOKEN_PATH, SurveyDefinition, SurveyForm, definition_for
from surveyapp.survey.snapshots import RoundSeen, last_seen, remember
from surveyapp.web import client_fingerprint, current_lang

bp = Blueprint("survey", __name__, template_folder="templates")
bp.record_once(lambda state: install_display_prefs(state.app))
bp.context_processor(
    lambda: {
        "honeypot": HONEYPOT_FIELD,
        # a period in words (2026年第四季度 / 2026 Q4), never the code 2026Q4
        "fmt_period": lambda p: period_label(p, current_lang()),
    }
)

RETRY_AFTER = "10"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@bp.after_request
def _after(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return save_device_cookie(response)


@bp.errorhandler(OperationalError)
def _database_unavailable(exc: OperationalError):
    """The database failed before a page could be built: say so kindly, ask to retry."""
    db.session.rollback()
    lang = current_lang()
    return _notice(
        t("unavailable_title", lang), t("unavailable_page", lang), 503, {"Retry-After": RETRY_AFTER}
    )


@bp.errorhandler(413)
def _too_large(exc):
    """A body over MAX_CONTENT_LENGTH (no page sends one): a notice, not the bare error."""
    lang = current_lang()
    return _notice(t("too_large_title", lang), t("too_large_page", lang), 413)


@bp.errorhandler(429)
def _too_many_requests(exc):
    """Rate limited: the same page again with every answer kept, and when to retry."""
    seconds = retry_after(exc)
    headers = {"Retry-After": str(seconds)}
    lang = current_lang()
    message = t("rate_limited_page", lang, seconds=seconds)
    if request.method != "POST":
        return _notice(t("rate_limited_title", lang), message, 429, headers)
    try:
        round_, definition = _open_round((request.view_args or {}).get("code", ""))
    except HTTPException as stop:  # unknown or closed round: that notice, not a 500
        return stop.get_response()
    form = definition.form_class()
    form.localise(definition, lang, round_.districts)
    page = form.page_index(len(definition.pages))
    return _render(round_, definition, form, page, status=429, notice=message, headers=headers)


def _notice(title: str, body: str, status: int, headers=None, survey_title: str | None = None):
    page = render_template("survey/notice.html", title=title, body=body, survey_title=survey_title)
    return page, status, headers or {}


def _stop(title_key: str, body: str, status: int, round_: Round | None = None) -> NoReturn:
    """End the request with a notice page (unknown round, closed round, already answered)."""
    lang = current_lang()
    survey_title = _title(round_) if round_ is not None else None
    abort(make_response(_notice(t(title_key, lang), body, status, survey_title=survey_title)))


def _title(round_: Round) -> str:
    return questionnaire_of(round_.questionnaire_version).title.get(current_lang())


def _client() -> Client:
    """The device cookie is the identity; the address + browser fingerprint is stored
    (hashed) as a signal only and never refuses a resident (issue 14)."""
    fingerprint = client_fingerprint() if current_app.config.get("FINGERPRINT_DEDUPE") else None
    return Client(device_id=device_id(), fingerprint=fingerprint)


def _refuse_closed(round_: Round, refused: RoundNotOpen) -> NoReturn:
    lang = current_lang()
    if refused.code == "round_not_open":
        body = t("not_open_body", lang, date=format_date(round_.opens_at, lang))
        _stop("not_open_title", body, 410, round_)
    _stop("closed_title", t("closed_body", lang), 410, round_)


def _refuse_duplicate(round_: Round, status: int) -> NoReturn:
    _stop("already_title", t("already_body", current_lang()), status, round_)


def _open_round(code: str) -> tuple[Round, SurveyDefinition]:
    """The round and its survey; a notice page (404, 410) for an unknown or closed round."""
    round_ = get_round(db.session, code)
    if round_ is None:
        _stop("not_found_title", t("not_found_body", current_lang()), 404)
    refused = round_state_error(round_, utcnow())
    if refused is not None:
        _refuse_closed(round_, refused)
    definition = definition_for(questionnaire_of(round_.questionnaire_version))
    remember(round_, definition)
    return round_, definition


def _render(
    round_: Round | RoundSeen,
    definition: SurveyDefinition,
    form: SurveyForm,
    page: int,
    *,
    status: int = 200,
    notice: str | None = None,
    general: list[str] | None = None,
    headers: dict[str, str] | None = None,
):
    lang = current_lang()
    form.page.data = str(page)
    pages = definition.pages
    show_token = page == 0 and (
        bool(form.token.errors)
        or (round_.require_token and (not form.token.data or request.method == "POST"))
    )
    body = render_template(
        "survey/page.html",
        round=round_,
        q=definition.questionnaire,
        form=form,
        page=page,
        pages=len(pages),
        current=pages[page],
        carried=form.carried(definition, page),
        show_token=show_token,
        error_count=form.error_count(definition, page),
        notice=notice,
        general=general or [],
        lang=lang,
    )
    return body, status, headers or {}


@bp.get("/s/<code>")
def survey(code: str):
    round_, definition = _open_round(code)
    if has_responded(db.session, round_, _client()):
        _refuse_duplicate(round_, 200)
    token = (request.args.get("t") or "").strip()[:MAX_TOKEN] or None
    form = definition.form_class(page="0", started=sign_started(round_.code), token=token)
    form.localise(definition, current_lang(), round_.districts)
    _preselect_district(form, round_)
    if token and (problem := _token_problem(round_, token)) is not None:
        form.set_errors(definition, {TOKEN_PATH: problem}, current_lang())  # said at once
    return _render(round_, definition, form, 0)


def _preselect_district(form, round_) -> None:
    """``?d=<district>`` (the link of a district's QR poster) answers the district
    question in advance; the resident can still change it.  Unknown values are ignored."""
    district = (request.args.get("d") or "").strip()
    field = form._fields.get("r_district")
    if field is not None and district and district in (round_.districts or []):
        field.data = district


@csrf.exempt
@bp.post("/s/<code>")
@rate_limited("survey")
def survey_post(code: str):
    """Move between pages or submit; see the module docstring."""
    try:
        round_, definition = _open_round(code)
    except OperationalError:
        kept = last_seen(code)
        if kept is None:  # never read here: the blueprint's 503 notice page
            raise
        seen, definition = kept  # the database is down: keep the answers
        form = definition.form_class()
        form.localise(definition, current_lang(), seen.districts)
        return _unavailable(seen, definition, form, form.page_index(len(definition.pages)))
    lang = current_lang()
    if request.mimetype and request.mimetype not in FORM_TYPES:  # pages send forms; JSON: the API
        _stop("form_only_title", t("form_only_body", lang), 415, round_)
    form = definition.form_class()
    form.localise(definition, lang, round_.districts)
    last = len(definition.pages) - 1
    page = form.page_index(len(definition.pages))
    action = request.form.get("go", "next")
    client = _client()

    try:
        if has_responded(db.session, round_, client):
            _refuse_duplicate(round_, 409)
    except OperationalError:
        return _unavailable(round_, definition, form, page)

    if not form.validate():  # the fields have no validators of their own: this is CSRF
        form.csrf_token.errors = []
        return _render(round_, definition, form, page, status=400, notice=t("csrf", lang))
    started_at = read_started(form.started.data, round_.code)
    if started_at is None:
        form.started.data = sign_started(round_.code)

    if action == "stay":  # language or text size changed: same page, nothing checked
        return _render(round_, definition, form, page)
    if action == "back":
        return _render(round_, definition, form, max(page - 1, 0))
    if action == "next" and page < last:
        errors = _page_errors(round_, definition, form, page)
        if errors:
            form.set_errors(definition, errors, lang)
            return _render(round_, definition, form, page, status=400)
        return _render(round_, definition, form, page + 1)

    try:
        clean = form.submission(definition, started_at)
        if honeypot_filled(request.form, round_.code):  # a robot: thanked, nothing stored
            return _to_thanks(round_)
        # the start stamp was signed here: the speeder rule may use it
        client = replace(client, stamp_trusted=started_at is not None)
        submit_response(db.session, round_, clean, client, utcnow(), origin=submission_origin())
    except InvalidSubmission as exc:
        first, general = form.set_errors(definition, exc.fields, lang)
        return _render(
            round_, definition, form, page if first is None else first, status=400, general=general
        )
    except RoundNotOpen as exc:
        _refuse_closed(round_, exc)
    except SubmissionRefused:  # DuplicateResponse: this device cookie or invitation answered
        _refuse_duplicate(round_, 409)
    except OperationalError:
        return _unavailable(round_, definition, form, page)
    return _to_thanks(round_)


def _to_thanks(round_: Round):
    """POST, redirect, GET: the thank-you page, with a signed receipt that says "sent"."""
    return redirect(url_for(".thanks", code=round_.code, r=sign_receipt(round_.code)), 303)


def _unavailable(
    round_: Round | RoundSeen, definition: SurveyDefinition, form: SurveyForm, page: int
):
    """The database failed mid-request: the same page again, every answer kept, 503.

    Drawn from the plain snapshot of the round (:mod:`surveyapp.survey.snapshots`), never the loaded
    round: the rollback expires it, and reading any of its attributes again would ask
    the database that just failed (the page would turn into a notice without answers).
    """
    code = round_.code  # read before the rollback expires a loaded round
    db.session.rollback()
    kept = last_seen(code)
    shown = kept[0] if kept is not None else round_
    notice = t("unavailable", current_lang())
    headers = {"Retry-After": RETRY_AFTER}
    return _render(shown, definition, form, page, status=503, notice=notice, headers=headers)


def _page_errors(
    round_: Round, definition: SurveyDefinition, form: SurveyForm, page: int
) -> dict[str, FieldError]:
    """The problems of one page's questions, by the same rules as the final submission."""
    payload = form.payload(definition, None)
    try:
        validate_submission(definition.questionnaire, payload)
        found: dict[str, FieldError] = {}
    except InvalidSubmission as exc:
        found = exc.fields
    paths = {q.path for q in definition.pages[page].questions}
    errors = {path: err for path, err in found.items() if path in paths}
    if page == 0:
        district = payload["respondent"].get("district")
        if district and round_.districts and district not in round_.districts:
            errors["respondent.district"] = FieldError("unknown_option")
        if TOKEN_PATH in found:
            errors[TOKEN_PATH] = found[TOKEN_PATH]
        elif round_.require_token and not form.token.data:
            errors[TOKEN_PATH] = FieldError("token_required")
        elif form.token.data and (problem := _token_problem(round_, form.token.data)):
            errors[TOKEN_PATH] = problem  # on this page, not after the last one
    return errors


def _token_problem(round_: Round, token: str) -> FieldError | None:
    """``token_unknown`` / ``token_used`` for an invitation code that cannot be used."""
    state = invitation_state(db.session, round_, token)
    return None if state == "unused" else FieldError(f"token_{state}")


@bp.get("/s/<code>/thanks")
def thanks(code: str):
    round_ = get_round(db.session, code)
    if round_ is None:
        _stop("not_found_title", t("not_found_body", current_lang()), 404)
    submitted = read_receipt(request.args.get("r"), round_.code)
    return render_template(
        "survey/thanks.html", round=round_, survey_title=_title(round_), submitted=submitted
    )
