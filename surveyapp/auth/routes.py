"""Sign in, sign out (here or everywhere), change password; user administration.

Views check the form, call one service function, commit, then render or redirect.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from surveyapp.accounts import service as accounts
from surveyapp.accounts.access import roles_required
from surveyapp.accounts.devices import device_for, remember_device
from surveyapp.accounts.service import AccountError
from surveyapp.auth.forms import ChangePasswordForm, CreateUserForm, LoginForm
from surveyapp.extensions import db
from surveyapp.forms import EmptyForm
from surveyapp.i18n import t
from surveyapp.models.base import utcnow
from surveyapp.models.user import ROLES, AuditLog, User
from surveyapp.providers.comments import provider_id_of
from surveyapp.web import current_lang

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.after_request
def _no_store(response):
    """Account pages hold passwords (a new account's one-time password), CSRF tokens
    and the audit log: never kept by a browser or a shared cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _landing() -> str:
    return url_for("dashboard.index") if "dashboard.index" in current_app.view_functions else "/"


def _wait_text(seconds: int, lang: str) -> str:
    if seconds < 120:
        return t("auth_wait_seconds", lang, n=seconds)
    return t("auth_wait_minutes", lang, n=-(-seconds // 60))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or _landing())
    form = LoginForm()
    error = None
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        lang = current_lang()
        username = form.username.data.strip()
        device = device_for(current_app, request, username)
        outcome = accounts.authenticate(
            db.session,
            username,
            form.password.data,
            address=request.remote_addr,
            device=device,
        )
        db.session.commit()
        if outcome.status == "ok" and outcome.user is not None:
            session.clear()  # a fresh session: nothing carried over from before login
            login_user(outcome.user)
            if outcome.user.must_change_password:
                reply = redirect(url_for("auth.change_password"))
            else:
                reply = redirect(_safe_next(request.args.get("next")) or _landing())
            remember_device(current_app, reply, outcome.user.username, device)
            return reply
        if outcome.status == "throttled":
            error = t("auth_throttled", lang, wait=_wait_text(outcome.retry_after, lang))
            status, headers = 429, {"Retry-After": str(outcome.retry_after)}
        elif outcome.status == "inactive":
            error, status = t("auth_inactive", lang), 403
        else:
            error, status = t("auth_bad_credentials", lang), 401
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "auth/login.html", form=form, error=error, asked=bool(request.args.get("next"))
        ),
        status,
        headers,
    )


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # ended on the server too: a copy of this session's cookie stops working
        accounts.end_session(db.session, current_user, ip=request.remote_addr)
        db.session.commit()
        logout_user()
        session.clear()
    flash(t("auth_logged_out", current_lang()))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required()
def change_password():
    form = ChangePasswordForm()
    error = error_field = None
    status = 200
    lang = current_lang()
    if form.validate_on_submit():
        if form.new.data != form.confirm.data:
            error, status, error_field = t("auth_passwords_differ", lang), 400, "confirm"
        else:
            try:
                accounts.change_password(
                    db.session,
                    current_user,
                    form.current.data,
                    form.new.data,
                    ip=request.remote_addr,
                )
            except AccountError as exc:
                db.session.rollback()
                error, status = t(f"auth_{exc.code}", lang), 400
                error_field = "current" if exc.code == "wrong_password" else "new"
            else:
                db.session.commit()
                login_user(current_user._get_current_object())  # the session gets the new version
                flash(t("auth_password_changed", lang))
                return redirect(_landing())
    elif request.method == "POST":
        error, status = t("auth_field_required", lang), 400
    return render_template(
        "auth/change_password.html",
        form=form,
        logout_form=EmptyForm(),
        error=error,
        error_field=error_field,
        forced=current_user.must_change_password,
    ), status


@bp.post("/account/logout-everywhere")
@roles_required()
def logout_everywhere_view():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.change_password"))
    accounts.logout_everywhere(db.session, current_user, ip=request.remote_addr)
    db.session.commit()
    logout_user()
    session.clear()
    flash(t("auth_logged_out_everywhere", current_lang()))
    return redirect(url_for("auth.login"))


@bp.get("/admin/users")
@roles_required("admin")
def users():
    return _users_page(CreateUserForm(), None, 200)


def _users_page(form: CreateUserForm, error: str | None, status: int, created: str | None = None):
    rows = list(db.session.scalars(select(User).order_by(User.username)))
    log = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(50)))
    return render_template(
        "auth/users.html",
        accounts=rows,
        throttled=accounts.throttled_accounts(db.session),
        log=log,
        form=form,
        action_form=EmptyForm(),
        error=error,
        created=created,
        now=utcnow(),
        roles=ROLES,
    ), status


@bp.post("/admin/users")
@roles_required("admin")
def create_user_view():
    form = CreateUserForm()
    lang = current_lang()
    if not form.validate_on_submit():
        return _users_page(form, t("auth_field_required", lang), 400)
    key = (form.provider.data or "").strip()
    provider_id = None
    if key and form.role.data == "provider":  # another role's stray value: refused below
        provider_id = provider_id_of(db.session, key)
        if provider_id is None:
            return _users_page(form, t("users_error_no_provider", lang, code=key), 400)
    elif key:
        return _users_page(form, t("users_error_provider_account", lang), 400)
    try:
        user, password = accounts.create_user(
            db.session,
            form.username.data,
            form.role.data,
            sectors=form.sector_list(),
            actor=current_user,
            ip=request.remote_addr,
            provider_id=provider_id,
        )
    except AccountError as exc:
        db.session.rollback()
        return _users_page(form, t(f"users_error_{exc.code}", lang), 400)
    db.session.commit()
    # Shown in this response only: a flashed message would keep the password in the
    # (signed, not encrypted) session cookie.
    created = t("users_created", lang, name=user.username, password=password)
    return _users_page(CreateUserForm(formdata=None), None, 201, created)


@bp.post("/admin/users/<int:user_id>/unlock")
@roles_required("admin")
def unlock(user_id: int):
    form = EmptyForm()
    user = db.session.get(User, user_id)
    if user is None:
        return render_template("auth/forbidden.html", not_found=True), 404
    if form.validate_on_submit():
        accounts.unlock_user(db.session, user, current_user, ip=request.remote_addr)
        db.session.commit()
        flash(t("users_unlocked", current_lang(), name=user.username))
    return redirect(url_for("auth.users"))
