"""Routes of the circle pages: thin; they read the cached report
(:func:`surveyapp.circle.stored.stored_report`) and render a view of it
(:mod:`surveyapp.circle.board`).

Admins, evaluators, bureaus and viewers read every page (coverage of the city's
communities is no sector's secret and holds nothing personal); admins and bureaus
upload the communities file.  Every page, export and the map name the distance used
(straight-line, or network when a walking network is configured) and the radius.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup

from reports.circle_map import MapLabels
from surveyapp.accounts.access import roles_required
from surveyapp.circle.board import (
    coverage_csv,
    kept_map,
    kept_suggestion,
    map_extent_km,
    map_legend,
    missing_rows,
    overview,
)
from surveyapp.circle.communities import communities_csv, import_communities, stored_count
from surveyapp.circle.coverage import CircleReport, missing_csv, suggest_sites
from surveyapp.circle.files import read_sites
from surveyapp.circle.stored import refresh_pending, stored_report
from surveyapp.extensions import csrf, db
from surveyapp.i18n import format_number, t
from surveyapp.responses.importer import ImportFailed
from surveyapp.web import current_lang

from .forms import CandidatesForm, CommunitiesForm

bp = Blueprint(
    "circle_web",
    __name__,
    url_prefix="/dashboard/circle",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

READERS = ("admin", "evaluator", "bureau", "viewer")
KEEPERS = ("admin", "bureau")
#: A communities or candidates file (20,000 rows are about 1 MB)
MAX_UPLOAD = 8 * 1024 * 1024
UPLOAD_SLACK = 64 * 1024
#: The problems of a refused upload listed on its page (then how many more there are).
MAX_PROBLEMS = 100
MAX_K = 50


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def _report() -> CircleReport | None:
    return stored_report(db.session)


def distance_words(report: CircleReport, lang: str) -> str:
    """ "straight-line (haversine) distance, 1,000 m" in the reader's language."""
    key = "circ_distance_network" if report.distance == "network" else "circ_distance_straight"
    return t(key, lang, radius=f"{report.result.radius_m:,.0f}")


def _csv(text: str, name: str) -> Response:
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _type_arg(report: CircleReport, value: str | None) -> str:
    """The requested service type (a reported one), the first by default; else 404."""
    if not value:
        return report.types[0]
    if value not in report.types:
        abort(404)
    return value


@bp.get("")
@roles_required(*READERS)
def index():
    lang = current_lang()
    report = _report()
    _, imported_at = stored_count(db.session)
    if report is None:
        return render_template("circle_web/empty.html", may_upload=_may_upload())
    return render_template(
        "circle_web/index.html",
        view=overview(report),
        distance=distance_words(report, lang),
        imported_at=imported_at,
        may_upload=_may_upload(),
        pending=refresh_pending(),
    )


def _may_upload() -> bool:
    return current_user.role in KEEPERS


@bp.get("/missing")
@roles_required(*READERS)
def missing():
    """The communities lacking one type (of one district, or all), most residents first."""
    report = _report()
    if report is None:
        abort(404)
    service_type = _type_arg(report, request.args.get("type"))
    district = _district_arg(report)
    rows = missing_rows(report, service_type, district)
    return render_template(
        "circle_web/missing.html",
        view=overview(report),
        service_type=service_type,
        district=district,
        rows=rows,
        population=sum(r.population for r in rows),
        distance=distance_words(report, current_lang()),
    )


def _labels(report: CircleReport, lang: str) -> MapLabels:
    return MapLabels(
        title=t("circ_map_title", lang),
        legend=t("circ_map_legend", lang),
        facilities=t("circ_map_facilities", lang),
        distance=distance_words(report, lang),
    )


def _district_arg(report: CircleReport) -> str | None:
    """The requested district (one of the report's), none for all; else 404."""
    district = request.args.get("district") or None
    if district is not None and district not in report.districts:
        abort(404)
    return district


@bp.get("/map")
@roles_required(*READERS)
def map_page():
    """The map of all communities, or of one district's (``?district=``)."""
    report = _report()
    if report is None:
        abort(404)
    lang = current_lang()
    district = _district_arg(report)
    svg = kept_map(report, _labels(report, lang), district)
    # the map's text is escaped by reports.circle_map: it is markup of our own
    return render_template(
        "circle_web/map.html",
        svg=Markup(svg),
        legend=map_legend(report, district),
        extent=map_extent_km(report, district),
        district=district,
        view=overview(report),
        distance=distance_words(report, lang),
    )


@bp.get("/map.svg")
@roles_required(*READERS)
def map_svg():
    report = _report()
    if report is None:
        abort(404)
    svg = kept_map(report, _labels(report, current_lang()), _district_arg(report))
    return Response(
        svg,
        mimetype="image/svg+xml",
        headers={"Content-Disposition": "attachment; filename=circle-map.svg"},
    )


@bp.get("/coverage.csv")
@roles_required(*READERS)
def coverage_export():
    report = _report()
    if report is None:
        abort(404)
    return _csv(coverage_csv(report), "circle-coverage.csv")


@bp.get("/missing.csv")
@roles_required(*READERS)
def missing_export():
    report = _report()
    if report is None:
        abort(404)
    return _csv(missing_csv(report), "circle-missing.csv")


