"""``/admin/questionnaires``: list versions, edit or upload YAML, check, publish, import XLSForm.

Admin only.  Each view reads its form, calls one function of
:mod:`surveyapp.qeditor.service`, then renders or redirects.  Checking shows every
problem the loader finds with its line, as a list of links into a numbered copy of
the text (no JavaScript needed).  Publishing freezes a version through
:func:`surveyapp.catalog.publish_questionnaire`, so the same content twice is one
version; a new version is written to the audit log.  An XLSForm is converted into the
editor for review and never published by the import itself.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from surveyapp.accounts.access import roles_required
from surveyapp.catalog import PublishOutcome, find_version
from surveyapp.extensions import db
from surveyapp.qeditor.forms import ImportForm, SourceForm, fill_sectors
from surveyapp.qeditor.service import (
    MAX_UPLOAD_BYTES,
    NEW_QUESTIONNAIRE,
    Checked,
    UploadRefused,
    check_source,
    latest_source,
    list_versions,
    normalise_newlines,
    publish_source,
    read_typed_text,
    read_xlsform_upload,
    read_yaml_upload,
    version_source,
)
from surveyapp.qeditor.texts import labels
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.questionnaire.schema import SECTORS
from surveyapp.questionnaire.xlsform import XLSFormError
from surveyapp.web import current_lang

bp = Blueprint("qeditor", __name__, url_prefix="/admin/questionnaires", template_folder="templates")


def _not_found():
    return render_template("auth/forbidden.html", not_found=True), 404


def _editor(
    text: str,
    *,
    heading: str | None = None,
    checked: Checked | None = None,
    message: str | None = None,
    error: str | None = None,
    notes: tuple[str, ...] = (),
    status: int = 200,
):
    """The editor page: the text, what checking found, and the XLSForm import form."""
    lang = current_lang()
    L = labels(lang)
    import_form = fill_sectors(ImportForm(formdata=None), L["xlsform_sector_settings"], lang)
    lines = list(enumerate(text.split("\n"), start=1)) if checked and checked.errors else []
    return render_template(
        "qeditor/editor.html",
        L=L,
        heading=heading or L["editor_title"],
        text=text,
        checked=checked,
        lines=lines,
        message=message,
        error=error,
        notes=notes,
        form=SourceForm(formdata=None),
        import_form=import_form,
        limit_kb=MAX_UPLOAD_BYTES // 1024,
    ), status


def _sector_names() -> dict[str, str]:
    lang = current_lang()
    return {key: name.get(lang) for key, name in SECTORS.items()}


def _valid_message(q: Questionnaire) -> str:
    lang = current_lang()
    sector = _sector_names().get(q.sector, q.sector)
    return labels(lang)["valid"].format(
        qid=q.id, version=q.version, sector=sector, dimensions=len(q.dimensions), items=len(q.items)
    )


def _outcome_message(outcome: PublishOutcome) -> str:
    L = labels(current_lang())
    row = outcome.version
    if not outcome.created:
        return L["unchanged"].format(qid=row.qid, version=row.version)
    if outcome.renumbered_from is not None:
        return L["renumbered"].format(qid=row.qid, version=row.version, was=outcome.renumbered_from)
    return L["published"].format(qid=row.qid, version=row.version)


def _refusal(exc: UploadRefused) -> str:
    return labels(current_lang())[f"upload_{exc.code}"].format(**exc.params)


def _posted_text() -> tuple[str | None, object]:
    """The posted YAML (an uploaded file wins over the text box), or the refusal page."""
    form = SourceForm()
    typed = normalise_newlines(form.source.data or "")
    upload = form.upload.data
    try:
        if upload:
            return read_yaml_upload(upload.read(MAX_UPLOAD_BYTES + 1)), None
        typed = read_typed_text(typed)
    except UploadRefused as exc:
        return None, _editor(typed, error=_refusal(exc), status=400)
    if not typed.strip():
        return None, _editor(typed, error=labels(current_lang())["nothing"], status=400)
    return typed, None


def _posted_and_checked() -> tuple[Checked | None, object]:
    """The posted YAML checked, or the page that refuses it (bad upload or any error)."""
    text, refused = _posted_text()
    if text is None:
        return None, refused
    checked = check_source(text)
    if checked.errors:
        return None, _editor(text, checked=checked, status=400)
    return checked, None


@bp.errorhandler(413)
def request_too_large(_exc):
    """A body over MAX_CONTENT_LENGTH is refused before any view runs: say why, here."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or MAX_UPLOAD_BYTES) // 1024
    L = labels(current_lang())
    return _editor("", error=L["upload_request_too_large"].format(limit=limit), status=413)


