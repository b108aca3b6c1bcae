"""``/admin/providers``: the provider registry by hand — add, edit, close, merge duplicates.

Admins manage every provider; a bureau account manages the providers of its own
sectors (it may add or edit a provider only within them) and never merges.  Each view
reads its form (CSRF), calls one function of :mod:`surveyapp.providers.manage` (which
checks the values by the registry import's own rules and writes the audit row), commits,
then redirects; a refusal comes back next to its field, Chinese then English, status 400.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.validators import Length

from surveyapp.accounts.access import roles_required
from surveyapp.admin.forms import Errors
from surveyapp.admin.routes import ADMIN, bp
from surveyapp.extensions import db
from surveyapp.i18n import N_, both, t
from surveyapp.models import Provider, ProviderSector, User
from surveyapp.models.base import utcnow
from surveyapp.providers.manage import (
    ProviderRefused,
    close_provider,
    create_provider,
    edit_provider,
    merge_providers,
)
from surveyapp.rounds.dates import DateError, china_today, parse_day
from surveyapp.sectors import SECTORS
from surveyapp.web import current_lang

MANAGERS = (ADMIN, "bureau")
PAGE_SIZE = 100
#: The form's text fields: the registry file's columns
TEXT_FIELDS = ("credit_code", "registration_no", "name", "district", "address", "lat", "lon",
               "crs", "service_types")  # fmt: skip
#: Labels of the form's fields (``padm_f_<field>``)
FIELD_LABELS = (
    N_("padm_f_credit_code"),
    N_("padm_f_registration_no"),
    N_("padm_f_name"),
    N_("padm_f_district"),
    N_("padm_f_address"),
    N_("padm_f_lat"),
    N_("padm_f_lon"),
    N_("padm_f_crs"),
    N_("padm_f_service_types"),
)
#: Ids built from a refusal's code
REFUSALS = (
    N_("padm_err_taken"),
    N_("padm_err_already_closed"),
    N_("padm_err_close_future"),
    N_("padm_err_close_before_open"),
    N_("padm_err_merge_same"),
    N_("padm_err_merge_merged"),
)


class ProviderForm(FlaskForm):
    credit_code = StringField(validators=[Length(max=18)])
    registration_no = StringField(validators=[Length(max=64)])
    name = StringField(validators=[Length(max=200)])
    sector = SelectMultipleField(choices=[], validate_choice=False)
    district = StringField(validators=[Length(max=64)])
    address = StringField(validators=[Length(max=300)])
    lat = StringField(validators=[Length(max=32)])
    lon = StringField(validators=[Length(max=32)])
    crs = StringField(validators=[Length(max=8)])
    service_types = StringField(validators=[Length(max=1000)])


class ProviderCloseForm(FlaskForm):
    closed_on = StringField(validators=[Length(max=10)])
    confirm = HiddenField()


class MergeForm(FlaskForm):
    duplicate = StringField(validators=[Length(max=64)])
    confirm = HiddenField()


# ---------------------------------------------------------------- who may do what


def _own_sectors(user: User) -> set[str] | None:
    """The sectors a bureau manages; ``None`` for an admin (every sector)."""
    return None if user.role == ADMIN else set(user.sectors or [])


def _may_manage(provider: Provider) -> bool:
    own = _own_sectors(current_user)
    return own is None or bool(own & set(provider.sectors))


def _provider_or_404(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        abort(404)
    if not _may_manage(provider):
        abort(403)
    return provider


def _form_values(form: ProviderForm) -> dict[str, str]:
    """The form as the registry file's columns (what ``check_record`` reads)."""
    values = {name: (getattr(form, name).data or "") for name in TEXT_FIELDS}
    values["sector"] = ";".join(form.sector.data or [])
    return values


def _problem_errors(exc: ProviderRefused) -> Errors:
    """Each of the import's findings next to its field (``sector`` is the checkboxes)."""
    errors: Errors = {}
    for problem in exc.problems:
        field = problem.column if problem.column in (*TEXT_FIELDS, "sector") else "_form"
        errors.setdefault(field, []).append(both("padm_err_field", message=problem.message))
    if not exc.problems:
        errors["_form"] = [both(f"padm_err_{exc.code}", **exc.params)]
    return errors


def _outside_own(sectors: list[str]) -> bool:
    own = _own_sectors(current_user)
    return own is not None and (not sectors or not set(sectors) <= own)


# ---------------------------------------------------------------- list


