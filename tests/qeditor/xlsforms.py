"""Build XLSForm workbooks with openpyxl for the tests (never read from the working tree)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Sequence

import openpyxl

SURVEY_HEADER = ("type", "name", "label::Chinese (zh)", "label::English (en)", "required")
CHOICES_HEADER = ("list_name", "name", "label::Chinese (zh)", "label::English (en)")

RATING = [
    ("sat5", 1, "非常不满意", "Very dissatisfied"),
    ("sat5", 2, "不满意", "Dissatisfied"),
    ("sat5", 3, "一般", "Neutral"),
    ("sat5", 4, "满意", "Satisfied"),
    ("sat5", 5, "非常满意", "Very satisfied"),
]
GENDER = [("gender", "male", "男", "Male"), ("gender", "female", "女", "Female")]

#: A catering questionnaire as KoboToolbox would export it: two groups of rating
#: questions, an overall question, a profile question, a text question, and rows our
#: format has no place for.
SURVEY = [
    ("start", "start", "", "", ""),
    ("begin group", "hygiene", "食品卫生", "Hygiene", ""),
    ("select_one sat5", "hyg_clean", "餐馆干净整洁", "Restaurants are clean", "yes"),
    ("select_one sat5", "hyg_safe", "食品安全放心", "Food is safe", ""),
    ("end group", "", "", "", ""),
    ("begin group", "service", "服务", "Service", ""),
    ("select_one sat5", "svc_attitude", "服务态度", "Staff attitude", ""),
    ("end group", "", "", "", ""),
    ("select_one sat5", "overall", "总体满意度", "Overall satisfaction", "yes"),
    ("select_one gender", "gender", "您的性别", "Your gender", "yes"),
    ("calculate", "score", "", "", ""),
    ("geopoint", "where", "位置", "Location", ""),
    ("text", "suggestions", "您的建议", "Your suggestions", ""),
]
SETTINGS = {
    "form_title": "餐饮服务满意度调查",
    "form_id": "kobo_catering",
    "version": "2",
    "sector": "catering",
}


def xlsform_bytes(
    survey: Sequence[Sequence[object]] = SURVEY,
    choices: Sequence[Sequence[object]] = RATING + GENDER,
    settings: dict[str, object] | None = SETTINGS,
    *,
    survey_header: Sequence[str] = SURVEY_HEADER,
    choices_header: Sequence[str] = CHOICES_HEADER,
) -> bytes:
    """The .xlsx bytes of an XLSForm with the given sheets (``settings=None``: no sheet)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(list(survey_header))
    for row in survey:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(list(choices_header))
    for row in choices:
        sheet.append(list(row))
    if settings is not None:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``data`` with the member ``name`` replaced by ``change(old bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            archive.writestr(info.filename, change(body) if info.filename == name else body)
    return out.getvalue()


def with_lying_size(data: bytes, name: str, padding: int) -> bytes:
    """A zip bomb: ``name`` grows by ``padding`` spaces while the archive keeps its old size.

    The central directory is what :mod:`zipfile` believes, so the archive passes any check
    of the declared sizes, while its member unpacks to far more than it says.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        declared = archive.getinfo(name).file_size
    patched = bytearray(with_member(data, name, lambda body: body + b" " * padding))
    start = patched.find(b"PK\x01\x02")  # the central directory: one record per member
    while patched[start + 46 : start + 46 + len(name)] != name.encode():
        start = patched.find(b"PK\x01\x02", start + 46)
    struct.pack_into("<I", patched, start + 24, declared)  # the uncompressed size
    return bytes(patched)
