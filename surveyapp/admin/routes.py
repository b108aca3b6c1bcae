"""``/admin/rounds``: the administrator's survey rounds (admin role only).

Each view reads its form, calls one function of :mod:`surveyapp.rounds.service`
(which also writes the audit row) and renders or redirects; what the service refuses
comes back as a message next to the field, Chinese then English, with status 400.
"""

from __future__ import annotations

import io
import os
from typing import Any
from urllib.parse import unquote

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
from sqlalchemy.exc import IntegrityError

from reports.fmt import period_label
from surveyapp import csv_safe
from surveyapp.accounts.access import roles_required
from surveyapp.admin.forms import (
    MAX_WEB_INVITATIONS,
    CloseForm,
    Errors,
    InvitationsForm,
    MarginsForm,
    PickVersionForm,
    RoundForm,
    parse_count,
    read_round_form,
    target_field,
)
from surveyapp.admin.margins import (
    MAX_MARGINS_BYTES,
    MarginsRejected,
    human_size,
    parse_auxiliaries,
    parse_margins,
)
from surveyapp.admin.poster import PosterText, poster_pdf, qr_png
from surveyapp.admin.service import (
    district_options,
    invitation_counts,
    published_version,
    published_versions,
    round_days,
    round_rows,
    round_state,
)
from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import csrf, db
from surveyapp.forms import EmptyForm
from surveyapp.i18n import LANGS, N_, both, format_date, t
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.models.base import utcnow
from surveyapp.rounds.service import (
    RoundError,
    archive_round,
    close_round,
    create_round,
    default_code,
    delete_round,
    get_round,
    issue_invitations,
    response_count,
    round_problems,
    set_round_auxiliaries,
    set_round_margins,
)
from surveyapp.sectors import sector_name
from surveyapp.web import current_lang

bp = Blueprint("admin", __name__, template_folder="templates")

ADMIN = "admin"
# Multipart framing and the CSRF token around a margins file of the largest size.
UPLOAD_SLACK = 64 * 1024


@bp.after_request
def _no_store(response: Response) -> Response:
    """Admin pages show tokens and unpublished plans: never keep them in a cache."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(413)
def _too_large(exc):
    """A margins upload over the limit: say so on the round's page, not a bare error.

    Any other admin form that is too large (read by CSRFProtect before any role
    check) gets the general notice, without the round's details.
    """
    code = (request.view_args or {}).get("code")
    is_admin = current_user.is_authenticated and current_user.role == ADMIN
    field = {"admin.upload_margins": "file", "admin.upload_auxiliaries": "auxiliaries"}
    if request.endpoint in field and is_admin and code:
        round_ = get_round(db.session, code)
        if round_ is not None:
            size = human_size(request.content_length or 0)
            message = both("margins_err_too_big", size=size, limit=human_size(MAX_MARGINS_BYTES))
            return _round_page(round_, status=413, errors={field[request.endpoint]: [message]})
    return render_template("admin/message.html", messages=[both("too_large_page")]), 413


def _round_or_404(code: str) -> Round:
    round_ = get_round(db.session, code)
    if round_ is None:
        abort(404)
    return round_


def survey_url(round_: Round, district: str | None = None, **params: str) -> str:
    """The survey's absolute link; ``d`` names the district of a district's poster.

    On the public base ``PUBLIC_URL`` (``SURVEYAPP_PUBLIC_URL``) when it is set, the
    address residents reach; else the address this page was opened at (fine for a
    demo, wrong for an admin working on an internal address).
    """
    if district:
        params["d"] = district
    base = current_app.config.get("PUBLIC_URL")
    values: dict[str, Any] = {"code": round_.code, **params}
    if not base:
        return url_for("survey.survey", _external=True, **values)
    path = url_for("survey.survey", **values)
    return base.rstrip("/") + path.removeprefix(request.script_root)


def _district_arg(round_: Round) -> str | None:
    """``?d=`` of the QR and poster links: one of the round's districts, or none."""
    district = request.args.get("d") or None
    if district is not None and district not in (round_.districts or []):
        abort(404)
    return district


# ---------------------------------------------------------------- list and create


@bp.get("/admin/rounds")
@roles_required(ADMIN)
def rounds():
    return render_template("admin/rounds.html", rows=round_rows(db.session, utcnow()))


