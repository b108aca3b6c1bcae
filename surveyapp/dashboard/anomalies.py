"""``/dashboard/anomalies``: the per-round anomaly panel, and the release or rejection
of a wave of held responses (issue 12, item 2).

Who: an admin, an evaluator (reads only) or a bureau for its own sectors; releasing or
rejecting a wave is for a bureau of the round's sector or an admin, one CSRF-protected,
audited action for the whole wave (:func:`surveyapp.review.decide_wave`).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from surveyapp.accounts.access import roles_required
from surveyapp.dashboard.anomaly_panel import build_panel
from surveyapp.dashboard.routes import bp
from surveyapp.extensions import db
from surveyapp.forms import EmptyForm
from surveyapp.i18n import MESSAGES, t
from surveyapp.indices import indices_state
from surveyapp.models import QuestionnaireVersion, Response, Round
from surveyapp.models.review import HELD
from surveyapp.review import WaveDecisionError, decide_wave
from surveyapp.sectors import sector_name
from surveyapp.web import current_lang

VIEWERS = ("admin", "evaluator", "bureau")
DECIDERS = ("admin", "bureau")

MESSAGES.update(
    {
        "anom_title": ("异常监测", "Anomaly panel"),
        "anom_intro": (
            "三类处理：排除（过快作答、整齐划一、完全重复，不计入分析）；待复核（同一来源超过阈值后的答卷，"
            "暂不计入，需审核放行或驳回）；信号（共用设备指纹、共用网段、缺失或不合理的开始时间，仅供参考，不剔除）。",
            "Three kinds: exclusions (speeders, straight-liners, exact duplicates: left out of "
            "the analysis); held for review (a source's responses beyond the threshold: not "
            "counted until released or rejected); signals (shared device fingerprint, shared "
            "network, start stamp missing or implausible: shown here only, nothing excluded).",
        ),
        "anom_rounds": ("调查轮次", "Rounds"),
        "anom_col_round": ("轮次", "Round"),
        "anom_col_sector": ("行业", "Sector"),
        "anom_col_held": ("待复核", "Held"),
        "anom_none": ("暂无可查看的调查轮次。", "There is no round you may see."),
        "anom_rate": (
            "每小时答卷数（近 48 小时，北京时间）",
            "Responses per hour (last 48 hours, China time)",
        ),
        "anom_usual": (
            "本轮平均每小时 {rate} 份；近 48 小时最高 {peak} 份。",
            "Usual rate of this round: {rate} an hour; highest of the last 48 hours: {peak}.",
        ),
        "anom_col_hour": ("时段", "Hour"),
        "anom_col_count": ("答卷数", "Responses"),
        "anom_col_ratio": ("相对平均", "× usual"),
        "anom_no_recent": ("近 48 小时没有答卷。", "No response in the last 48 hours."),
        "anom_signals": ("信号（不剔除）", "Signals (nothing excluded)"),
        "anom_share": (
            "计入的 {counted} 份答卷中有 {flagged} 份带信号（{share}）。",
            "{flagged} of the {counted} counted responses have a signal ({share}).",
        ),
        "anom_sig_shared_device": (
            "共用设备指纹（同一地址与浏览器）",
            "Shared device fingerprint (address + browser)",
        ),
        "anom_sig_shared_prefix": ("同一网段的多个地址", "Several addresses in one network"),
        "anom_sig_stamp_missing": ("缺少可读的开始时间", "Start stamp missing"),
        "anom_sig_stamp_implausible": ("开始时间不合理", "Start stamp implausible"),
        "anom_index": ("指数对比", "The index with and without flagged responses"),
        "anom_index_all": ("全部计入答卷", "All counted responses"),
        "anom_index_without": ("剔除带信号答卷后", "Without responses with a signal"),
        "anom_col_index": ("满意度指数", "Index"),
        "anom_col_n": ("有效样本", "n"),
        "anom_waves": ("待复核批次", "Waves held for review"),
        "anom_waves_none": ("没有待复核的批次。", "No wave has been held."),
        "anom_col_source": ("来源", "Source"),
        "anom_col_size": ("答卷数", "Responses"),
        "anom_col_span": ("时间", "Time"),
        "anom_col_state": ("状态", "State"),
        "anom_state_held": ("待复核", "Held"),
        "anom_state_released": ("已放行", "Released"),
        "anom_state_rejected": ("已驳回", "Rejected"),
        "anom_decided": ("{who} 于 {when}", "by {who} at {when}"),
        "anom_release": ("放行（计入）", "Release (count)"),
        "anom_reject": ("驳回（不计入）", "Reject (keep out)"),
        "anom_done_release": ("已放行 {n} 份答卷。", "{n} responses released."),
        "anom_done_reject": ("已驳回 {n} 份答卷。", "{n} responses rejected."),
        "anom_err_forbidden": (
            "只有本行业的主管部门或管理员可以处理。",
            "Only a bureau of this sector or an admin may decide.",
        ),
        "anom_err_already_decided": ("该批次已处理。", "This wave has been decided already."),
        "anom_err_unknown_wave": ("未找到该批次。", "No such wave."),
        "anom_err_unknown_action": ("未知操作。", "Unknown action."),
        "anom_err_csrf": ("页面已过期，请重试。", "The page has expired; please try again."),
        "anom_link": ("异常监测与待复核答卷", "Anomalies and responses held for review"),
        "anom_back": ("返回看板", "Back to the dashboard"),
    }
)


def _visible(round_: Round) -> bool:
    return current_user.may_see_sector(round_.questionnaire_version.sector)


def _round_or_404(code: str) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.code == code))
    if round_ is None:
        abort(404)
    if not _visible(round_):
        abort(403)
    return round_


@bp.get("/dashboard/anomalies")
@roles_required(*VIEWERS)
def anomalies():
    """The rounds the user may see, with their held responses, newest first."""
    held = dict(
        db.session.execute(
            select(Response.round_id, func.count(Response.id))
            .where(Response.review == HELD)
            .group_by(Response.round_id)
        ).all()
    )
    rounds = db.session.scalars(
        select(Round).join(QuestionnaireVersion).order_by(Round.period.desc(), Round.code)
    )
    lang = current_lang()
    rows = [
        (r, sector_name(r.questionnaire_version.sector, lang), held.get(r.id, 0))
        for r in rounds
        if _visible(r)
    ]
    return render_template("dashboard/anomalies.html", rows=rows)


@bp.get("/dashboard/anomalies/<code>")
@roles_required(*VIEWERS)
def anomaly_panel(code: str):
    round_ = _round_or_404(code)
    panel = build_panel(db.session, round_, indices_state(current_app).settings)
    may_decide = current_user.role in DECIDERS
    lang = current_lang()
    return render_template(
        "dashboard/anomaly_panel.html",
        panel=panel,
        sector=sector_name(panel.sector, lang),
        may_decide=may_decide,
        form=EmptyForm(formdata=None),
    )


@bp.post("/dashboard/anomalies/<code>/waves/<int:wave_id>")
@roles_required(*DECIDERS)
def decide(code: str, wave_id: int):
    """Release or reject a whole wave (``action`` = release | reject)."""
    round_ = _round_or_404(code)
    lang = current_lang()
    if not EmptyForm().validate_on_submit():
        flash(t("anom_err_csrf", lang))
        return redirect(url_for("dashboard.anomaly_panel", code=code)), 303
    action = request.form.get("action", "")
    try:
        n = decide_wave(
            db.session,
            wave_id,
            action,
            current_user,
            round_.questionnaire_version.sector,
            round_id=round_.id,
            ip=request.remote_addr,
        )
    except WaveDecisionError as exc:
        db.session.rollback()
        flash(t(f"anom_err_{exc.code}", lang))
        return redirect(url_for("dashboard.anomaly_panel", code=code)), 303
    flash(t(f"anom_done_{action}", lang, n=n))
    return redirect(url_for("dashboard.anomaly_panel", code=code)), 303
