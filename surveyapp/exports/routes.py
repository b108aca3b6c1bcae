"""Thin views: check the round and the user's sector, record the download, send the file.

CSV, XLSX and ``.sav`` are streamed as they are made (first bytes at once, constant
memory, no file on the server).  A streamed ``.sav`` says "unknown" for its number of
cases in the header (it cannot seek back to write it); SPSS and pyreadstat read it all.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from surveyapp.accounts.access import roles_required
from surveyapp.extensions import db
from surveyapp.responses.downloads import (
    EXPORT_ROLES,
    MIMETYPES,
    Format,
    fits_excel,
    may_export,
    record_export,
)
from surveyapp.responses.exporter import export_csv
from surveyapp.responses.formats import XlsxStream, sav_stream
from surveyapp.rounds.service import get_round
from surveyapp.web import current_lang

bp = Blueprint("exports", __name__)

TOO_BIG_FOR_EXCEL = (
    "本轮答卷超过 Excel 工作表的最大行数（1,048,575），请下载 CSV 或 SPSS (.sav) 文件。\n"
    "This round has more responses than an Excel sheet has rows (1,048,575): "
    "download the CSV or the SPSS (.sav) file.\n"
)


@bp.get("/dashboard/rounds/<code>/responses.csv")
@roles_required(*EXPORT_ROLES)
def responses_csv(code: str):
    """UTF-8 with a BOM (Excel), the columns ``surveyapp analyze --responses`` reads."""
    return _export(code, "csv")


@bp.get("/dashboard/rounds/<code>/responses.xlsx")
@roles_required(*EXPORT_ROLES)
def responses_xlsx(code: str):
    """Excel: the responses sheet and a codebook sheet, labels in the page's language."""
    return _export(code, "xlsx")


@bp.get("/dashboard/rounds/<code>/responses.sav")
@roles_required(*EXPORT_ROLES)
def responses_sav(code: str):
    """SPSS, with variable and value labels in the page's language."""
    return _export(code, "sav")


def _export(code: str, fmt: Format):
    round_ = get_round(db.session, code)
    if round_ is None:
        return render_template("auth/forbidden.html", not_found=True), 404
    if not may_export(current_user, round_):
        return render_template("auth/forbidden.html"), 403
    if fmt == "xlsx" and not fits_excel(db.session, round_):
        return Response(TOO_BIG_FOR_EXCEL, 409, mimetype="text/plain; charset=utf-8")
    record_export(db.session, current_user, round_, fmt, ip=request.remote_addr)
    db.session.commit()
    filename = f"responses-{round_.code}.{fmt}"
    if fmt == "csv":
        body: Iterator[bytes] = (chunk.encode("utf-8") for chunk in export_csv(db.session, round_))
        response = Response(stream_with_context(body), mimetype=MIMETYPES["csv"])
    elif fmt == "xlsx":
        body = iter(XlsxStream(db.session, round_, current_lang()))
        response = Response(stream_with_context(body), mimetype=MIMETYPES["xlsx"])
    else:
        body = sav_stream(db.session, round_, current_lang())
        response = Response(stream_with_context(body), mimetype=MIMETYPES["sav"])
    # RFC 6266 / 5987: an ASCII fallback and the UTF-8 name (a round code may be Chinese)
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
