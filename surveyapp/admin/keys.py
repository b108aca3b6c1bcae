"""``/admin/keys``: the channel keys of the submission API (admin role only).

Views check the form, call one function of :mod:`surveyapp.channels` (which writes the
audit row), commit, then render or redirect.  The plain key is shown in the reply to
the POST that made it and nowhere else: not flashed (the session cookie is signed, not
encrypted), not stored, not logged; like every admin page that reply is ``no-store``.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from surveyapp.accounts.access import roles_required
from surveyapp.admin.forms import ChannelKeyForm, Errors
from surveyapp.admin.routes import ADMIN, bp
from surveyapp.channels import CHANNELS, ChannelKeyError, create_key, keys_list, revoke_key
from surveyapp.extensions import db
from surveyapp.forms import EmptyForm
from surveyapp.i18n import N_, both
from surveyapp.models import ChannelKey, Round
from surveyapp.web import revoke_and_flash

#: The form field that shows each refusal of :func:`create_key`.
ERROR_FIELDS = {"key_bad_name": "name", "key_bad_channel": "channel"}


def _keys_page(
    form: ChannelKeyForm,
    status: int = 200,
    errors: Errors | None = None,
    created: tuple[str, str] | None = None,
):
    response = render_template(
        "admin/keys.html",
        keys=keys_list(db.session),
        round_codes=list(db.session.scalars(select(Round.code).order_by(Round.code.desc()))),
        channels=CHANNELS,
        form=form,
        action_form=EmptyForm(formdata=None),
        errors=errors or {},
        created=created,
    )
    return response, status, {"Cache-Control": "no-store"}  # the page may hold a key


@bp.get("/admin/keys")
@roles_required(ADMIN)
def keys():
    return _keys_page(ChannelKeyForm(formdata=None))


@bp.post("/admin/keys")
@roles_required(ADMIN)
def create_channel_key():
    form = ChannelKeyForm()
    if not form.validate_on_submit():  # CSRF or an over-long field
        field = (
            "_form" if "csrf_token" in form.errors or not form.errors else next(iter(form.errors))
        )
        message = both("csrf") if field == "_form" else both("keys_err_key_bad_name")
        return _keys_page(form, 400, {field: [message]})
    try:
        key, plain = create_key(
            db.session,
            form.name.data or "",
            form.channel.data or "",
            rounds=form.rounds.data or (),
            trusted_stamps=bool(form.trusted_stamps.data),
            actor=current_user,
            ip=request.remote_addr,
        )
    except ChannelKeyError as exc:
        db.session.rollback()
        field = ERROR_FIELDS.get(exc.code, "rounds")
        return _keys_page(form, 400, {field: [both(f"keys_err_{exc.code}", **exc.params)]})
    name = key.name
    db.session.commit()
    return _keys_page(ChannelKeyForm(formdata=None), 201, created=(name, plain))


@bp.post("/admin/keys/<int:key_id>/revoke")
@roles_required(ADMIN)
def revoke_channel_key(key_id: int):
    key = db.session.get(ChannelKey, key_id)
    if key is None:
        return render_template("admin/message.html", messages=[both("keys_not_found")]), 404
    if EmptyForm().validate_on_submit():
        revoke_and_flash(revoke_key, key, ChannelKeyError, "keys_err_{code}", N_("keys_revoked"))
    return redirect(url_for("admin.keys"))
