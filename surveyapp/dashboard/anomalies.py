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
from surveyapp.i18n import t
from surveyapp.indices import indices_state
from surveyapp.models import QuestionnaireVersion, Response, Round
from surveyapp.models.review import HELD
from surveyapp.review import WaveDecisionError, decide_wave
from surveyapp.sectors import sector_name
from surveyapp.web import current_lang

VIEWERS = ("admin", "evaluator", "bureau")
DECIDERS = ("admin", "bureau")


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