def _k(value: str | None) -> int | None:
    try:
        k = int(value or 5)
    except ValueError:
        return None
    return k if 1 <= k <= MAX_K else None


def _suggest_page(
    report: CircleReport,
    service_type: str,
    k: int,
    result: Any,
    *,
    error: str | None = None,
    problems: list[str] | None = None,
    code: int = 200,
):
    lang = current_lang()
    return render_template(
        "circle_web/suggest.html",
        view=overview(report),
        service_type=service_type,
        k=k,
        max_k=MAX_K,
        result=result,
        error=error,
        problems=problems or [],
        distance=t("circ_distance_straight", lang, radius=f"{report.result.radius_m:,.0f}"),
        form=CandidatesForm(formdata=None),
    ), code


@bp.get("/suggest")
@roles_required(*READERS)
def suggest():
    """Where to add k facilities of a type, candidates the communities' own locations."""
    report = _report()
    if report is None:
        abort(404)
    service_type = _type_arg(report, request.args.get("type"))
    k = _k(request.args.get("k"))
    if k is None:
        error = t("circ_k_invalid", current_lang(), max=MAX_K)
        return _suggest_page(report, service_type, 5, None, error=error, code=400)
    return _suggest_page(report, service_type, k, kept_suggestion(report, service_type, k))


@csrf.exempt  # checked by the form itself, after the upload limit is raised
@bp.post("/suggest")
@roles_required(*READERS)
def suggest_candidates():
    """The same from an uploaded list of candidate sites (site, lat, lon [, crs])."""
    request.max_content_length = MAX_UPLOAD + UPLOAD_SLACK
    report = _report()
    if report is None:
        abort(404)
    lang = current_lang()
    form = CandidatesForm()
    service_type = _type_arg(report, form.type.data)
    k = _k(form.k.data)
    if not form.validate_on_submit():
        return _suggest_page(
            report, service_type, k or 5, None, error=t("circ_form_invalid", lang), code=400
        )
    if k is None:
        return _suggest_page(
            report, service_type, 5, None, error=t("circ_k_invalid", lang, max=MAX_K), code=400
        )
    sites, problems = _read_upload(form.candidates.data, "candidates.csv", read_sites)
    if sites is None:
        return _suggest_page(
            report,
            service_type,
            k,
            None,
            error=t("circ_upload_failed", lang),
            problems=problems,
            code=400,
        )
    result = suggest_sites(report, service_type, k, sites)
    return _suggest_page(report, service_type, k, result)


def _read_upload(storage: Any, default_name: str, reader: Any) -> tuple[Any, list[str]]:
    """Read an uploaded file with ``reader`` (which names rows and columns); ``(None,
    problems)`` when it is missing, too large or wrong."""
    lang = current_lang()
    data = storage.stream.read(MAX_UPLOAD + 1) if storage else b""
    if not data:
        return None, [t("circ_upload_empty", lang)]
    if len(data) > MAX_UPLOAD:
        return None, [t("circ_upload_too_large", lang, limit=f"{MAX_UPLOAD // 1024 // 1024} MB")]
    name = os.path.basename(getattr(storage, "filename", None) or default_name)[:100]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            return reader(path, name=name or default_name), []
        except ImportFailed as exc:
            lines = exc.lines()
    if len(lines) > MAX_PROBLEMS:  # a page of the first ones, not of every bad row
        more = t("circ_upload_more", lang, n=format_number(len(lines) - MAX_PROBLEMS, 0, lang))
        lines = [*lines[:MAX_PROBLEMS], more]
    return None, lines


def _communities_page(form: CommunitiesForm, *, error: str | None = None,
                      problems: list[str] | None = None, done: Any = None, code: int = 200):  # fmt: skip
    count, imported_at = stored_count(db.session)
    return render_template(
        "circle_web/communities.html",
        form=form,
        count=count,
        imported_at=imported_at,
        error=error,
        problems=problems or [],
        done=done,
        max_size=f"{MAX_UPLOAD // 1024 // 1024} MB",
    ), code


@bp.get("/communities")
@roles_required(*KEEPERS)
def communities():
    return _communities_page(CommunitiesForm(formdata=None))


@csrf.exempt  # checked by the form itself, after the upload limit is raised
@bp.post("/communities")
@roles_required(*KEEPERS)
def communities_upload():
    """A communities file replaces the stored ones: every row, or none (each problem
    named by row and column)."""
    request.max_content_length = MAX_UPLOAD + UPLOAD_SLACK
    lang = current_lang()
    form = CommunitiesForm()
    if not form.validate_on_submit():
        return _communities_page(form, error=t("circ_form_invalid", lang), code=400)

    def store(path: str, name: str) -> Any:
        return import_communities(
            db.session, path, name=name, actor=current_user, ip=request.remote_addr
        )

    summary, problems = _read_upload(form.file.data, "communities.csv", store)
    if summary is None:
        error = t("circ_upload_failed", lang)
        return _communities_page(form, error=error, problems=problems, code=400)
    return _communities_page(CommunitiesForm(formdata=None), done=summary)


@bp.get("/communities.csv")
@roles_required(*READERS)
def communities_export():
    return _csv(communities_csv(db.session), "communities.csv")
