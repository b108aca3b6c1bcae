"""``/dashboard/providers/<sector>``: a sector's providers for its bureau, lowest first.

Per provider: the posterior share of satisfied ratings (4–5 stars) with its 95%
interval, the number of ratings n, the posterior mean stars beside it, and the change
of the posterior share since the last period (the same window ending one quarter — three
months — earlier); ranked by :func:`analysis.provider_scores.lowest_first` (never a raw
mean).  Providers below the minimum number of ratings follow, with n and no score.
Filterable by district; the same table as CSV (UTF-8 with a BOM) and XLSX.

The numbers are the stored ones (:mod:`surveyapp.providers.published`: the same rows as
the public pages and the scores API, now and for the last period, kept up to date in the
background by the app's keeper, never estimated per view).  Who: every dashboard role;
a bureau only its own sectors.

Ratings held for review (a source's burst, :mod:`surveyapp.ratings.review`) are listed
on ``/dashboard/providers/<sector>/held``: a bureau of the sector or an admin releases
or rejects a whole wave (CSRF, audited); the stored scores then recount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp.accounts.access import roles_required, visible_sector, visible_sectors
from surveyapp.dashboard.routes import ROLES, bp, csv_attachment, xlsx_attachment
from surveyapp.extensions import db
from surveyapp.forms import EmptyForm
from surveyapp.i18n import N_, t
from surveyapp.providers.published import (
    BoardRow,
    board_rows,
    current_state,
    mark_stale,
    rating_stored,
)
from surveyapp.ratings.review import decide_rating_wave, held_waves
from surveyapp.review.holds import WaveDecisionError
from surveyapp.sectors import sector_name
from surveyapp.web import current_lang, district_arg

#: The export's columns: (key, catalog id of the header)
COLUMNS = (
    ("rank", N_("padm_col_rank")),
    ("id", N_("padm_col_id")),
    ("name", N_("padm_col_name")),
    ("district", N_("padm_col_district")),
    ("n", N_("padm_col_n")),
    ("share", N_("padm_col_share")),
    ("low", N_("padm_col_low")),
    ("high", N_("padm_col_high")),
    ("stars", N_("padm_col_stars")),
    ("change", N_("padm_col_change")),
    ("published", N_("padm_col_published")),
)


#: Message ids the held-ratings page builds from a code (listed for extraction)
REVIEW_TEXTS = (
    N_("rate_review_unknown_action"),
    N_("rate_review_unknown_wave"),
    N_("rate_review_forbidden"),
    N_("rate_review_already_decided"),
    N_("rate_review_done_release"),
    N_("rate_review_done_reject"),
)


@dataclass(frozen=True)
class ProviderBoard:
    sector: str
    as_of: date
    previous: date | None
    min_n: int
    computed_at: datetime
    rows: tuple[BoardRow, ...]
    ranks: dict[int, int]  # provider id -> position among the published, lowest first
    districts: tuple[str, ...]
    district: str | None
    held: int  # ratings of the sector held for review


def build_board(code: str, district: str | None) -> ProviderBoard:
    """The sector's providers now and a period ago from the stored scores, lowest first,
    in ``district``."""
    state = current_state(db.session, current_app._get_current_object())  # type: ignore[attr-defined]
    everyone = board_rows(db.session, code)
    ranks = {
        row.provider.id: i + 1 for i, row in enumerate(r for r in everyone if r.score.published)
    }
    districts = tuple(sorted({r.provider.district for r in everyone}))
    rows = tuple(r for r in everyone if not district or r.provider.district == district)
    held = sum(w.ratings for w in held_waves(db.session, code))
    return ProviderBoard(code, state.as_of, state.past_as_of, state.min_n, state.computed_at,
                         rows, ranks, districts, district, held)  # fmt: skip


@bp.get("/dashboard/providers")
@roles_required(*ROLES)
def provider_sectors():
    """The sectors the account may see, each a link to its providers."""
    return render_template("dashboard/provider_sectors.html", sectors=visible_sectors())


@bp.get("/dashboard/providers/<sector_code>")
@roles_required(*ROLES)
def provider_board(sector_code: str):
    code = visible_sector(sector_code)
    board = build_board(code, district_arg())
    args: dict[str, Any] = {"district": board.district} if board.district else {}
    return render_template(
        "dashboard/providers.html",
        board=board,
        held_url=url_for("dashboard.provider_held", sector_code=code),
        title=sector_name(code, current_lang()),
        csv_url=url_for("dashboard.provider_board_csv", sector_code=code, **args),
        xlsx_url=url_for("dashboard.provider_board_xlsx", sector_code=code, **args),
    )


def _cells(board: ProviderBoard) -> tuple[list[str], list[list[object]]]:
    """The export's header (page language) and rows (shares as fractions, 4 decimals)."""
    lang = current_lang()
    header = [t(text, lang) for _, text in COLUMNS]
    rows: list[list[object]] = []
    for row in board.rows:
        p = row.score
        shown = p.published

        def fraction(value: float | None, digits: int = 4, shown: bool = shown) -> float | None:
            return round(value, digits) if shown and value is not None else None

        values = {
            "rank": board.ranks.get(row.provider.id),
            "id": row.provider.key,
            "name": row.provider.name,
            "district": row.provider.district,
            "n": p.n,
            "share": fraction(p.posterior_share),
            "low": fraction(p.share_low),
            "high": fraction(p.share_high),
            "stars": fraction(p.posterior_stars, 3),
            "change": round(row.change, 4) if row.change is not None else None,
            "published": t("dash_yes", lang) if shown else t("dash_no", lang),
        }
        rows.append([values[key] for key, _ in COLUMNS])
    return header, rows


