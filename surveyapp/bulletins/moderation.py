"""The moderation queue of residents' suggestions: ``/bulletins/moderation``.

Evaluators and admins see, per period and per round, the distinct suggestions of the
round's analysed responses (identical texts are one entry, with how many wrote them),
masked and without links or contact details, exactly as a bulletin would print them.
They approve or reject entries (a rejection needs a reason), one at a time or all
listed at once; every decision is audited (:func:`surveyapp.moderation.decide`).  A
bulletin prints approved texts only; ``/bulletins/manage`` says when some are pending.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from surveyapp.accounts.access import roles_required
from surveyapp.bulletins.forms import ModerationForm
from surveyapp.bulletins.service import bulletin_settings
from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.i18n import CHINA_TZ, N_, labels
from surveyapp.indices import AnalysisSettings
from surveyapp.models import Round
from surveyapp.moderation import (
    Entry,
    ModerationError,
    decide,
    round_review,
    round_scope,
    tally,
    undecided_texts,
)
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.sectors import sector_name, sector_sort_key
from surveyapp.web import current_lang

bp = Blueprint("bulletins_moderation", __name__, template_folder="templates")

MODERATORS = ("admin", "evaluator")
STATUSES = ("pending", "approved", "rejected")

#: The page's labels (``L.<name>`` in its template): message ids ``bmod_<name>``.
LABEL_KEYS = (
    N_("bmod_title"),
    N_("bmod_intro"),
    N_("bmod_period"),
    N_("bmod_show"),
    N_("bmod_status_pending"),
    N_("bmod_status_approved"),
    N_("bmod_status_rejected"),
    N_("bmod_go"),
    N_("bmod_no_rounds"),
    N_("bmod_none"),
    N_("bmod_tally"),
    N_("bmod_people"),
    N_("bmod_removed"),
    N_("bmod_decided"),
    N_("bmod_reason_was"),
    N_("bmod_select"),
    N_("bmod_all"),
    N_("bmod_reason"),
    N_("bmod_approve"),
    N_("bmod_reject"),
    N_("bmod_done_approve"),
    N_("bmod_done_reject"),
    N_("bmod_err_none"),
    N_("bmod_err_reason"),
    N_("bmod_err_reason_long"),
    N_("bmod_err_stale"),
    N_("bmod_err_round"),
    N_("bmod_back"),
)


def _labels(lang: str) -> dict[str, str]:
    return labels(LABEL_KEYS, "bmod_", lang)


def _settings() -> AnalysisSettings:
    return bulletin_settings(current_app.config).analysis


def _periods() -> list[str]:
    return sorted(set(db.session.scalars(select(Round.period))), reverse=True)


def _rounds(period: str) -> list[tuple[Round, Questionnaire]]:
    rounds = db.session.scalars(select(Round).where(Round.period == period).order_by(Round.id))
    out = [(r, questionnaire_of(r.questionnaire_version)) for r in rounds]
    out.sort(key=lambda rq: (sector_sort_key(rq[1].sector), rq[1].id, rq[0].id))
    return out


def _sections(period: str, status: str, lang: str) -> list[dict]:
    """One section per round of ``period``: its entries (those of ``status``) and tally."""
    settings = _settings()
    out = []
    for round_, q in _rounds(period):
        if not q.open_questions:
            continue
        entries = round_review(db.session, round_, settings)
        out.append(
            {
                "round": round_,
                "title": sector_name(q.sector, lang, q.title.get(lang)),
                "tally": tally(entries),
                "entries": [e for e in entries if e.status == status],
            }
        )
    return out


def _page(
    period: str | None,
    status: str,
    *,
    form: ModerationForm | None = None,
    error: tuple[str, str, str] | None = None,
    code: int = 200,
):
    """The queue of ``period``; ``error`` is (round code, field, message) of a refused post."""
    lang = current_lang()
    L = _labels(lang)
    periods = _periods()
    if period not in periods:
        period = periods[0] if periods else None
    sections = _sections(period, status, lang) if period else []
    return render_template(
        "bulletins/moderation.html",
        L=L,
        periods=periods,
        period=period,
        status=status,
        statuses=STATUSES,
        sections=sections,
        form=form or ModerationForm(),
        error=error,
        china=CHINA_TZ,
    ), code


def _status(value: str | None) -> str:
    return value if value in STATUSES else "pending"


@bp.get("/bulletins/moderation")
@roles_required(*MODERATORS)
def queue():
    try:
        return _page(request.args.get("period"), _status(request.args.get("status")))
    finally:
        db.session.rollback()  # listing reads only


def _chosen(form: ModerationForm, entries: Sequence[Entry]) -> list[Entry] | None:
    """The entries the form names (all listed, or the ticked ones); ``None`` when one
    of them is not among ``entries`` any more."""
    by_key = {e.key: e for e in entries}
    keys = form.listed.data if form.select_all.data else form.keys.data
    if any(k not in by_key for k in keys or ()):
        return None
    return [by_key[k] for k in keys or ()]


@bp.post("/bulletins/moderation")
@roles_required(*MODERATORS)
def decide_view():
    lang = current_lang()
    L = _labels(lang)
    form = ModerationForm()
    period, status = form.period.data, _status(form.status.data)
    round_ = db.session.scalar(select(Round).where(Round.code == (form.round.data or "")))
    if round_ is None or round_.period != period:
        return _page(period, status, form=form, error=("", "round", L["err_round"]), code=400)
    code = round_.code
    entries = round_review(db.session, round_, _settings())
    # the offered values are the round's entries now: anything else is refused
    keys = [SelectChoice(e.key) for e in entries]
    form.keys.choices = keys
    form.listed.choices = keys
    if not form.validate_on_submit():
        if form.reason.errors:
            return _page(
                period, status, form=form, error=(code, "reason", L["err_reason_long"]), code=400
            )
        return _page(period, status, form=form, error=(code, "keys", L["err_stale"]), code=400)
    chosen = _chosen(form, entries)
    if chosen is None:
        return _page(period, status, form=form, error=(code, "keys", L["err_stale"]), code=400)
    if not chosen:
        return _page(period, status, form=form, error=(code, "keys", L["err_none"]), code=400)
    decision = "approved" if form.action.data == "approve" else "rejected"
    if decision == "rejected" and not (form.reason.data or "").strip():
        return _page(period, status, form=form, error=(code, "reason", L["err_reason"]), code=400)
    try:
        changed = decide(
            db.session,
            "suggestion",
            chosen,
            decision,
            actor=current_user,
            reason=form.reason.data,
            scope=round_scope(round_),
            ip=request.remote_addr,
        )
        db.session.commit()
    except ModerationError:
        db.session.rollback()
        return _page(period, status, form=form, error=(code, "reason", L["err_reason"]), code=400)
    done = "done_approve" if decision == "approved" else "done_reject"
    flash(L[done].format(n=changed))
    return redirect(url_for("bulletins_moderation.queue", period=period, status=status))


def pending_suggestions(settings: AnalysisSettings) -> list[tuple[str, int]]:
    """(period, pending entries) for every period with suggestions awaiting review,
    newest first.  A round whose every text is decided is not analysed at all."""
    out = []
    for period in _periods():
        pending = 0
        for round_, q in _rounds(period):
            if q.open_questions and undecided_texts(db.session, round_, q):
                pending += tally(round_review(db.session, round_, settings)).pending
        if pending:
            out.append((period, pending))
    return out
