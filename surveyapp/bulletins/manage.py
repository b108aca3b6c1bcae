"""The evaluator's bulletin pages: choose, preview the draft, publish or correct.

``/bulletins/manage`` (admin and evaluator) offers the periods and sectors that have
rounds and the editions that can still be corrected.  *Preview* renders the draft PDF
and serves it inline without storing it (``Cache-Control: no-store``: a draft must not
linger in a cache and be mistaken for a publication).  *Publish* calls
:func:`~surveyapp.bulletins.service.publish_bulletin` with the signed-in user as the
audited actor.  What the service refuses (a period without data, an edition already
corrected) comes back as a message on the form, never as a traceback.  While a round
of the period is still open, publishing needs the *interim* box ticked (the service
refuses with :class:`~surveyapp.bulletins.service.InterimNotConfirmed` otherwise, and
the page says which rounds are open); the preview of such a period is marked interim.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveyapp.accounts.access import roles_required
from surveyapp.bulletins.forms import BulletinForm, fill_choices
from surveyapp.bulletins.moderation import pending_suggestions
from surveyapp.bulletins.service import (
    InterimNotConfirmed,
    bulletin_settings,
    open_rounds,
    prepare_bulletin,
    publish_bulletin,
)
from surveyapp.extensions import db
from surveyapp.i18n import N_, labels
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.models import Response as SurveyResponse
from surveyapp.models.base import utcnow
from surveyapp.publications import list_editions, replaced_by
from surveyapp.sectors import sector_name, sorted_sectors
from surveyapp.web import current_lang

bp = Blueprint("bulletins_manage", __name__, template_folder="templates")

EDITORS = ("admin", "evaluator")

#: The page's labels (``L.<name>`` in its template): message ids ``bman_<name>``.
LABEL_KEYS = (
    N_("bman_title"),
    N_("bman_intro"),
    N_("bman_period"),
    N_("bman_responses"),
    N_("bman_open"),
    N_("bman_sectors"),
    N_("bman_lang"),
    N_("bman_lang_zh"),
    N_("bman_lang_en"),
    N_("bman_replaces"),
    N_("bman_new_edition"),
    N_("bman_corrects"),
    N_("bman_replaced_no"),
    N_("bman_preview"),
    N_("bman_publish"),
    N_("bman_publish_note"),
    N_("bman_error"),
    N_("bman_choose_period"),
    N_("bman_bad_sector"),
    N_("bman_bad_edition"),
    N_("bman_no_rounds"),
    N_("bman_published"),
    N_("bman_concurrent"),
    N_("bman_archive"),
    N_("bman_interim"),
    N_("bman_interim_box"),
    N_("bman_interim_needed"),
    N_("bman_pending"),
    N_("bman_moderate"),
)


def _labels(lang: str) -> dict[str, str]:
    return labels(LABEL_KEYS, "bman_", lang)


def _period_choices(L: dict[str, str]) -> list[tuple[str, str]]:
    """Periods that have rounds, newest first, labelled with their response count and
    whether a round is still open (so a period without data, or with more to come, is
    visible before anyone previews it)."""
    counts = dict(
        db.session.execute(
            select(Round.period, func.count(SurveyResponse.id))
            .outerjoin(SurveyResponse, SurveyResponse.round_id == Round.id)
            .group_by(Round.period)
        ).all()
    )
    now = utcnow()
    open_periods = {r.period for r in db.session.scalars(select(Round)) if r.state(now) == "open"}
    out = []
    for period in sorted(counts, reverse=True):
        label = f"{period} · {L['responses'].format(n=counts[period])}"
        out.append((period, label + (f" · {L['open']}" if period in open_periods else "")))
    return out


def _sector_choices(lang: str) -> list[tuple[str, str]]:
    stmt = select(QuestionnaireVersion.sector).join(
        Round, Round.questionnaire_version_id == QuestionnaireVersion.id
    )
    found = set(db.session.scalars(stmt.distinct()))
    return [(s, sector_name(s, lang)) for s in sorted_sectors(found)]


def _edition_choices(L: dict[str, str]) -> list[tuple[int | None, str]]:
    """The "new edition" choice, then every edition not yet corrected (only those can be)."""
    bulletins = list_editions(db.session)
    corrected = replaced_by(bulletins)
    out: list[tuple[int | None, str]] = [(None, L["new_edition"])]
    for b in bulletins:
        if b.id not in corrected:
            lang = L.get(f"lang_{b.lang}", b.lang)
            out.append((b.edition, L["corrects"].format(n=b.edition, period=b.period, lang=lang)))
    return out


def _form(lang: str, L: dict[str, str]) -> BulletinForm:
    return fill_choices(
        BulletinForm(), _period_choices(L), _sector_choices(lang), _edition_choices(L)
    )


def _page(form: BulletinForm, error: str | None, status: int):
    lang = current_lang()
    L = _labels(lang)
    latest = list_editions(db.session)[:10]
    return render_template(
        "bulletins/manage.html",
        form=form,
        error=error,
        L=L,
        bulletins=latest,
        interim_ids={b.id for b in latest if (b.inputs or {}).get("interim")},
        pending=pending_suggestions(bulletin_settings(current_app.config).analysis),
    ), status


def _form_error(form: BulletinForm, L: dict[str, str]) -> str:
    """One message for what the form refused, in the page's language (a missing or
    stale CSRF token never gets here: the app's CSRFProtect answers 400 first)."""
    if form.period.errors:
        return L["choose_period"] if form.period.choices else L["no_rounds"]
    if form.sectors.errors:
        return L["bad_sector"]
    return L["bad_edition"]