def _filename(board: ProviderBoard, ext: str) -> str:
    parts = ["providers", board.sector, board.as_of.isoformat(), board.district]
    return "-".join(p for p in parts if p) + f".{ext}"


@bp.get("/dashboard/providers/<sector_code>/providers.csv")
@roles_required(*ROLES)
def provider_board_csv(sector_code: str):
    board = build_board(visible_sector(sector_code), district_arg())
    header, rows = _cells(board)
    return csv_attachment(header, rows, _filename(board, "csv"))


@bp.get("/dashboard/providers/<sector_code>/providers.xlsx")
@roles_required(*ROLES)
def provider_board_xlsx(sector_code: str):
    board = build_board(visible_sector(sector_code), district_arg())
    header, rows = _cells(board)
    return xlsx_attachment(header, rows, board.sector, _filename(board, "xlsx"))


@bp.get("/dashboard/providers/<sector_code>/held")
@roles_required("admin", "bureau")
def provider_held(sector_code: str):
    """The sector's waves of ratings held for review, each with release and reject."""
    return _held_page(visible_sector(sector_code))


def _held_page(code: str, error: str | None = None, status: int = 200):
    return render_template(
        "dashboard/provider_held.html",
        sector_code=code,
        title=sector_name(code, current_lang()),
        waves=held_waves(db.session, code),
        form=EmptyForm(),
        error=error,
    ), status


@bp.post("/dashboard/providers/<sector_code>/held/<int:wave_id>")
@roles_required("admin", "bureau")
def provider_held_decide(sector_code: str, wave_id: int):
    """Release or reject a whole wave (``action`` = release | reject), audited."""
    code = visible_sector(sector_code)
    lang = current_lang()
    if not EmptyForm().validate_on_submit():
        return _held_page(code, t("csrf", lang), 400)
    action = request.form.get("action", "")
    try:
        n = decide_rating_wave(db.session, wave_id, action, current_user, sector=code,
                               ip=request.remote_addr)  # fmt: skip
        mark_stale(db.session)
        db.session.commit()
    except WaveDecisionError as exc:
        db.session.rollback()
        status = {"unknown_wave": 404, "forbidden": 403, "already_decided": 409}.get(exc.code, 400)
        return _held_page(code, t(f"rate_review_{exc.code}", lang), status)
    rating_stored(db.session, current_app._get_current_object())  # type: ignore[attr-defined]
    flash(t(f"rate_review_done_{action}", lang, n=n))
    return redirect(url_for("dashboard.provider_held", sector_code=code), 303)
