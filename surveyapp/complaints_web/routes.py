"""Routes of the complaint pages: thin; they check a form, call one service function
(:mod:`surveyapp.complaints`) and render or redirect.

Residents (no account, JS-free): ``/complaints/new`` (the form; ``?provider=<id>``
preselects a registered provider, as a provider's page links it), the receipt code on
the page that answers the form, ``/complaints/status`` (code → state and deadlines,
nothing personal).  Bureaus (own sectors), evaluators and admins: ``/complaints/cases``
and a case page with its steps and handler; only the case's handler sees the
complainant's name and phone unmasked.  Public: ``/complaints/publicity`` (a month per
provider; explanations shown unless rejected) with its archived editions, and
``/complaints/warnings``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from surveyapp.accounts.access import roles_required
from surveyapp.attachments import EDITION_FORMATS, edition_attachment
from surveyapp.complaints import (
    ComplaintDraft,
    ComplaintSettings,
    IntakeError,
    TransitionError,
    case_deadlines,
    find_by_receipt,
    intake,
    open_case_counts,
    open_cases,
    publicity,
    transition,
)
from surveyapp.complaints.handling import (
    ExplanationRefused,
    add_explanation,
    assign_handler,
    calendar_missing,
    explain_own_line,
    explanations,
    list_editions,
    list_warnings,
    mask_name,
    mask_phone,
    own_explanation,
    publicity_files,
    publish_warning,
    store_publicity_edition,
)
from surveyapp.complaints.importer import _amount
from surveyapp.complaints.matching import (
    MatchError,
    match_provider,
    search_providers,
    suggest_providers,
    unmatched,
)
from surveyapp.complaints.publicity import month_period
from surveyapp.complaints.states import TRANSITIONS
from surveyapp.extensions import db
from surveyapp.i18n import t
from surveyapp.models import Provider, User
from surveyapp.models.base import utcnow
from surveyapp.models.complaint import Complaint, ComplaintExplanation, PublicityEdition
from surveyapp.moderation import ModerationError, decide, review
from surveyapp.providers.registry import provider_by_key
from surveyapp.publications import PublicationError
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import SECTORS, sector_name
from surveyapp.security import HONEYPOT_FIELD, honeypot_filled, rate_limited
from surveyapp.web import current_lang

from .forms import (
    AssignForm,
    ComplaintForm,
    DecideForm,
    ExplanationForm,
    MatchForm,
    OwnExplanationForm,
    PublishForm,
    StatusForm,
    StepForm,
    WarningForm,
    choices,
)

bp = Blueprint(
    "complaints_web",
    __name__,
    url_prefix="/complaints",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


bp.context_processor(lambda: {"honeypot": HONEYPOT_FIELD})

STAFF = ("admin", "evaluator", "bureau")
PUBLISHERS = ("admin", "evaluator")
SEARCH_LIMIT = 20
CASE_PAGE = 200  # the oldest cases listed of each deadline list; the totals count them all


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def _settings() -> ComplaintSettings:
    return ComplaintSettings.from_config(current_app.config)


def _sector_choices(lang: str) -> list[tuple[str, str]]:
    return [(s.code, s.name(lang)) for s in SECTORS]


# --- residents ---------------------------------------------------------------------


def _complaint_form(settings: ComplaintSettings, lang: str) -> ComplaintForm:
    form = ComplaintForm()
    form.sector.choices = choices([("", t("cmp_choose", lang)), *_sector_choices(lang)])
    form.category.choices = choices(
        [("", t("cmp_choose", lang)), *((c, c) for c in settings.categories)]
    )
    return form


def _providers_named(text: str) -> list[Provider]:
    text = text.strip()
    if not text:
        return []
    return list(
        db.session.scalars(
            select(Provider)
            .where(Provider.name.contains(text, autoescape=True))
            .order_by(Provider.name)
            .limit(SEARCH_LIMIT)
        )
    )


def _chosen_provider(form: ComplaintForm) -> Provider | None:
    value = form.provider_id.data or request.args.get("provider")
    if value and str(value).isdigit():
        return db.session.get(Provider, int(value))
    return None


def _form_problems(form: ComplaintForm, lang: str) -> tuple[dict[str, str], Decimal | None]:
    problems: dict[str, str] = {}
    for name, field in form._fields.items():
        if field.errors:
            problems[name] = (
                t("cmp_err_required", lang) if not field.data else t("cmp_err_long", lang)
            )
    amount = None
    if form.amount.data:
        try:
            amount = _amount(form.amount.data)
        except ValueError:
            problems["amount"] = t("cmp_err_amount", lang)
    if not form.provider_id.data and not (form.provider_name.data or "").strip():
        problems["provider_name"] = t("cmp_err_provider", lang)
    return problems, amount


def _render_form(form, lang, *, problems=None, matches=None, provider=None, status=200):
    return (
        render_template(
            "complaints_web/new.html",
            form=form,
            problems=problems or {},
            matches=matches or [],
            provider=provider,
            lang=lang,
        ),
        status,
    )


@bp.get("/new")
def new():
    lang = current_lang()
    form = _complaint_form(_settings(), lang)
    provider = _chosen_provider(form)
    if provider is not None:
        form.provider_id.data = str(provider.id)
        form.sector.data = (provider.sectors or [""])[0]
    return _render_form(form, lang, provider=provider)


@bp.post("/new")
@rate_limited("survey")
def new_post():
    lang = current_lang()
    settings = _settings()
    form = _complaint_form(settings, lang)
    if honeypot_filled(request.form, "complaints"):
        abort(400)
    if form.action.data == "search" or request.form.get("search"):
        # the JS-free provider search: the same form again with the matches to choose from
        form.validate()
        return _render_form(form, lang, matches=_providers_named(form.provider_q.data or ""))
    provider = _chosen_provider(form)
    valid = form.validate()
    problems, amount = _form_problems(form, lang)
    if not valid or problems:
        return _render_form(form, lang, problems=problems, provider=provider, status=400)
    draft = ComplaintDraft(
        received_at=utcnow(),
        channel="web",
        sector=form.sector.data,
        category=form.category.data,
        description=form.description.data,
        provider_id=provider.id if provider is not None else None,
        provider_name=None if provider is not None else form.provider_name.data.strip(),
        amount=amount,
        complainant_name=(form.complainant_name.data or "").strip() or None,
        complainant_phone=(form.complainant_phone.data or "").strip() or None,
    )
    try:
        stored = intake(db.session, [draft], "web", settings)
    except IntakeError as exc:
        problems = {p.field: t("cmp_err_field", lang) for p in exc.problems.get(0, [])}
        return _render_form(form, lang, problems=problems, provider=provider, status=400)
    item = stored[0]
    deadlines = case_deadlines(item.case, settings.calendar(), settings)
    return render_template(
        "complaints_web/receipt.html", receipt=item.receipt, deadlines=deadlines, lang=lang
    )


@bp.route("/status", methods=["GET", "POST"])
@rate_limited("survey")
def status():
    lang = current_lang()
    form = StatusForm()
    complaint, deadlines, missing = None, None, False
    if request.method == "POST":
        if not form.validate():
            return render_template("complaints_web/status.html", form=form, missing=True), 400
        settings = _settings()
        complaint = find_by_receipt(db.session, form.code.data)
        if complaint is None:
            missing = True
        else:
            deadlines = case_deadlines(complaint, settings.calendar(), settings)
    return render_template(
        "complaints_web/status.html",
        form=form,
        complaint=complaint,
        deadlines=deadlines,
        missing=missing,
        lang=lang,
    ), (404 if missing else 200)


# --- the bureau's handling pages ---------------------------------------------------


def _may_see(complaint: Complaint) -> bool:
    return current_user.may_see_sector(complaint.sector)


def _case_sectors() -> list[str] | None:
    """The sectors of the case list: the bureau's own (``None``: every sector), narrowed
    to ``?sector=`` (the dashboard links a sector's cases); a sector the account may not
    see is a 403."""
    wanted = request.args.get("sector", "").strip() or None
    if wanted is not None and not current_user.may_see_sector(wanted):
        abort(403)
    if wanted is not None:
        return [wanted]
    return list(current_user.sectors or []) if current_user.role == "bureau" else None


@bp.get("/cases")
@roles_required(*STAFF)
def cases():
    settings = _settings()
    calendar = settings.calendar()
    now = utcnow()
    sectors = _case_sectors()
    listed = {  # a page of each list (oldest first) and its counts: never the whole list
        due: (
            open_cases(db.session, now, calendar, settings, due, sectors=sectors, limit=CASE_PAGE),
            open_case_counts(db.session, now, calendar, settings, due, "handler", sectors=sectors),
        )
        for due in ("overdue", "soon")
    }
    (late, late_by), (soon, soon_by) = listed["overdue"], listed["soon"]
    query = select(Complaint).order_by(Complaint.received_at.desc(), Complaint.id.desc())
    if sectors is not None:
        query = query.where(Complaint.sector.in_(sectors))
    recent = list(db.session.scalars(query.limit(200)))
    handlers = {u.id: u.username for u in db.session.scalars(select(User))}
    per_handler: dict[str, list[int]] = {}
    for group, counted in ((0, late_by), (1, soon_by)):
        for handler_id, n in counted.items():
            name = handlers.get(handler_id if isinstance(handler_id, int) else 0, "")
            per_handler.setdefault(name, [0, 0])[group] += n
    today = china_today(now)
    return render_template(
        "complaints_web/cases.html",
        calendar_year=calendar_missing(calendar, today) if current_user.role == "admin" else None,
        late=late,
        soon=soon,
        late_total=sum(late_by.values()),
        soon_total=sum(soon_by.values()),
        recent=recent,
        sector=sector_name(sectors[0], current_lang())
        if sectors and "sector" in request.args
        else None,
        per_handler=sorted(per_handler.items()),
        handlers=handlers,
        deadlines={c.id: case_deadlines(c, calendar, settings) for c in [*late, *soon, *recent]},
        today=today,
    )


def _case_or_404(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    if not _may_see(complaint):
        abort(403)
    return complaint


def _handler_choices(complaint: Complaint) -> list[SelectChoice]:
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(STAFF)).order_by(User.username)
    )
    return choices((str(u.id), u.username) for u in users if u.may_see_sector(complaint.sector))


def _render_case(complaint: Complaint, *, error: str | None = None, status: int = 200):
    settings = _settings()
    step, assign = StepForm(), AssignForm()
    assign.handler.choices = _handler_choices(complaint)
    is_handler = complaint.handler_id is not None and complaint.handler_id == current_user.id
    handler = db.session.get(User, complaint.handler_id) if complaint.handler_id else None
    return (
        render_template(
            "complaints_web/case.html",
            c=complaint,
            deadlines=case_deadlines(complaint, settings.calendar(), settings),
            steps=TRANSITIONS.get(complaint.status, ()),
            step=step,
            assign=assign,
            handler=handler,
            is_handler=is_handler,
            name=complaint.complainant_name
            if is_handler
            else mask_name(complaint.complainant_name),
            phone=complaint.complainant_phone
            if is_handler
            else mask_phone(complaint.complainant_phone),
            error=error,
        ),
        status,
    )


@bp.get("/cases/<int:complaint_id>")
@roles_required(*STAFF)
def case(complaint_id: int):
    return _render_case(_case_or_404(complaint_id))


@bp.post("/cases/<int:complaint_id>/step")
@roles_required(*STAFF)
def step(complaint_id: int):
    complaint = _case_or_404(complaint_id)
    lang = current_lang()
    form = StepForm()
    if not form.validate():
        return _render_case(complaint, error=t("cmp_step_refused", lang), status=400)
    try:
        transition(
            db.session,
            complaint,
            form.to.data,
            current_user._get_current_object(),
            note=form.note.data or None,
            outcome=form.outcome.data or None,
        )
    except TransitionError:
        db.session.rollback()
        return _render_case(complaint, error=t("cmp_step_refused", lang), status=400)
    db.session.commit()
    return redirect(url_for(".case", complaint_id=complaint.id), 303)


@bp.post("/cases/<int:complaint_id>/assign")
@roles_required(*STAFF)
def assign(complaint_id: int):
    complaint = _case_or_404(complaint_id)
    form = AssignForm()
    form.handler.choices = _handler_choices(complaint)
    if not form.validate():
        return _render_case(complaint, error=t("cmp_assign_refused", current_lang()), status=400)
    handler = db.session.get(User, form.handler.data)
    if handler is None:
        abort(400)
    assign_handler(db.session, complaint, handler, current_user._get_current_object())
    db.session.commit()
    return redirect(url_for(".case", complaint_id=complaint.id), 303)


# --- publicity (公示) ----------------------------------------------------------------


def _last_month(today: date) -> str:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def _period_arg(value: str | None) -> str:
    try:
        return month_period(value or _last_month(china_today(utcnow())))[0]
    except ValueError:
        abort(404)


def _render_publicity(period: str, *, error: str | None = None, status: int = 200):
    pub = publicity(db.session, period, _settings())
    shown = explanations(db.session, period)
    staff = current_user.is_authenticated and current_user.role in STAFF
    return (
        render_template(
            "complaints_web/publicity.html",
            pub=pub,
            period=period,
            shown=shown,
            editions=list_editions(db.session, period),
            staff=staff,
            publisher=staff and current_user.role in PUBLISHERS,
            publish_form=PublishForm(period=period),
            explain_form=ExplanationForm(period=period),
            decide_form=DecideForm(),
            own_key=_own_provider_key(),
            error=error,
        ),
        status,
    )


def _own_provider_key() -> str | None:
    """The signed-in provider account's provider (its line gets a link to explain it)."""
    if not (current_user.is_authenticated and current_user.role == "provider"):
        return None
    provider = db.session.get(Provider, current_user.provider_id or 0)
    return provider.key if provider is not None else None


@bp.get("/publicity")
def publicity_page():
    return _render_publicity(_period_arg(request.args.get("period")))


@bp.post("/publicity/publish")
@roles_required(*PUBLISHERS)
def publish():
    lang = current_lang()
    form = PublishForm()
    period = None
    if form.validate():
        try:
            period = month_period(form.period.data)[0]
        except ValueError:
            period = None
    if period is None:
        return _render_publicity(_period_arg(None), error=t("cmp_bad_period", lang), status=400)
    replaces = int(form.replaces.data) if (form.replaces.data or "").isdigit() else None
    pdf, csv, inputs = publicity_files(
        db.session, period, _settings(), form.lang.data, china_today(utcnow())
    )
    try:
        store_publicity_edition(
            db.session,
            period=period,
            lang=form.lang.data,
            pdf=pdf,
            csv=csv,
            inputs=inputs,
            actor=current_user._get_current_object(),
            replaces=replaces,
        )
    except PublicationError:
        db.session.rollback()
        return _render_publicity(period, error=t("cmp_edition_refused", lang), status=409)
    db.session.commit()
    return redirect(url_for(".publicity_page", period=period), 303)


@bp.get("/publicity/editions/<int:edition>.<fmt>")
def edition_file(edition: int, fmt: str):
    if fmt not in EDITION_FORMATS:
        abort(404)
    row = db.session.scalar(select(PublicityEdition).where(PublicityEdition.edition == edition))
    if row is None:
        abort(404)
    return edition_attachment(row.pdf, row.csv, fmt, f"complaints-publicity-{row.period}-{edition}")


@bp.post("/publicity/explanations")
@roles_required(*STAFF)
def explain():
    lang = current_lang()
    form = ExplanationForm()
    period = _period_arg(form.period.data) if form.period.data else _period_arg(None)
    provider = None
    if form.validate():
        provider = db.session.scalar(
            select(Provider).where(
                (Provider.credit_code == form.credit_code.data.strip())
                | (Provider.registration_no == form.credit_code.data.strip())
            )
        )
    if provider is None or not any(current_user.may_see_sector(s) for s in provider.sectors or []):
        return _render_publicity(period, error=t("cmp_explanation_refused", lang), status=400)
    add_explanation(
        db.session, provider, period, form.text.data, current_user._get_current_object()
    )
    db.session.commit()
    return redirect(url_for(".publicity_page", period=period), 303)


@bp.post("/publicity/explanations/<int:explanation_id>/decide")
@roles_required(*PUBLISHERS)
def decide_explanation(explanation_id: int):
    row = db.session.get(ComplaintExplanation, explanation_id)
    if row is None:
        abort(404)
    form = DecideForm()
    if not form.validate():
        return _render_publicity(
            row.period, error=t("cmp_decision_refused", current_lang()), status=400
        )
    entries = review(db.session, "explanation", {row.text: 1})
    try:
        decide(
            db.session,
            "explanation",
            entries,
            form.decision.data,
            actor=current_user._get_current_object(),
            reason=form.reason.data,
            scope=f"complaint_publicity:{row.period}",
        )
    except ModerationError:
        db.session.rollback()
        return _render_publicity(
            row.period, error=t("cmp_decision_refused", current_lang()), status=400
        )
    db.session.commit()
    return redirect(url_for(".publicity_page", period=row.period), 303)


# --- consumer warnings (消费警示) ----------------------------------------------------


def _warning_form(lang: str) -> WarningForm:
    form = WarningForm()
    form.sector.choices = choices([("", ""), *_sector_choices(lang)])
    form.category.choices = choices([("", ""), *((c, c) for c in _settings().categories)])
    return form


def _render_warnings(form: WarningForm, *, error: str | None = None, status: int = 200):
    staff = current_user.is_authenticated and current_user.role in STAFF
    return (
        render_template(
            "complaints_web/warnings.html",
            warnings=list_warnings(db.session),
            form=form,
            staff=staff,
            error=error,
        ),
        status,
    )


@bp.get("/warnings")
def warnings():
    return _render_warnings(_warning_form(current_lang()))


@bp.post("/warnings")
@roles_required(*STAFF)
def warn():
    lang = current_lang()
    form = _warning_form(lang)
    if not form.validate():
        return _render_warnings(form, error=t("cmp_warning_refused", lang), status=400)
    provider = None
    if form.scope.data == "provider":
        code = (form.credit_code.data or "").strip()
        provider = db.session.scalar(
            select(Provider).where(
                (Provider.credit_code == code) | (Provider.registration_no == code)
            )
        )
    try:
        publish_warning(
            db.session,
            scope=form.scope.data,
            title=form.title.data,
            body=form.body.data,
            actor=current_user._get_current_object(),
            provider=provider,
            sector=form.sector.data or None,
            category=form.category.data or None,
        )
    except ValueError:
        db.session.rollback()
        return _render_warnings(form, error=t("cmp_warning_refused", lang), status=400)
    db.session.commit()
    return redirect(url_for(".warnings"), 303)


# --- a provider explains its own line (经营者说明) ----------------------------------


def _own_provider_or_abort(key: str) -> Provider:
    """The provider of ``key`` when it is the signed-in provider account's own: another
    provider's line is a 403, a key of no provider a 404."""
    provider = provider_by_key(db.session, key)
    if provider is None:
        abort(404)
    if current_user.provider_id != provider.id:
        abort(403)
    return provider


def _render_own(provider: Provider, period: str, form, *, error=None, status: int = 200):
    pub = publicity(db.session, period, _settings(), provider_id=provider.id)
    return (
        render_template(
            "complaints_web/explain_own.html",
            provider=provider,
            period=period,
            line=pub.lines[0] if pub.lines else None,
            categories=pub.categories,
            current=own_explanation(db.session, provider, period),
            form=form,
            error=error,
        ),
        status,
    )


@bp.get("/publicity/providers/<key>/explanation")
@roles_required("provider")
def own_explanation_page(key: str):
    """The provider's own line of a month and its explanation, with a form to give one."""
    provider = _own_provider_or_abort(key)
    period = _period_arg(request.args.get("period"))
    return _render_own(provider, period, OwnExplanationForm(period=period))


@bp.post("/publicity/providers/<key>/explanation")
@roles_required("provider")
def explain_own(key: str):
    """Store the provider's explanation (audited); shown on the web under the
    publication rule, printed in an edition once staff approve it."""
    provider = _own_provider_or_abort(key)
    lang = current_lang()
    form = OwnExplanationForm()
    try:
        period = month_period(form.period.data or "")[0]
    except ValueError:
        period = _period_arg(None)
        return _render_own(provider, period, form, error=t("cmp_bad_period", lang), status=400)
    if not form.validate():
        error = t("cmp_own_explanation_empty", lang)
        return _render_own(provider, period, form, error=error, status=400)
    try:
        explain_own_line(db.session, current_user._get_current_object(), provider, period,
                         form.text.data, _settings())  # fmt: skip
    except ExplanationRefused:
        db.session.rollback()
        error = t("cmp_own_explanation_no_line", lang)
        return _render_own(provider, period, form, error=error, status=400)
    except ValueError:
        db.session.rollback()
        error = t("cmp_own_explanation_empty", lang)
        return _render_own(provider, period, form, error=error, status=400)
    db.session.commit()
    return redirect(url_for(".own_explanation_page", key=provider.key, period=period), 303)


# --- staff match free-text complaints to the registry ------------------------------


@bp.get("/unmatched")
@roles_required(*STAFF)
def unmatched_list():
    """Complaints naming their provider by free text only (of the bureau's sectors)."""
    sectors = list(current_user.sectors or []) if current_user.role == "bureau" else None
    rows, total = unmatched(db.session, sectors)
    return render_template("complaints_web/unmatched.html", rows=rows, total=total)


def _render_match(complaint: Complaint, *, error: str | None = None, status: int = 200):
    q = (request.args.get("q") or "").strip()[:100]
    return (
        render_template(
            "complaints_web/match.html",
            c=complaint,
            q=q,
            suggestions=[
                (x.provider, x.score)
                for x in suggest_providers(
                    db.session, complaint.provider_name or "", complaint.sector
                )
            ],
            found=[(p, None) for p in search_providers(db.session, q)] if q else [],
            form=MatchForm(),
            error=error,
        ),
        status,
    )


@bp.get("/cases/<int:complaint_id>/match")
@roles_required(*STAFF)
def match_page(complaint_id: int):
    """Suggestions for a free-text complaint, and a search by name or code (``?q=``)."""
    return _render_match(_case_or_404(complaint_id))


@bp.post("/cases/<int:complaint_id>/match")
@roles_required(*STAFF)
def match(complaint_id: int):
    """Point the complaint at the chosen provider (history and audit: match_provider)."""
    complaint = _case_or_404(complaint_id)
    lang = current_lang()
    form = MatchForm()
    value = form.provider_id.data or ""
    provider = db.session.get(Provider, int(value)) if form.validate() and value.isdigit() else None
    if provider is None or provider.merged_into_id is not None:
        return _render_match(complaint, error=t("cmp_match_choose", lang), status=400)
    try:
        match_provider(db.session, complaint, provider, current_user._get_current_object())
    except MatchError:
        db.session.rollback()
        return _render_match(complaint, error=t("cmp_match_already", lang), status=409)
    db.session.commit()
    return redirect(url_for(".case", complaint_id=complaint.id), 303)
