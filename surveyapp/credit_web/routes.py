"""Routes of the bureaus' credit pages: thin; they read :mod:`surveyapp.credit.board`,
check a form and call one operation of :mod:`surveyapp.credit.record`.

Who: a bureau for its own sectors (a provider's record when it shares one of them),
an administrator for all; other roles are refused (the classes decide who gets
inspected: not for every reader).  No page shows an inspection plan's list before its
results: the hit rates count only what was drawn *and* entered back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from surveyapp.accounts.access import roles_required, visible_sector, visible_sectors
from surveyapp.attachments import csv_attachment, xlsx_attachment
from surveyapp.credit.board import (
    ClassRow,
    CreditView,
    Distribution,
    class_list,
    distribution,
    hit_rates,
    movers,
    provider_credit,
    recorded_periods,
)
from surveyapp.credit.record import CreditError, end_event, override_class
from surveyapp.extensions import db
from surveyapp.i18n import N_, t
from surveyapp.models import Provider
from surveyapp.models.base import utcnow
from surveyapp.models.credit import RISK_CLASSES
from surveyapp.providers.registry import provider_by_key
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import sector_name
from surveyapp.web import current_lang, district_arg

from .forms import OverrideForm, RepairForm

bp = Blueprint(
    "credit_web",
    __name__,
    url_prefix="/dashboard/credit",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

ROLES = ("admin", "bureau")
#: Movers listed on a sector's page (the largest rises first; the class list has all)
MOVERS_SHOWN = 200
#: The class list's export columns: (key, catalog id of the header)
COLUMNS = (
    ("id", N_("crw_col_id")),
    ("name", N_("crw_col_name")),
    ("district", N_("crw_col_district")),
    ("class", N_("crw_col_class")),
    ("rules_class", N_("crw_col_rules_class")),
    ("points", N_("crw_col_points")),
    ("factors", N_("crw_col_factors")),
)


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def _today() -> date:
    return china_today(utcnow())


def _period_arg(periods: list[str]) -> str | None:
    """The ``period`` asked for (one of the recorded ones: else 404), or the latest."""
    asked = request.args.get("period", "").strip()
    if asked:
        if asked not in periods:
            abort(404)
        return asked
    return periods[-1] if periods else None


@bp.get("")
@roles_required(*ROLES)
def index():
    """The sectors the account may see, each a link to its classes."""
    return render_template("credit_web/index.html", sectors=visible_sectors())


@bp.get("/<sector_code>")
@roles_required(*ROLES)
def sector_page(sector_code: str):
    """Distribution per district, movers since the period before, hit rates per class."""
    code = visible_sector(sector_code)
    periods = recorded_periods(db.session, code)
    period = _period_arg(periods)
    district = district_arg()
    empty = Distribution(dict.fromkeys(RISK_CLASSES, 0), ())
    every = distribution(db.session, code, period) if period else empty
    dist = distribution(db.session, code, period, district) if period and district else every
    before = periods[periods.index(period) - 1] if period and periods.index(period) > 0 else None
    moved = movers(db.session, code, period, before, district) if period and before else []
    args: dict[str, Any] = {k: v for k, v in (("period", period), ("district", district)) if v}
    return render_template(
        "credit_web/sector.html",
        sector=code,
        title=sector_name(code, current_lang()),
        periods=periods,
        period=period,
        before=before,
        district=district,
        districts=[d for d, _ in every.districts],
        dist=dist,
        movers=moved,
        shown=MOVERS_SHOWN,
        hits=hit_rates(db.session, code),
        csv_url=url_for(".classes_csv", sector_code=code, **args),
        xlsx_url=url_for(".classes_xlsx", sector_code=code, **args),
    )


def _factors_text(factors: tuple[dict[str, Any], ...], lang: str) -> str:
    """ "label (value; condition; +points)" joined by "; " — the why of a class in one cell."""
    parts = []
    for f in factors:
        label = (f.get("label") or {}).get(lang) or f.get("indicator", "")
        parts.append(f"{label} ({f.get('value', 0):g}; {f.get('condition', '')}; "
                     f"{int(f.get('points', 0)):+d})")  # fmt: skip
    return "; ".join(parts)


def _cells(rows: list[ClassRow]) -> tuple[list[str], list[list[object]]]:
    lang = current_lang()
    header = [t(text, lang) for _, text in COLUMNS]
    out: list[list[object]] = []
    for r in rows:
        values = {"id": r.key, "name": r.name, "district": r.district, "class": r.cls,
                  "rules_class": r.computed, "points": r.points,
                  "factors": _factors_text(r.factors, lang)}  # fmt: skip
        out.append([values[key] for key, _ in COLUMNS])
    return header, out


def _export(sector_code: str) -> tuple[str, list[ClassRow], str]:
    code = visible_sector(sector_code)
    period = _period_arg(recorded_periods(db.session, code))
    if period is None:
        abort(404)  # nothing recorded: nothing to download
    district = district_arg()
    name = "-".join(p for p in ("credit-classes", code, period, district) if p)
    return code, class_list(db.session, code, period, district), name


@bp.get("/<sector_code>/classes.csv")
@roles_required(*ROLES)
def classes_csv(sector_code: str):
    _, rows, name = _export(sector_code)
    header, cells = _cells(rows)
    return csv_attachment(header, cells, f"{name}.csv")


@bp.get("/<sector_code>/classes.xlsx")
@roles_required(*ROLES)
def classes_xlsx(sector_code: str):
    code, rows, name = _export(sector_code)
    header, cells = _cells(rows)
    return xlsx_attachment(header, cells, code, f"{name}.xlsx")


# --- one provider's record -------------------------------------------------------------


def _provider_or_abort(key: str) -> Provider:
    """The provider, if the account may see one of its sectors (404 unknown, 403 else)."""
    provider = provider_by_key(db.session, key)
    if provider is None:
        abort(404)
    if not any(current_user.may_see_sector(s) for s in provider.sectors):
        abort(403)
    return provider


def _bureau(provider: Provider) -> str:
    """Who decided an override: the bureau's sectors it shares with the provider."""
    if current_user.role == "admin":
        return "admin"
    return ",".join(s for s in provider.sectors if current_user.may_see_sector(s))[:64]


