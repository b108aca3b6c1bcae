"""Tables as downloads: CSV (UTF-8 with a BOM, cells safe for spreadsheets) and XLSX;
a published edition's PDF or CSV.

One home for the attachments of every page that offers a table (the dashboard's indices
and provider board, the credit pages' class list), so each download names its file the
same way (an ASCII fallback and the UTF-8 name) and is never cached by a shared proxy.
The public editions of the complaint publicity and the inspection results are served by
:func:`edition_attachment` (ASCII names, the same for everyone).
"""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Response

from surveyapp import csv_safe

__all__ = ["EDITION_FORMATS", "csv_attachment", "edition_attachment", "xlsx_attachment"]

# The files of a published edition: its format in the URL → the download's type.
EDITION_FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    # RFC 6266 / 5987: an ASCII fallback and the UTF-8 name (a district may be Chinese)
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_attachment(header: list[str], rows: list[list[object]], filename: str) -> Response:
    """A table as a CSV download: UTF-8 with a BOM (Excel shows the Chinese), cells made
    safe for spreadsheets, an empty cell for ``None``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return _attachment(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", filename)


def xlsx_attachment(
    header: list[str], rows: list[list[object]], sheet: str, filename: str
) -> Response:
    """A table as an Excel download: one sheet, a bold header, numbers as numbers."""
    import xlsxwriter  # only the downloads need it

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False}) as wb:
        ws = wb.add_worksheet(sheet[:31])
        bold = wb.add_format({"bold": True, "text_wrap": True})
        ws.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                ws.write(r, c, value)
        ws.freeze_panes(1, 0)
        ws.set_column(0, len(header) - 1, 14)
    return _attachment(
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename,
    )


def edition_attachment(pdf: bytes, csv: bytes, fmt: str, stem: str) -> Response:
    """A published edition's ``pdf`` or ``csv`` (``fmt``, one of :data:`EDITION_FORMATS`)
    as a download named ``{stem}.{fmt}``."""
    response = Response(pdf if fmt == "pdf" else csv, mimetype=EDITION_FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