@bp.get("/admin/providers")
@roles_required(*MANAGERS)
def providers():
    """The registry, newest changes first; filter by sector, district, name or code."""
    sector = request.args.get("sector", "").strip() or None
    district = request.args.get("district", "").strip() or None
    q = request.args.get("q", "").strip()[:100]
    query = select(Provider).order_by(Provider.updated_at.desc(), Provider.id.desc())
    own = _own_sectors(current_user)
    sectors = [s for s in SECTORS if own is None or s.code in own]
    if sector is not None or own is not None:
        wanted = [sector] if sector is not None else sorted(own or ())
        if own is not None:
            wanted = [s for s in wanted if s in own]
        members = select(ProviderSector.provider_id).where(ProviderSector.sector.in_(wanted))
        query = query.where(Provider.id.in_(members))
    if district:
        query = query.where(Provider.district == district)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Provider.name.like(like), Provider.credit_code == q.upper(),
                                Provider.registration_no == q))  # fmt: skip
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.limit(PAGE_SIZE)))
    districts = list(
        db.session.scalars(select(Provider.district).distinct().order_by(Provider.district))
    )
    return render_template(
        "admin/providers.html",
        rows=rows,
        total=total,
        shown=len(rows),
        sectors=sectors,
        districts=districts,
        args={"sector": sector or "", "district": district or "", "q": q},
    )


# ---------------------------------------------------------------- add and edit


def _sector_choices() -> list[Any]:
    own = _own_sectors(current_user)
    return [s for s in SECTORS if own is None or s.code in own]


def _edit_page(form: ProviderForm, provider: Provider | None, errors: Errors, status: int = 200):
    return render_template(
        "admin/provider_edit.html",
        form=form,
        provider=provider,
        sectors=_sector_choices(),
        errors=errors,
        close_form=ProviderCloseForm(formdata=None, closed_on=china_today(utcnow()).isoformat()),
        is_admin=current_user.role == ADMIN,
    ), status


def _invalid(form: ProviderForm) -> Errors | None:
    """CSRF or an over-long field (the reading errors of WTForms)."""
    if form.validate_on_submit():
        return None
    if "csrf_token" in form.errors or not form.errors:
        return {"_form": [both("csrf")]}
    return {name: [both("padm_err_too_long")] for name in form.errors}


@bp.get("/admin/providers/new")
@roles_required(*MANAGERS)
def new_provider():
    return _edit_page(ProviderForm(formdata=None, crs="WGS84"), None, {})


@bp.post("/admin/providers/new")
@roles_required(*MANAGERS)
def create_provider_view():
    form = ProviderForm()
    errors = _invalid(form)
    if errors is not None:
        return _edit_page(form, None, errors, 400)
    if _outside_own(form.sector.data or []):
        return _edit_page(form, None, {"sector": [both("padm_err_own_sectors")]}, 400)
    try:
        provider = create_provider(
            db.session, _form_values(form), current_user, ip=request.remote_addr
        )
        db.session.commit()
    except ProviderRefused as exc:
        db.session.rollback()
        return _edit_page(form, None, _problem_errors(exc), 400)
    except IntegrityError:  # stored by someone else a moment ago
        db.session.rollback()
        return _edit_page(form, None, {"_form": [both("padm_err_conflict")]}, 409)
    flash(t("padm_created", current_lang(), name=provider.name))
    return redirect(url_for("admin.edit_provider_page", provider_id=provider.id), 303)


def _filled(provider: Provider) -> ProviderForm:
    form = ProviderForm(
        formdata=None,
        credit_code=provider.credit_code or "",
        registration_no=provider.registration_no or "",
        name=provider.name,
        district=provider.district,
        address=provider.address or "",
        lat="" if provider.lat is None else repr(provider.lat),
        lon="" if provider.lon is None else repr(provider.lon),
        crs="WGS84",
        service_types=";".join(provider.service_types or ()),
    )
    form.sector.data = provider.sectors
    return form


@bp.get("/admin/providers/<int:provider_id>")
@roles_required(*MANAGERS)
def edit_provider_page(provider_id: int):
    provider = _provider_or_404(provider_id)
    return _edit_page(_filled(provider), provider, {})