def _pick_page(status: int = 200, error: tuple[str, str] | None = None):
    return render_template(
        "admin/round_pick.html",
        versions=published_versions(db.session),
        form=PickVersionForm(formdata=None),
        error=error,
    ), status


def _new_page(version: QuestionnaireVersion, form: RoundForm, errors: Errors, status: int):
    options = district_options(version)
    return render_template(
        "admin/round_new.html",
        version=version,
        form=form,
        errors=errors,
        options=[(target_field(i), d) for i, d in enumerate(options)],
        targets={
            target_field(i): request.form.get(target_field(i), "") for i in range(len(options))
        },
        example=default_code(version, form.period.data or "2026Q4"),
        summary=both("rounds_form_errors", n=sum(len(v) for v in errors.values()))
        if errors
        else None,
    ), status


@bp.get("/admin/rounds/new")
@roles_required(ADMIN)
def new_round():
    """Step one without ``?version=``: choose a questionnaire; step two: the form."""
    if "version" not in request.args:
        return _pick_page()
    version = published_version(db.session, request.args["version"])
    if version is None:
        return _pick_page(404, both("rounds_err_unknown_version"))
    form = RoundForm(formdata=None, version=str(version.id))
    form.districts.data = district_options(version)
    return _new_page(version, form, {}, 200)


def _service_errors(problems: list[RoundError], options: list[str], errors: Errors) -> None:
    """Put each refusal of the service next to its field (a district's target next to
    that district's input), unless the field already shows a reading error."""
    for problem in problems:
        name = problem.field or "period"
        if name == "targets" and problem.params.get("district") in options:
            name = target_field(options.index(problem.params["district"]))
        elif name == "targets":
            name = "districts"
        if name in errors:
            continue
        errors[name] = [both(f"rounds_err_{problem.code}", **problem.params)]


@bp.post("/admin/rounds/new")
@roles_required(ADMIN)
def create():
    form = RoundForm()
    version = published_version(db.session, form.version.data)
    if version is None:
        return _pick_page(400, both("rounds_err_unknown_version"))
    if not form.validate_on_submit():  # CSRF or an over-long field
        return _new_page(version, form, {"_form": [both("csrf")]}, 400)
    options = district_options(version)
    values, errors = read_round_form(form, options, dict(request.form))
    _service_errors(
        round_problems(
            db.session,
            version,
            values.period or "-",
            opens_at=values.opens_at,
            closes_at=values.closes_at,
            districts=values.districts or None,
            targets=values.targets,
            code=values.code,
            parallel=values.parallel,
        ),
        options,
        errors,
    )
    if errors:
        return _new_page(version, form, errors, 400)
    try:
        round_ = create_round(
            db.session,
            version,
            values.period,
            opens_at=values.opens_at,
            closes_at=values.closes_at,
            districts=values.districts or None,
            targets=values.targets,
            code=values.code,
            require_token=values.require_token,
            parallel=values.parallel,
            actor=current_user,
            ip=request.remote_addr,
        )
        db.session.commit()
    except RoundError as exc:  # raced with another admin's change
        db.session.rollback()
        _service_errors([exc], options, errors)
        return _new_page(version, form, errors, 400)
    except IntegrityError:  # the same code, created at the same moment
        db.session.rollback()
        code = values.code or default_code(version, values.period)
        errors["code"] = [both("rounds_err_code_taken", round_code=code)]
        return _new_page(version, form, errors, 400)
    flash(t("rounds_created", current_lang(), code=round_.code))
    return redirect(url_for("admin.round_detail", code=round_.code))


# ---------------------------------------------------------------- one round


def _round_page(
    round_: Round, status: int = 200, errors: Errors | None = None, count_value: str = ""
):
    q = questionnaire_of(round_.questionnaire_version)
    # (district, the link, the link as people read it: Chinese, not percent-escapes)
    links = [
        (d, url, unquote(url))
        for d, url in [(None, survey_url(round_))]
        + [(d, survey_url(round_, d)) for d in round_.districts or []]
    ]
    issued, used = invitation_counts(db.session, round_)
    return render_template(
        "admin/round.html",
        round=round_,
        q=q,
        state=round_state(round_, utcnow()),
        days=round_days(round_),
        responses=response_count(db.session, round_),
        links=links,
        issued=issued,
        used=used,
        errors=errors or {},
        margins_form=MarginsForm(formdata=None),
        invitations_form=InvitationsForm(formdata=None),
        count_value=count_value,
        empty_form=EmptyForm(formdata=None),
        max_invitations=MAX_WEB_INVITATIONS,
        margins_limit=human_size(MAX_MARGINS_BYTES),
    ), status


