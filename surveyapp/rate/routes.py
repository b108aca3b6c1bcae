"""The rating page: ``/r/<provider>`` (its credit code or registration number),
``?p=<practitioner id>`` to rate one of its practitioners, ``?s=<sector>`` for a
provider in several sectors (default: its first).

One server-rendered page, no JavaScript: the stars are radio buttons, the form posts
to the same address, and a stored rating redirects to the thank-you page (POST,
redirect, GET).  The view checks the form, calls
:func:`surveyapp.ratings.submit.validate_rating` then
:func:`~surveyapp.ratings.submit.submit_rating` (the JSON API calls the same two) and
never writes to the database itself.  A second rating from the same device in the
window replaces the first.  The survey's guards apply: CSRF, the honeypot (thanked,
nothing stored), the per-address rate limits (kind ``survey``) and the burst signal.
"""

from __future__ import annotations

from typing import Any, NoReturn

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
from flask_login import current_user
from sqlalchemy import select

from surveyapp.accounts.access import roles_required
from surveyapp.extensions import csrf, db
from surveyapp.i18n import LANGS, both, t
from surveyapp.models import Practitioner, Provider
from surveyapp.models.base import utcnow
from surveyapp.posters import PosterText, poster_pdf, qr_png
from surveyapp.providers.published import rating_stored
from surveyapp.providers.registry import provider_by_key
from surveyapp.rate.device import keep_device, rating_device, read_receipt, sign_receipt
from surveyapp.rate.forms import RateForm, form_class
from surveyapp.ratings.forms import FormVersion, form_version, rating_forms_memo, shipped_form
from surveyapp.ratings.submit import (
    Rater,
    RatingRefused,
    submit_rating,
    validate_rating,
)
from surveyapp.responses.validate import InvalidSubmission
from surveyapp.sectors import sector_name
from surveyapp.security import HONEYPOT_FIELD, honeypot_filled, rate_limited, retry_after
from surveyapp.security.limits import submission_origin
from surveyapp.web import current_lang