@bp.post("/admin/providers/<int:provider_id>")
@roles_required(*MANAGERS)
def save_provider(provider_id: int):
    provider = _provider_or_404(provider_id)
    form = ProviderForm()
    errors = _invalid(form)
    if errors is not None:
        return _edit_page(form, provider, errors, 400)
    if _outside_own(form.sector.data or []):
        return _edit_page(form, provider, {"sector": [both("padm_err_own_sectors")]}, 400)
    try:
        changes = edit_provider(
            db.session, provider, _form_values(form), current_user, ip=request.remote_addr
        )
        db.session.commit()
    except ProviderRefused as exc:
        db.session.rollback()
        return _edit_page(form, provider, _problem_errors(exc), 400)
    lang = current_lang()
    flash(t("padm_saved", lang, n=len(changes)) if changes else t("padm_unchanged", lang))
    return redirect(url_for("admin.edit_provider_page", provider_id=provider.id), 303)


# ---------------------------------------------------------------- close


@bp.post("/admin/providers/<int:provider_id>/close")
@roles_required(*MANAGERS)
def close_provider_view(provider_id: int):
    provider = _provider_or_404(provider_id)
    form = ProviderCloseForm()
    if not form.validate_on_submit() or form.confirm.data != "yes":
        return _edit_page(_filled(provider), provider, {"closed_on": [both("csrf")]}, 400)
    try:
        day = parse_day(form.closed_on.data)
    except DateError:
        day = None
    if day is None:
        errors = {"closed_on": [both("padm_err_bad_date")]}
        return _edit_page(_filled(provider), provider, errors, 400)
    try:
        close_provider(db.session, provider, day, current_user, ip=request.remote_addr)
        db.session.commit()
    except ProviderRefused as exc:
        db.session.rollback()
        errors = {"closed_on": [both(f"padm_err_{exc.code}", **exc.params)]}
        return _edit_page(_filled(provider), provider, errors, 400)
    flash(t("padm_closed", current_lang(), name=provider.name, date=day.isoformat()))
    return redirect(url_for("admin.edit_provider_page", provider_id=provider.id), 303)


# ---------------------------------------------------------------- merge (admins only)


def _merge_page(kept: Provider, form: MergeForm, errors: Errors, duplicate=None, status=200):
    return render_template(
        "admin/provider_merge.html", kept=kept, form=form, errors=errors, duplicate=duplicate
    ), status


def _by_key(key: str) -> Provider | None:
    key = key.strip()
    if not key:
        return None
    return db.session.scalar(
        select(Provider).where(
            or_(Provider.credit_code == key.upper(), Provider.registration_no == key)
        )  # fmt: skip
    )


@bp.get("/admin/providers/<int:provider_id>/merge")
@roles_required(ADMIN)
def merge_page(provider_id: int):
    """Step one: which provider is the duplicate (by its code); step two (``?duplicate=``
    found): what the merge will do, and the confirming button."""
    kept = _provider_or_404(provider_id)
    key = request.args.get("duplicate", "")[:64]
    form = MergeForm(formdata=None, duplicate=key)
    if not key:
        return _merge_page(kept, form, {})
    duplicate = _by_key(key)
    if duplicate is None:
        return _merge_page(
            kept, form, {"duplicate": [both("padm_err_no_such", value=key)]}, None, 404
        )
    return _merge_page(kept, form, {}, duplicate)


@bp.post("/admin/providers/<int:provider_id>/merge")
@roles_required(ADMIN)
def merge(provider_id: int):
    kept = _provider_or_404(provider_id)
    form = MergeForm()
    if not form.validate_on_submit() or form.confirm.data != "yes":
        return _merge_page(kept, form, {"_form": [both("csrf")]}, None, 400)
    duplicate = _by_key(form.duplicate.data or "")
    if duplicate is None:
        key = form.duplicate.data or ""
        return _merge_page(
            kept, form, {"duplicate": [both("padm_err_no_such", value=key)]}, None, 404
        )
    try:
        outcome = merge_providers(db.session, kept, duplicate, current_user, ip=request.remote_addr)
        db.session.commit()
    except ProviderRefused as exc:
        db.session.rollback()
        errors = {"duplicate": [both(f"padm_err_{exc.code}", **exc.params)]}
        return _merge_page(kept, form, errors, duplicate, 400)
    except IntegrityError:  # another table's own uniqueness refused the moved references
        db.session.rollback()
        return _merge_page(kept, form, {"_form": [both("padm_err_conflict")]}, duplicate, 409)
    flash(t("padm_merged", current_lang(), merged=duplicate.name, kept=kept.name,
            n=outcome.ratings_moved))  # fmt: skip
    return redirect(url_for("admin.edit_provider_page", provider_id=kept.id), 303)