def _render(
    view: CreditView,
    *,
    override: OverrideForm | None = None,
    repair: RepairForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    repair = repair or RepairForm(formdata=None)
    repair.event.choices = _event_choices(view)
    return (
        render_template(
            "credit_web/provider.html",
            view=view,
            p=view.provider,
            override=override or OverrideForm(formdata=None),
            repair=repair,
            error=error,
        ),
        status,
    )


def _event_choices(view: CreditView) -> list[SelectChoice]:
    lang = current_lang()
    return [
        SelectChoice(int(e.detail["id"]), f"{e.on.isoformat()} {t('crw_kind_' + e.kind, lang)} "
                                          f"{e.source} {e.detail.get('external_id') or ''}".strip())
        for e in view.open_events()
    ]  # fmt: skip


@bp.get("/providers/<key>")
@roles_required(*ROLES)
def provider(key: str):
    p = _provider_or_abort(key)
    return _render(provider_credit(db.session, p, _today()))


def _attempt(operation: Callable[[], object]) -> str | None:
    """Run one operation of the record; its refusal as the page's error text."""
    try:
        operation()
    except CreditError as exc:
        db.session.rollback()
        return t("crw_err_refused", current_lang(), reason=str(exc))
    return None


def _answer(view: CreditView, error: str | None, **forms: Any):
    """The page again with the error (400), else back to the record (303)."""
    if error is not None:
        return _render(view, error=error, status=400, **forms)
    return redirect(url_for(".provider", key=view.provider.key), 303)


@bp.post("/providers/<key>/override")
@roles_required(*ROLES)
def override(key: str):
    p = _provider_or_abort(key)
    view = provider_credit(db.session, p, _today())
    lang = current_lang()
    form = OverrideForm()
    error: str | None
    if not form.validate():
        error = t("crw_err_override_form", lang)
    elif form.expires_on.data < view.as_of:
        error = t("crw_err_expired", lang, day=form.expires_on.data.isoformat())
    else:
        actor = current_user._get_current_object()
        error = _attempt(lambda: override_class(
            db.session, p.key, form.cls.data, form.reason.data, form.expires_on.data,
            _bureau(p), actor))  # fmt: skip
    return _answer(view, error, override=form)


@bp.post("/providers/<key>/repair")
@roles_required(*ROLES)
def repair(key: str):
    p = _provider_or_abort(key)
    view = provider_credit(db.session, p, _today())
    lang = current_lang()
    form = RepairForm()
    form.event.choices = _event_choices(view)
    error: str | None
    if not form.validate():
        error = t("crw_err_repair_form", lang)
    else:
        event = next(e for e in view.open_events() if e.detail["id"] == form.event.data)
        if form.on.data < event.on:
            error = t("crw_err_repair_before", lang, day=event.on.isoformat())
        else:
            actor = current_user._get_current_object()
            error = _attempt(lambda: end_event(
                db.session, form.event.data, form.on.data, form.reason.data, actor))  # fmt: skip
    return _answer(view, error, repair=form)
