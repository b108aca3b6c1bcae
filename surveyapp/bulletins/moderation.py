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
from surveyapp.i18n import CHINA_TZ
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

LABELS = {
    "title": ("居民意见建议审核", "Review residents' suggestions"),
    "intro": (
        "公报只刊登经审核同意的意见建议，且只来自纳入分析的答卷。以下文字已隐去个人信息，"
        "链接和联系方式已删除，与公报刊登的一致。相同的文字合并为一条，并注明人数。驳回须填写理由。"
        "每次审核都记入审计日志。",
        "A bulletin prints approved suggestions only, from analysed responses only. The "
        "texts below are masked, with links and contact details removed, exactly as a "
        "bulletin would print them; identical texts are one entry with their count. A "
        "rejection needs a reason. Every decision is written to the audit log.",
    ),
    "period": ("监测期", "Period"),
    "show": ("显示", "Show"),
    "status_pending": ("待审核", "Pending"),
    "status_approved": ("已同意", "Approved"),
    "status_rejected": ("已驳回", "Rejected"),
    "go": ("查看", "Show"),
    "no_rounds": ("尚无调查轮次。", "There is no survey round yet."),
    "none": ("没有符合条件的意见建议。", "No suggestion to show."),
    "tally": (
        "纳入分析的答卷中有 {texts} 条不同的意见建议（{responses} 人）：已同意 {approved} 条，"
        "已驳回 {rejected} 条，待审核 {pending} 条。",
        "{texts} distinct suggestions from analysed responses ({responses} respondents): "
        "{approved} approved, {rejected} rejected, {pending} pending.",
    ),
    "people": ("（{n} 人）", " ({n} respondents)"),
    "removed": ("已删除 {n} 处链接或联系方式", "{n} link(s) or contact detail(s) removed"),
    "decided": ("{by} · {at}", "{by} · {at}"),
    "reason_was": ("驳回理由：{reason}", "Reason: {reason}"),
    "select": ("选择", "Select"),
    "all": ("选择本页全部 {n} 条", "Select all {n} listed"),
    "reason": (
        "驳回理由（驳回时必填，最多 500 字）",
        "Reason (required to reject, at most 500 characters)",
    ),
    "approve": ("同意刊登所选", "Approve selected"),
    "reject": ("驳回所选", "Reject selected"),
    "done_approve": ("已同意 {n} 条。", "{n} approved."),
    "done_reject": ("已驳回 {n} 条。", "{n} rejected."),
    "err_none": ("请至少选择一条。", "Select at least one suggestion."),
    "err_reason": ("驳回须填写理由。", "A rejection needs a reason."),
    "err_reason_long": ("理由不能超过 500 字。", "The reason is longer than 500 characters."),
    "err_stale": (
        "所选意见建议已不在本轮的列表中，请刷新后重试。",
        "A chosen suggestion is no longer on this round's list: reload and try again.",
    ),
    "err_round": ("所选轮次不在该监测期。", "The round is not in that period."),
    "back": ("返回公报发布", "Back to publishing"),
}


def _labels(lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in LABELS.items()}


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