@bp.errorhandler(CSRFError)
def expired(_exc):
    """Keep what was typed when the page expired, so nothing has to be typed again."""
    text = normalise_newlines(request.form.get("source", ""))
    return _editor(text, error=labels(current_lang())["expired"], status=400)


@bp.get("")
@roles_required("admin")
def index():
    return render_template(
        "qeditor/index.html",
        L=labels(current_lang()),
        questionnaires=list_versions(db.session),
        sectors=_sector_names(),
    )


@bp.get("/<qid>/v<int(max=2147483647):version>")  # an int the database can hold
@roles_required("admin")
def show_version(qid: str, version: int):
    row = find_version(db.session, qid, version)
    if row is None:
        return _not_found()
    return render_template(
        "qeditor/version.html",
        L=labels(current_lang()),
        row=row,
        text=version_source(row),
        sectors=_sector_names(),
    )


@bp.get("/new")
@roles_required("admin")
def new():
    return _editor(NEW_QUESTIONNAIRE, heading=labels(current_lang())["new_title"])


@bp.get("/<qid>/edit")
@roles_required("admin")
def edit(qid: str):
    found = latest_source(db.session, qid)
    if found is None:
        return _not_found()
    row, text = found
    heading = labels(current_lang())["edit_title"].format(qid=row.qid, version=row.version)
    return _editor(text, heading=heading)


@bp.post("/validate")
@roles_required("admin")
def validate():
    checked, refused = _posted_and_checked()
    if checked is None:
        return refused
    return _editor(checked.text, checked=checked, message=_valid_message(checked.questionnaire))


@bp.post("/publish")
@roles_required("admin")
def publish():
    checked, refused = _posted_and_checked()
    if checked is None:
        return refused
    try:
        outcome = publish_source(db.session, checked.text, current_user, ip=request.remote_addr)
        db.session.commit()
    except IntegrityError:  # two admins published the same version number at once
        db.session.rollback()
        return _editor(checked.text, error=labels(current_lang())["concurrent"], status=409)
    flash(_outcome_message(outcome))
    row = outcome.version
    return redirect(url_for("qeditor.show_version", qid=row.qid, version=row.version))


@bp.post("/import")
@roles_required("admin")
def import_xlsform():
    lang = current_lang()
    L = labels(lang)
    form = fill_sectors(ImportForm(), L["xlsform_sector_settings"], lang)
    upload = form.workbook.data
    if not form.validate_on_submit():
        return _editor("", error=f"{L['xlsform_error']} {L['bad_sector']}", status=400)
    if not upload:
        return _editor("", error=f"{L['xlsform_error']} {L['choose_file']}", status=400)
    try:
        conversion = read_xlsform_upload(
            upload.read(MAX_UPLOAD_BYTES + 1), upload.filename or "", form.sector.data
        )
    except UploadRefused as exc:
        return _editor("", error=f"{L['xlsform_error']} {_refusal(exc)}", status=400)
    except XLSFormError as exc:
        # Chinese first with the English, as the admin pages' errors
        return _editor("", error=f"{L['xlsform_error']} {exc.zh} / {exc}", status=400)
    checked = check_source(conversion.yaml)
    message = L["xlsform_done"].format(name=upload.filename or "")
    if checked.questionnaire is not None:
        message += " " + _valid_message(checked.questionnaire)
    return _editor(
        conversion.yaml, checked=checked, message=message, notes=conversion.notes_in(lang)
    )