@bp.get("/admin/rounds/<code>")
@roles_required(ADMIN)
def round_detail(code: str):
    return _round_page(_round_or_404(code))


@csrf.exempt  # checked by the form itself, after the upload limit is raised
@bp.post("/admin/rounds/<code>/margins")
@roles_required(ADMIN)
def upload_margins(code: str):
    """Check the uploaded CSV like ``surveyapp analyze`` would, then store it.

    The request limit is raised for this view only (the app's default is sized for
    survey answers); CSRFProtect would read the body before that, so the form checks
    its own token instead.
    """
    request.max_content_length = MAX_MARGINS_BYTES + UPLOAD_SLACK
    round_ = _round_or_404(code)
    form = MarginsForm()
    if not form.validate_on_submit():
        return _round_page(round_, 400, {"file": [both("csrf")]})
    storage = form.file.data
    data = storage.stream.read(MAX_MARGINS_BYTES + 1) if storage else b""
    name = os.path.basename(getattr(storage, "filename", None) or "margins.csv")
    try:
        margins = parse_margins(
            data, questionnaire_of(round_.questionnaire_version), list(round_.districts or [])
        )
    except MarginsRejected as exc:
        return _round_page(round_, 400, {"file": [margins_message(p) for p in exc.problems]})
    set_round_margins(
        db.session, round_, margins, actor=current_user, ip=request.remote_addr, source=name
    )
    db.session.commit()
    flash(t("rounds_margins_saved", current_lang(), n=len(margins)))
    return redirect(url_for("admin.round_detail", code=code) + "#margins")


def margins_message(exc: MarginsRejected) -> tuple[str, str]:
    """The refusal in both languages, prefixed with where in the file it is (the
    parser's own detail is English only; the Chinese line keeps it as it is)."""
    out = []
    for lang, comma, colon in (("zh", "，", "："), ("en", ", ", ": ")):
        where = []
        if exc.row == "header":
            where.append(t("margins_where_header", lang))
        elif exc.row is not None:
            where.append(t("margins_where_row", lang, row=exc.row))
        if exc.column is not None:
            where.append(t("margins_where_column", lang, column=exc.column))
        text = t(exc.key, lang, **exc.params)
        out.append(f"{comma.join(where)}{colon}{text}" if where else text)
    return out[0], out[1]


@csrf.exempt  # checked by the form itself, after the upload limit is raised
@bp.post("/admin/rounds/<code>/auxiliaries")
@roles_required(ADMIN)
def upload_auxiliaries(code: str):
    """Check the uploaded district auxiliaries (as ``surveyapp rounds auxiliaries``
    does), then store them: the round's districts get model-based estimates."""
    request.max_content_length = MAX_MARGINS_BYTES + UPLOAD_SLACK
    round_ = _round_or_404(code)
    form = MarginsForm()
    if not form.validate_on_submit():
        return _round_page(round_, 400, {"auxiliaries": [both("csrf")]})
    storage = form.file.data
    data = storage.stream.read(MAX_MARGINS_BYTES + 1) if storage else b""
    name = os.path.basename(getattr(storage, "filename", None) or "auxiliaries.csv")
    try:
        auxiliaries = parse_auxiliaries(data, list(round_.districts or []))
    except MarginsRejected as exc:
        problems = [margins_message(p) for p in exc.problems]
        return _round_page(round_, 400, {"auxiliaries": problems})
    set_round_auxiliaries(
        db.session, round_, auxiliaries, actor=current_user, ip=request.remote_addr, source=name
    )
    db.session.commit()
    flash(t("sae_saved", current_lang(), n=len(auxiliaries)))
    return redirect(url_for("admin.round_detail", code=code) + "#auxiliaries")


def _clear_round_table(code: str, setter, message: str, anchor: str):
    """Drop a round's uploaded table (auxiliaries, margins): audited by ``setter``."""
    round_ = _round_or_404(code)
    if EmptyForm().validate_on_submit():
        setter(db.session, round_, None, actor=current_user, ip=request.remote_addr)
        db.session.commit()
        flash(t(message, current_lang()))
    return redirect(url_for("admin.round_detail", code=code) + anchor)


