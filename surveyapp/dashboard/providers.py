"""``/dashboard/providers/<sector>``: a sector's providers for its bureau, lowest first.

Per provider: the posterior share of satisfied ratings (4–5 stars) with its 95%
interval, the number of ratings n, the posterior mean stars beside it, and the change
of the posterior share since the last period (the same window ending one quarter — three
months — earlier); ranked by :func:`analysis.provider_scores.lowest_first` (never a raw
mean).  Providers below the minimum number of ratings follow, with n and no score.
Filterable by district; the same table as CSV (UTF-8 with a BOM) and XLSX.

The numbers come from :func:`surveyapp.providers.scores.compute_scores` (the ratings of
the rolling window counted in SQL, estimated by :mod:`analysis.provider_scores`), for
now and for the last period: the stored scores the public pages keep up to date hold
only the current window.  Who: every dashboard role; a bureau only its own sectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from analysis.provider_scores import ProviderScore, SectorScores, lowest_first
from surveyapp.accounts.access import roles_required
from surveyapp.dashboard.routes import ROLES, bp, csv_attachment, xlsx_attachment
from surveyapp.extensions import db
from surveyapp.i18n import N_, t
from surveyapp.models.base import utcnow
from surveyapp.providers.scores import compute_scores, months_before, score_window
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import SECTORS, sector, sector_name
from surveyapp.web import current_lang

#: Months between "now" and "the last period" of the change column (one quarter)
PERIOD_MONTHS = 3
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


@dataclass(frozen=True)
class BoardRow:
    rank: int | None  # None: below the minimum number of ratings
    id: str
    name: str
    district: str
    score: ProviderScore
    change: float | None  # posterior share now minus the last period's (both published)


@dataclass(frozen=True)
class ProviderBoard:
    sector: str
    as_of: date
    previous: date
    min_n: int
    rows: tuple[BoardRow, ...]
    districts: tuple[str, ...]
    district: str | None


def _sector_scores(sectors: tuple[SectorScores, ...], code: str) -> SectorScores | None:
    return next((s for s in sectors if s.sector == code), None)


def build_board(code: str, district: str | None) -> ProviderBoard:
    """The sector's providers now and a period ago, lowest first, in ``district``."""
    months = int(current_app.config["PROVIDER_SCORE_WINDOW_MONTHS"])
    as_of = china_today(utcnow())
    previous = months_before(as_of, PERIOD_MONTHS)
    min_n = int(current_app.config["PROVIDER_MIN_RATINGS"])
    now = compute_scores(db.session, score_window(as_of, months), min_n)
    before = compute_scores(db.session, score_window(previous, months), min_n)
    current = _sector_scores(now.sectors, code)
    earlier = _sector_scores(before.sectors, code)
    past = {p.id: p for p in (earlier.providers if earlier else ())}
    scores = current.providers if current else ()
    ranked = lowest_first(current) if current else ()
    ranked_ids = {p.id for p in ranked}
    rest = sorted((p for p in scores if p.id not in ranked_ids), key=lambda p: (-p.n, p.id))
    districts = sorted({now.labels[p.id].district for p in scores})
    rows: list[BoardRow] = []
    for i, p in enumerate((*ranked, *rest)):
        label = now.labels[p.id]
        if district and label.district != district:
            continue
        old = past.get(p.id)
        change = None
        if p.published and old is not None and old.published and p.posterior_share is not None \
                and old.posterior_share is not None:  # fmt: skip
            change = p.posterior_share - old.posterior_share
        rank = i + 1 if p.id in ranked_ids else None
        rows.append(BoardRow(rank, p.id, label.name, label.district, p, change))
    return ProviderBoard(code, as_of, previous, min_n, tuple(rows), tuple(districts), district)


def _visible_sector(code: str) -> str:
    if sector(code) is None:
        abort(404)
    if not current_user.may_see_sector(code):
        abort(403)
    return code


def _district_arg() -> str | None:
    return request.args.get("district", "").strip()[:64] or None


@bp.get("/dashboard/providers")
@roles_required(*ROLES)
def provider_sectors():
    """The sectors the account may see, each a link to its providers."""
    shown = [s for s in SECTORS if current_user.may_see_sector(s.code)]
    return render_template("dashboard/provider_sectors.html", sectors=shown)


@bp.get("/dashboard/providers/<sector_code>")
@roles_required(*ROLES)
def provider_board(sector_code: str):
    code = _visible_sector(sector_code)
    board = build_board(code, _district_arg())
    args: dict[str, Any] = {"district": board.district} if board.district else {}
    return render_template(
        "dashboard/providers.html",
        board=board,
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
        values = {
            "rank": row.rank,
            "id": row.id,
            "name": row.name,
            "district": row.district,
            "n": p.n,
            "share": round(p.posterior_share, 4)
            if shown and p.posterior_share is not None
            else None,
            "low": round(p.ci[0], 4) if shown and p.ci else None,
            "high": round(p.ci[1], 4) if shown and p.ci else None,
            "stars": round(p.posterior_stars, 3)
            if shown and p.posterior_stars is not None
            else None,
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
    board = build_board(_visible_sector(sector_code), _district_arg())
    header, rows = _cells(board)
    return csv_attachment(header, rows, _filename(board, "csv"))


@bp.get("/dashboard/providers/<sector_code>/providers.xlsx")
@roles_required(*ROLES)
def provider_board_xlsx(sector_code: str):
    board = build_board(_visible_sector(sector_code), _district_arg())
    header, rows = _cells(board)
    return xlsx_attachment(header, rows, board.sector, _filename(board, "xlsx"))
