"""Public provider pages: the directory and a provider's page; hide and reply forms.

Pages read the stored scores (:mod:`surveyapp.providers.published`), never estimate per
request; a stale table is refreshed in the background by the app's keeper
(:func:`~surveyapp.providers.published.current_state`, shared with the board and the API).  Both pages carry an ETag (of the
page) and answer ``If-None-Match`` with 304; anonymous pages may be cached publicly for
a minute, signed-in ones (they hold forms) only privately.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.accounts.access import roles_required
from surveyapp.complaints.provider_figures import provider_figures
from surveyapp.extensions import db
from surveyapp.i18n import t
from surveyapp.models import Provider
from surveyapp.models.provider_page import PublishedScore, PublishedScoreState
from surveyapp.providers.comments import (
    CommentError,
    Refusal,
    ShownComment,
    hide_comment,
    recent_comments,
    reply_to_comment,
)
from surveyapp.providers.published import (
    current_state,
    directory_districts,
    directory_page,
    item_scores,
    published_scores,
)
from surveyapp.providers.registry import provider_by_key
from surveyapp.providers.scores import score_window
from surveyapp.ratings.forms import item_label
from surveyapp.sectors import SECTORS, sector_name, sector_sort_key
from surveyapp.web import current_lang

from .forms import HideForm, ReplyForm

bp = Blueprint("directory", __name__, template_folder="templates")

PER_PAGE = 20
#: How long a shared cache may keep an anonymous page, in seconds.
PUBLIC_MAX_AGE = 60
_REFUSAL_STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "already_hidden": 409,
    "already_replied": 409,
    "empty": 400,
    "long": 400,
}


def _state() -> PublishedScoreState:
    """The stored scores' state (the app's keeper refreshes them when due)."""
    return current_state(db.session, current_app._get_current_object())  # type: ignore[attr-defined]


def _cacheable(html: str, status: int = 200) -> WerkzeugResponse:
    """The page with an ETag, answered 304 when the browser holds it already."""
    response = make_response(html, status)
    if status != 200:
        return response
    response.add_etag()
    if current_user.is_authenticated:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    response.vary.add("Cookie")  # the language and the signed-in forms come from cookies
    return response.make_conditional(request)


@bp.get("/providers")
def index():
    """Browse by sector and district, search by name, sort by score or number of ratings."""
    state = _state()
    sector = request.args.get("sector") or None
    if sector is not None and sector not in {s.code for s in SECTORS}:
        sector = None
    district = request.args.get("district") or None
    name = (request.args.get("q") or "").strip()[:100] or None
    sort = "n" if request.args.get("sort") == "n" else "score"
    page_no = request.args.get("page", 1, type=int) or 1
    found = directory_page(
        db.session,
        sector=sector,
        district=district,
        name=name,
        sort=sort,
        page=page_no,
        per_page=PER_PAGE,
    )
    lang = current_lang()
    html = render_template(
        "directory/index.html",
        found=found,
        state=state,
        sectors=[(s.code, s.name(lang)) for s in SECTORS],
        districts=directory_districts(db.session),
        chosen={"sector": sector, "district": district, "q": name, "sort": sort},
        sector_name=lambda code: sector_name(code, lang),
        page_url=lambda n: url_for(
            "directory.index", sector=sector, district=district, q=name, sort=sort, page=n
        ),
    )
    return _cacheable(html)


@dataclass(frozen=True)
class Bar:
    """One bar of the distribution chart: ``stars``, ``count`` and its width (0-100)."""

    stars: int
    count: int
    width: float


def bars(score: PublishedScore) -> list[Bar]:
    """The overall stars' distribution, 5 stars first, widths relative to the largest."""
    counts = list(score.distribution or [0] * 5)
    top = max(counts) or 1
    return [Bar(s, counts[s - 1], round(100 * counts[s - 1] / top, 1)) for s in range(5, 0, -1)]


def _provider_or_404(key: str) -> Provider:
    provider = provider_by_key(db.session, key)
    if provider is None:
        abort(404)
    return provider


def _may_hide(comment: ShownComment) -> bool:
    user = current_user
    return bool(
        user.is_authenticated and user.role == "bureau" and user.may_see_sector(comment.sector)
    )


def _may_reply(provider: Provider, comment: ShownComment) -> bool:
    user = current_user
    return bool(
        user.is_authenticated
        and user.role == "provider"
        and user.provider_id == provider.id
        and comment.reply is None
    )


def _render_provider(provider: Provider, status: int = 200, error: str | None = None):
    state = _state()
    lang = current_lang()
    scores = sorted(
        published_scores(db.session, provider.id), key=lambda s: sector_sort_key(s.sector)
    )
    since = score_window(state.as_of, state.months).start
    comments, hidden = recent_comments(db.session, provider.id, since)
    has_form = "complaints_web.new" in current_app.view_functions
    html = render_template(
        "directory/provider.html",
        provider=provider,
        state=state,
        scores=scores,
        items=item_scores(db.session, provider.id),
        item_text=lambda sector, item: item_label(sector, item, lang),
        figures=provider_figures(db.session, provider.key),
        complaint_url=url_for("complaints_web.new", provider=provider.id) if has_form else None,
        bars=bars,
        comments=comments,
        hidden=hidden,
        may_hide=_may_hide,
        may_reply=lambda c: _may_reply(provider, c),
        error=error,
        sector_name=lambda code: sector_name(code, lang),
    )
    return _cacheable(html, status)


@bp.get("/providers/<key>")
def provider(key: str):
    """A provider's scores per sector, its distribution, recent comments and replies."""
    return _render_provider(_provider_or_404(key))


def _refused(provider: Provider, exc: CommentError):
    db.session.rollback()
    message = t(f"prov_error_{exc.code}", current_lang())
    return _render_provider(provider, _REFUSAL_STATUS[exc.code], message)


def _back(provider: Provider, rating_id: int):
    url = url_for("directory.provider", key=provider.key) + f"#c{rating_id}"
    return redirect(url, 303)


def _comment_step(key: str, rating_id: int, step, value: str | None, race: Refusal):
    """Run one comment step of the service, commit, and go back to the comment; a refusal
    is the provider page with its message (``race``: the code when the same step won a
    race with another request, caught by the database's unique key)."""
    provider = _provider_or_404(key)
    try:
        step(db.session, provider.id, rating_id, value, actor=current_user, ip=request.remote_addr)
        db.session.commit()
    except CommentError as exc:
        return _refused(provider, exc)
    except IntegrityError:
        return _refused(provider, CommentError(race, race.replace("_", " ")))
    return _back(provider, rating_id)


@bp.post("/providers/<key>/comments/<int:rating_id>/hide")
@roles_required("bureau")
def hide(key: str, rating_id: int):
    """A sector bureau hides a comment of its sectors, with a reason (audited)."""
    form = HideForm()  # CSRF is checked app-wide; the service checks the reason
    return _comment_step(key, rating_id, hide_comment, form.reason.data, "already_hidden")


@bp.post("/providers/<key>/comments/<int:rating_id>/reply")
@roles_required("provider")
def reply(key: str, rating_id: int):
    """The provider's own account replies to a comment, once."""
    form = ReplyForm()  # CSRF is checked app-wide; the service checks the text
    return _comment_step(key, rating_id, reply_to_comment, form.text.data, "already_replied")
