"""``/account/tokens``: every signed-in account makes and revokes its own API tokens.

An admin also sees and may revoke everyone's tokens (to cut off a leaked one at once).
Views check the form, call one function of :mod:`surveyapp.api.tokens`, commit, then
render or redirect.  The plain token is shown in the response to the POST that made
it and nowhere else: not flashed (the session cookie is signed, not encrypted), not
stored, not logged.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp.accounts.access import roles_required
from surveyapp.api.forms import CreateTokenForm
from surveyapp.api.tokens import TokenError, create_token, may_manage, revoke_token, tokens_of
from surveyapp.extensions import db
from surveyapp.forms import EmptyForm
from surveyapp.i18n import N_, t
from surveyapp.models.api_token import ApiToken
from surveyapp.web import current_lang, revoke_and_flash

bp = Blueprint("tokens", __name__, template_folder="templates")


def _page(
    form: CreateTokenForm, error: str | None, status: int, created: tuple[str, str] | None = None
):
    user = current_user._get_current_object()
    everyone = user.role == "admin"
    response = render_template(
        "api/tokens.html",
        tokens=tokens_of(db.session, None if everyone else user),
        everyone=everyone,
        form=form,
        action_form=EmptyForm(),
        error=error,
        created=created,
    )
    headers = {"Cache-Control": "no-store"} if created else {}  # the page holds a secret
    return response, status, headers


@bp.get("/account/tokens")
@roles_required()
def index():
    return _page(CreateTokenForm(formdata=None), None, 200)


@bp.post("/account/tokens")
@roles_required()
def create():
    form = CreateTokenForm()
    lang = current_lang()
    if not form.validate_on_submit():
        return _page(form, t("tokens_error_token_bad_name", lang), 400)
    try:
        token, plain = create_token(
            db.session, current_user, form.name.data, actor=current_user, ip=request.remote_addr
        )
    except TokenError as exc:
        db.session.rollback()
        return _page(form, t(f"tokens_error_{exc.code}", lang), 400)
    name = token.name
    db.session.commit()
    return _page(CreateTokenForm(formdata=None), None, 201, (name, plain))


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required()
def revoke(token_id: int):
    form = EmptyForm()
    token = db.session.get(ApiToken, token_id)
    if token is None or not may_manage(current_user, token):  # someone else's: not yours to see
        return render_template("auth/forbidden.html", not_found=True), 404
    if form.validate_on_submit():
        revoke_and_flash(
            revoke_token, token, TokenError, "tokens_error_{code}", N_("tokens_revoked")
        )
    return redirect(url_for("tokens.index"))