@bp.post("/admin/rounds/<code>/auxiliaries/clear")
@roles_required(ADMIN)
def clear_auxiliaries(code: str):
    return _clear_round_table(code, set_round_auxiliaries, N_("sae_cleared"), "#auxiliaries")


@bp.post("/admin/rounds/<code>/margins/clear")
@roles_required(ADMIN)
def clear_margins(code: str):
    return _clear_round_table(code, set_round_margins, N_("rounds_margins_cleared"), "#margins")


@bp.get("/admin/rounds/<code>/close")
@roles_required(ADMIN)
def confirm_close(code: str):
    round_ = _round_or_404(code)
    return render_template("admin/round_close.html", round=round_, form=CloseForm(), error=None)


@bp.post("/admin/rounds/<code>/close")
@roles_required(ADMIN)
def close(code: str):
    round_ = _round_or_404(code)
    form = CloseForm()
    if not form.validate_on_submit() or form.confirm.data != "yes":
        error = both("csrf") if "csrf_token" in form.errors else None
        return render_template("admin/round_close.html", round=round_, form=form, error=error), 400
    try:
        close_round(db.session, round_, actor=current_user, ip=request.remote_addr)
    except RoundError as exc:
        db.session.rollback()
        return render_template(
            "admin/round_close.html",
            round=round_,
            form=form,
            error=both(f"rounds_err_{exc.code}", **exc.params),
        ), 409
    db.session.commit()
    flash(t("rounds_closed", current_lang(), code=code))
    return redirect(url_for("admin.round_detail", code=code))


def _remove_page(
    round_: Round, action: str, form: CloseForm, error: tuple[str, str] | None, status: int
):
    """The confirmation of deleting (a round without responses) or archiving a round;
    says at once why it cannot be done (responses exist, already archived)."""
    n = response_count(db.session, round_)
    if error is None and round_.archived_at is not None:
        error = both("rounds_err_already_archived", round_code=round_.code)
    elif error is None and action == "delete" and n:
        error = both("rounds_err_has_responses", round_code=round_.code, n=n)
    possible = round_.archived_at is None and (action == "archive" or not n)
    page = render_template(
        "admin/round_remove.html",
        round=round_,
        action=action,
        form=form,
        error=error,
        possible=possible,
    )
    return page, status


@bp.get("/admin/rounds/<code>/<any(delete, archive):action>")
@roles_required(ADMIN)
def confirm_remove(code: str, action: str):
    return _remove_page(_round_or_404(code), action, CloseForm(), None, 200)


@bp.post("/admin/rounds/<code>/<any(delete, archive):action>")
@roles_required(ADMIN)
def remove(code: str, action: str):
    """Delete a round made by mistake (no response yet) or archive it (responses kept,
    hidden from dashboards and bulletins): CSRF, ``confirm=yes``, audited."""
    round_ = _round_or_404(code)
    form = CloseForm()
    if not form.validate_on_submit() or form.confirm.data != "yes":
        error = both("csrf") if "csrf_token" in form.errors else None
        return _remove_page(round_, action, form, error, 400)
    try:
        if action == "delete":
            delete_round(db.session, round_, actor=current_user, ip=request.remote_addr)
        else:
            archive_round(db.session, round_, actor=current_user, ip=request.remote_addr)
    except RoundError as exc:
        db.session.rollback()
        return _remove_page(round_, action, form, both(f"rounds_err_{exc.code}", **exc.params), 409)
    db.session.commit()
    if action == "delete":
        flash(t("rounds_deleted", current_lang(), code=code))
        return redirect(url_for("admin.rounds"))
    flash(t("rounds_archived", current_lang(), code=code))
    return redirect(url_for("admin.round_detail", code=code))


# ---------------------------------------------------------------- links, posters, codes


def _file_name(round_: Round, district: str | None, suffix: str) -> str:
    part = f"-d{(round_.districts or []).index(district) + 1}" if district else ""
    return f"{round_.code}{part}.{suffix}"


@bp.get("/admin/rounds/<code>/qr.png")
@roles_required(ADMIN)
def qr(code: str):
    round_ = _round_or_404(code)
    district = _district_arg(round_)
    return Response(
        qr_png(survey_url(round_, district)),
        mimetype="image/png",
        headers={
            "Content-Disposition": f'inline; filename="qr-{_file_name(round_, district, "png")}"'
        },
    )