bp = Blueprint("rate", __name__, template_folder="templates")
bp.context_processor(lambda: {"honeypot": HONEYPOT_FIELD, "sector_name": sector_name})

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@bp.after_request
def _after(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return keep_device(response)


def _stop(title: str, body: str, status: int) -> NoReturn:
    lang = current_lang()
    page = render_template("rate/notice.html", title=t(title, lang), body=t(body, lang))
    abort(make_response(page, status))


def _provider(code: str) -> Provider:
    provider = provider_by_key(db.session, code)
    if provider is None:
        _stop("rate_not_found_title", "rate_not_found_body", 404)
    if provider.status != "open":
        _stop("rate_closed_title", "rate_closed_body", 410)
    return provider


def _practitioner(provider: Provider, raw: str | None) -> Practitioner | None:
    if not raw:
        return None
    found = None
    if raw.isdigit() and len(raw) < 10:
        found = db.session.scalar(
            select(Practitioner).where(
                Practitioner.id == int(raw),
                Practitioner.provider_id == provider.id,
                Practitioner.status == "active",
            )
        )
    if found is None:
        _stop("rate_not_found_title", "rate_no_practitioner", 404)
    return found


def _version(provider: Provider, wanted: str | None) -> FormVersion:
    sectors = provider.sectors
    sector = wanted if wanted in sectors else (sectors[0] if sectors else None)
    form = shipped_form(sector) if sector else None
    if form is None:
        _stop("rate_not_found_title", "rate_no_form", 404)
    return form_version(db.session, form, rating_forms_memo(current_app))


def _render(provider, practitioner, version: FormVersion, form: RateForm, *, status=200,
            notice: str | None = None, general=()):  # fmt: skip
    lang = current_lang()
    form.sector.data = version.form.sector
    form.practitioner.data = str(practitioner.id) if practitioner is not None else ""
    body = render_template(
        "rate/page.html",
        provider=provider,
        practitioner=practitioner,
        rating_form=version.form,
        form=form,
        errors=sum(1 for item in version.form.items if form["s_" + item.id].errors)
        + (1 if form.comment.errors else 0),
        general=list(general),
        notice=notice,
        window_days=current_app.config["RATING_WINDOW_DAYS"],
        lang=lang,
    )
    return body, status


@bp.get("/r/<code>")
def rate(code: str):
    provider = _provider(code)
    practitioner = _practitioner(provider, request.args.get("p"))
    version = _version(provider, request.args.get("s"))
    form = form_class(version.form)(formdata=None)
    form.localise(version.form, current_lang())
    return _render(provider, practitioner, version, form)


@bp.errorhandler(429)
def _too_many(exc):
    seconds = retry_after(exc)
    lang = current_lang()
    page = render_template(
        "rate/notice.html",
        title=t("rate_limited_title", lang),
        body=t("rate_limited_page", lang, seconds=seconds),
    )
    return page, 429, {"Retry-After": str(seconds)}


@csrf.exempt  # checked below, so that a stale form comes back with its stars kept
@bp.post("/r/<code>")
@rate_limited("survey")
def rate_post(code: str):
    provider = _provider(code)
    lang = current_lang()
    if request.mimetype and request.mimetype not in FORM_TYPES:
        _stop("form_only_title", "form_only_body", 415)
    practitioner = _practitioner(provider, request.form.get("practitioner"))
    version = _version(provider, request.form.get("sector"))
    form = form_class(version.form)()
    form.localise(version.form, lang)
    if not form.validate():  # the fields have no validators of their own: this is CSRF
        form.csrf_token.errors = []
        return _render(provider, practitioner, version, form, status=400, notice=t("csrf", lang))
    if request.form.get("go") == "stay":  # language or text size changed: nothing checked
        return _render(provider, practitioner, version, form)
    if honeypot_filled(request.form, f"rate:{provider.key}"):  # a robot: thanked, not stored
        return _to_thanks(provider, False)
    try:
        clean = validate_rating(version, form.payload(version.form))
        origin = submission_origin()
        stored = submit_rating(
            db.session,
            provider,
            version,
            clean,
            Rater(
                device_id=rating_device(),
                source=origin.source,
                threshold=origin.threshold,
                label=origin.label,
            ),
            secret=current_app.config["SECRET_KEY"],
            window_days=current_app.config["RATING_WINDOW_DAYS"],
            practitioner=practitioner,
        )
    except InvalidSubmission as exc:
        general = form.set_errors(exc.messages(lang))
        return _render(provider, practitioner, version, form, status=400, general=general)
    except RatingRefused as exc:
        _stop("rate_not_found_title", exc.code, exc.status)
    if not stored.held:  # the stored scores take it in the background, pages or not
        rating_stored(db.session, current_app._get_current_object())  # type: ignore[attr-defined]
    return _to_thanks(provider, stored.replaced)


def _to_thanks(provider: Provider, replaced: bool):
    receipt = sign_receipt(provider.key, replaced)
    return redirect(url_for(".thanks", code=provider.key, r=receipt), 303)


@bp.get("/r/<code>/thanks")
def thanks(code: str):
    provider = provider_by_key(db.session, code)
    if provider is None:
        _stop("rate_not_found_title", "rate_not_found_body", 404)
    replaced = read_receipt(request.args.get("r"), provider.key)
    return render_template("rate/thanks.html", provider=provider, replaced=replaced)


# ---------------------------------------------------------------- QR code and poster


def _poster_target(code: str) -> tuple[Provider, Practitioner | None, str]:
    """The provider (a bureau: of its sectors only), the practitioner of ``?p=`` and the
    rating page's absolute link, on ``PUBLIC_URL`` when it is set."""
    provider = provider_by_key(db.session, code)
    if provider is None:
        abort(404)
    if not any(current_user.may_see_sector(s) for s in provider.sectors):
        abort(403)
    practitioner = _practitioner(provider, request.args.get("p"))
    params: dict[str, Any] = {"code": provider.key}
    if practitioner is not None:
        params["p"] = str(practitioner.id)
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return provider, practitioner, url_for(".rate", _external=True, **params)
    path = url_for(".rate", **params).removeprefix(request.script_root)
    return provider, practitioner, base.rstrip("/") + path


def _file_name(provider: Provider, practitioner: Practitioner | None, suffix: str) -> str:
    part = f"-p{practitioner.id}" if practitioner is not None else ""
    return f"rate-{provider.key}{part}.{suffix}"


@bp.get("/r/<code>/qr.png")
@roles_required("admin", "bureau")
def qr(code: str):
    provider, practitioner, url = _poster_target(code)
    name = _file_name(provider, practitioner, "png")
    return Response(
        qr_png(url),
        mimetype="image/png",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.get("/r/<code>/poster.pdf")
@roles_required("admin", "bureau")
def poster(code: str):
    provider, practitioner, url = _poster_target(code)
    sector = provider.sectors[0] if provider.sectors else None
    title = both("rate_poster_title")
    who = f"{provider.name} · {practitioner.name}" if practitioner is not None else provider.name
    issuer = current_app.config.get("BULLETIN_ISSUER")
    issuers = {"zh": issuer, "en": current_app.config.get("BULLETIN_ISSUER_EN") or issuer}
    text = PosterText(
        title_zh=who,
        title_en=title[1],
        sector=" · ".join(sector_name(sector, lang) for lang in LANGS) if sector else "",
        period=title[0],
        instruction_zh=t("rate_poster_instruction", "zh"),
        instruction_en=t("rate_poster_instruction", "en"),
        footer=" ".join(both("rate_poster_footer")),
        district=provider.district,
        issuer=" · ".join(t("poster_issuer", lang, issuer=issuers[lang]) for lang in LANGS)
        if issuer
        else None,
    )
    try:
        pdf = poster_pdf(url, text, current_app.config.get("BULLETIN_FONT") or None, utcnow())
    except ValueError as exc:  # a configured font that cannot be used
        abort(make_response(str(exc), 500))
    name = _file_name(provider, practitioner, "pdf")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
