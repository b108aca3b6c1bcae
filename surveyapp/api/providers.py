"""``GET /api/v1/providers`` and ``GET /api/v1/providers/<id>/scores``.

Both are readable without a token: the list gives the open providers' public fields,
the scores a provider's published scores (only from the minimum number of ratings, as
on the public pages).  With a valid token (``Authorization: Bearer``) the list also
gives closed and merged providers, and the scores add the staff fields (satisfied
count, raw share and stars, the sector's prior, the scores below the minimum) for the
sectors the token's account may see.  A token that is sent must be valid: a wrong one is
a 401, never silently public.

Without a token the scores are the stored ones (:mod:`surveyapp.providers.published`:
no estimation per request, refreshed in the background after each stored rating and
when due on any read), the same numbers as ``/providers/<id>``, with the published
scores per item; for a token they are computed by
:func:`surveyapp.providers.scores.compute_scores` over the rolling window ending today
(China time).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, jsonify, request, url_for
from sqlalchemy import func, select

from analysis.provider_scores import ProviderScore, SectorScores
from surveyapp.api.bearer import BadParameter, token_required
from surveyapp.api.read import _int_param
from surveyapp.api.routes import bp
from surveyapp.extensions import db
from surveyapp.json_errors import error_response
from surveyapp.models import Provider, ProviderSector, User
from surveyapp.models.base import utcnow
from surveyapp.models.provider_page import PublishedItemScore, PublishedScore
from surveyapp.providers.export import provider_fields
from surveyapp.providers.published import current_state, item_scores, published_scores
from surveyapp.providers.registry import provider_by_key
from surveyapp.providers.scores import ScoreWindow, compute_scores, score_window
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import SECTORS, sector_sort_key
from surveyapp.security import rate_limited

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 100_000


def token_optional(view: Callable) -> Callable:
    """Run ``view`` as the token's owner when an ``Authorization`` header is sent (checked
    as :func:`token_required` checks it), else anonymously (:func:`_owner` is ``None``)."""
    guarded = token_required(view)

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.headers.get("Authorization", "").strip():
            return guarded(*args, **kwargs)
        g.api_user = None
        return view(*args, **kwargs)

    return wrapped


def _owner() -> User | None:
    return g.get("api_user")


def _sector_param() -> str | None:
    raw = request.args.get("sector", "").strip()
    if not raw:
        return None
    if raw not in {s.code for s in SECTORS}:
        raise BadParameter("sector", "param_choice", choices=", ".join(s.code for s in SECTORS))
    return raw


def _provider_json(p: Provider, staff: bool) -> dict[str, Any]:
    """The provider's fields (the dates and what it was merged into for a token only)."""
    out = provider_fields(p)
    out["scores"] = url_for(".provider_scores", code=p.key)
    if staff:
        merged = db.session.get(Provider, p.merged_into_id) if p.merged_into_id else None
        out["merged_into"] = merged.key if merged else None
    else:
        del out["opened_on"], out["closed_on"]
    return out