def _checked() -> tuple[BulletinForm, dict[str, str], object | None]:
    """The posted form with its choices, its labels, and an error page if it is invalid."""
    lang = current_lang()
    L = _labels(lang)
    form = _form(lang, L)
    if not form.validate_on_submit():
        return form, L, _page(form, _form_error(form, L), 400)
    return form, L, None


def _asked(form: BulletinForm) -> dict:
    """What the form asks of the service: the same for the preview and the publication,
    so the draft previewed is the edition published."""
    return {
        "period": form.period.data,
        "lang": form.lang.data,
        "sectors": form.sectors.data or None,
        "settings": bulletin_settings(current_app.config),
        "replaces": form.replaces.data,
    }


@bp.get("/bulletins/manage")
@roles_required(*EDITORS)
def manage():
    lang = current_lang()
    return _page(_form(lang, _labels(lang)), None, 200)


@bp.post("/bulletins/manage/preview")
@roles_required(*EDITORS)
def preview():
    form, L, refused = _checked()
    if refused is not None:
        return refused
    try:
        interim = bool(open_rounds(db.session, form.period.data))
        draft = prepare_bulletin(db.session, **_asked(form), interim=interim)
        pdf = draft.render()
    except ValueError as exc:  # BulletinError, or the analysis refusing the data
        return _page(form, f"{L['error']} {exc}", 400)
    finally:
        db.session.rollback()  # preparing reads only; end the transaction now
    name = f"draft-{form.period.data}-{form.lang.data}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/bulletins/manage/publish")
@roles_required(*EDITORS)
def publish():
    form, L, refused = _checked()
    if refused is not None:
        return refused
    try:
        bulletin = publish_bulletin(
            db.session,
            **_asked(form),
            actor=current_user,
            ip=request.remote_addr,
            interim=form.interim.data,
        )
        db.session.commit()
    except InterimNotConfirmed as exc:  # a second step: tick the box and publish again
        db.session.rollback()
        message = L["interim_needed"].format(period=exc.period, rounds=", ".join(exc.rounds))
        return _page(form, message, 409)
    except ValueError as exc:  # BulletinError, or the analysis refusing the data
        db.session.rollback()
        return _page(form, f"{L['error']} {exc}", 400)
    except IntegrityError:  # two editors took the same edition number
        db.session.rollback()
        return _page(form, L["concurrent"], 409)
    flash(L["published"].format(n=bulletin.edition, period=bulletin.period))
    return redirect(url_for("bulletins_manage.manage"))