def _district_names(round_: Round, district: str) -> list[tuple[str, str]]:
    """``[("zh", name), ("en", name)]`` of a district: the labels of its option in the
    questionnaire's district question (思茅区 / Simao District); a district without an
    English label keeps its Chinese name on the English line, as on the survey page."""
    questionnaire = questionnaire_of(round_.questionnaire_version)
    if "district" in questionnaire.respondent_ids:
        for option in questionnaire.respondent_question("district").options:
            if option.value == district:
                return [(lang, option.label.get(lang)) for lang in LANGS]
    return [(lang, district) for lang in LANGS]


def poster_text(round_: Round, district: str | None) -> PosterText:
    """The poster's wording: every line in Chinese, then English."""
    version = round_.questionnaire_version
    sector_zh, sector_en = sector_name(version.sector, "zh"), sector_name(version.sector, "en")
    period = [t("poster_period", lang, period=period_label(round_.period, lang)) for lang in LANGS]
    district_line = (
        [
            t("poster_district", lang, district=name)
            for lang, name in _district_names(round_, district)
        ]
        if district
        else None
    )
    closes = [t("poster_closes", lang, date=format_date(round_.open_until, lang)) for lang in LANGS]
    issuer = current_app.config.get("BULLETIN_ISSUER")
    issuers = {"zh": issuer, "en": current_app.config.get("BULLETIN_ISSUER_EN") or issuer}
    return PosterText(
        title_zh=version.title_zh,
        title_en=version.title_en,
        sector=f"{sector_zh} · {sector_en}",
        period=f"{period[0]} · {period[1]}",
        instruction_zh=t("poster_instruction", "zh"),
        instruction_en=t("poster_instruction", "en"),
        footer=" ".join(both("poster_privacy")),
        district=" · ".join(district_line) if district_line else None,
        closes=" · ".join(closes),
        issuer=" · ".join(t("poster_issuer", lang, issuer=issuers[lang]) for lang in LANGS)
        if issuer
        else None,
    )


@bp.get("/admin/rounds/<code>/poster.pdf")
@roles_required(ADMIN)
def poster(code: str):
    round_ = _round_or_404(code)
    district = _district_arg(round_)
    font = current_app.config.get("BULLETIN_FONT")
    try:
        pdf = poster_pdf(
            survey_url(round_, district), poster_text(round_, district), font or None, utcnow()
        )
    except ValueError as exc:  # a configured font that cannot be used: say which
        return render_template("admin/message.html", messages=[(str(exc), str(exc))]), 500
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="poster-{_file_name(round_, district, "pdf")}"'
        },
    )


@bp.post("/admin/rounds/<code>/invitations")
@roles_required(ADMIN)
def invitations(code: str):
    """Make N codes and send them as CSV at once: only their hashes are stored."""
    round_ = _round_or_404(code)
    form = InvitationsForm()
    if not form.validate_on_submit():
        return _round_page(round_, 400, {"count": [both("csrf")]})
    try:
        count = parse_count(form.count.data, MAX_WEB_INVITATIONS)
    except ValueError:
        count = None
    if count is None:
        message = both("rounds_err_bad_count", max=f"{MAX_WEB_INVITATIONS:,}")
        return _round_page(round_, 400, {"count": [message]}, form.count.data or "")
    try:
        tokens = issue_invitations(
            db.session,
            round_,
            count,
            limit=MAX_WEB_INVITATIONS,
            actor=current_user,
            ip=request.remote_addr,
        )
        db.session.commit()
    except RoundError as exc:
        db.session.rollback()
        return _round_page(round_, 400, {"count": [both(f"rounds_err_{exc.code}", **exc.params)]})
    except IntegrityError:
        db.session.rollback()
        return _round_page(round_, 409, {"count": [both("rounds_err_token_clash")]})
    return Response(
        invitations_csv(survey_url(round_), tokens),
        mimetype="text/csv",
        headers={
            # a round code is letters, digits, '-' and '_': safe in a header as it is
            "Content-Disposition": f'attachment; filename="invitations-{round_.code}-'
            f'{utcnow():%Y%m%d%H%M%S}.csv"',
        },
    )


def invitations_csv(link: str, tokens: list[str]) -> bytes:
    """``token,link`` per row, UTF-8 with a BOM so Excel opens it as UTF-8."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(["token", "link"])
    sep = "&" if "?" in link else "?"
    writer.writerows((tok, f"{link}{sep}t={tok}") for tok in tokens)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