@bp.get("/providers")
@rate_limited("api")
@token_optional
def list_providers():
    """Providers by district, name and id; ``sector``, ``district``, ``page``, ``per_page``."""
    sector = _sector_param()
    district = request.args.get("district", "").strip()[:64] or None
    page = _int_param("page", 1, 1, MAX_PAGE)
    per_page = _int_param("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    staff = _owner() is not None
    query = select(Provider)
    if not staff:
        query = query.where(Provider.status == "open", Provider.merged_into_id.is_(None))
    if sector is not None:
        members = select(ProviderSector.provider_id).where(ProviderSector.sector == sector)
        query = query.where(Provider.id.in_(members))
    if district is not None:
        query = query.where(Provider.district == district)
    total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.session.scalars(
        query.order_by(Provider.district, Provider.name, Provider.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    args = {k: v for k, v in (("sector", sector), ("district", district)) if v}
    more = page * per_page < total
    next_url = (
        url_for(".list_providers", page=page + 1, per_page=per_page, **args) if more else None
    )
    response = jsonify(
        providers=[_provider_json(p, staff) for p in rows],
        total=total,
        page=page,
        per_page=per_page,
        next=next_url,
    )
    if next_url is not None:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def _public_score(p: ProviderScore) -> dict[str, Any]:
    shown = p.published
    return {
        "n": p.n,
        "published": shown,
        "posterior_share": p.posterior_share if shown else None,
        "ci": list(p.ci) if shown and p.ci else None,
        "posterior_stars": p.posterior_stars if shown else None,
        "stars_ci": list(p.stars_ci) if shown and p.stars_ci else None,
    }


def _staff_score(sec: SectorScores, p: ProviderScore) -> dict[str, Any]:
    prior = sec.prior
    return {
        "n": p.n,
        "published": p.published,
        "satisfied": p.satisfied,
        "raw_share": p.raw_share,
        "posterior_share": p.posterior_share,
        "ci": list(p.ci) if p.ci else None,
        "raw_stars": p.raw_stars,
        "posterior_stars": p.posterior_stars,
        "stars_ci": list(p.stars_ci) if p.stars_ci else None,
        "prior": None
        if prior is None
        else {
            "alpha": prior.alpha,
            "beta": prior.beta,
            "method": prior.method,
            "scope": prior.scope,
        },  # fmt: skip
    }


def _stored(provider: Provider) -> tuple[ScoreWindow, list[dict[str, Any]]]:
    """The public scores kept up to date for every reader (``provider_score``, refreshed
    by the app's keeper when due — this read starts it too — and after every stored
    rating), with each sector's published item scores."""
    state = current_state(db.session, current_app._get_current_object())  # type: ignore[attr-defined]
    rows = sorted(
        published_scores(db.session, provider.id), key=lambda r: sector_sort_key(r.sector)
    )
    items = item_scores(db.session, provider.id)
    sectors = []
    for r in rows:
        sectors.append({
            "sector": r.sector, "min_n": state.min_n, "staff": False, **_shown(r),
            "items": [{"item": i.item, **_shown(i)} for i in items.get(r.sector, [])],
        })  # fmt: skip
    return score_window(state.as_of, state.months), sectors


def _shown(r: PublishedScore | PublishedItemScore) -> dict[str, Any]:
    """A stored score's public fields: the numbers only when published (n >= min_n)."""
    shown = r.published
    return {
        "n": r.n, "published": shown,
        "posterior_share": r.posterior_share if shown else None,
        "ci": [r.share_low, r.share_high] if shown and r.share_low is not None else None,
        "posterior_stars": r.posterior_stars if shown else None,
        "stars_ci": [r.stars_low, r.stars_high] if shown and r.stars_low is not None else None,
    }  # fmt: skip


@bp.get("/providers/<code>/scores")
@rate_limited("api")
@token_optional
def provider_scores(code: str):
    """A provider's scores per sector over the rolling window (``code``: its credit code,
    else its registration number): without a token the stored public scores, when there
    are any (no estimation per request); with one, computed now."""
    provider = provider_by_key(db.session, code)
    if provider is None:
        return error_response(404, "padm_api_no_provider", provider=code)
    owner = _owner()
    if owner is None:
        window, sectors = _stored(provider)
    else:
        months = int(current_app.config["PROVIDER_SCORE_WINDOW_MONTHS"])
        min_n = int(current_app.config["PROVIDER_MIN_RATINGS"])
        window = score_window(china_today(utcnow()), months)
        result = compute_scores(db.session, window, min_n)
        sectors = []
        for sec in result.sectors:
            mine = next((p for p in sec.providers if p.id == provider.key), None)
            if mine is None:
                continue
            staff = owner is not None and owner.may_see_sector(sec.sector)
            body = _staff_score(sec, mine) if staff else _public_score(mine)
            sectors.append({"sector": sec.sector, "min_n": sec.min_n, "staff": staff, **body})
    return jsonify(
        id=provider.key,
        name=provider.name,
        district=provider.district,
        window={"first": window.first.isoformat(), "last": window.last.isoformat()},
        sectors=sectors,
    )
