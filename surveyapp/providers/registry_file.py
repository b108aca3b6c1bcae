"""Reading a provider registry file (the spec's FILE.csv of ``surveyapp providers import``).

Columns, in any order, each under its English name or its Chinese alias, so that
registry exports load as they come (a header is matched without case or surrounding
spaces; any other column is ignored and named in one note):

=================  ==============  ==========================================================
column             alias           meaning
=================  ==============  ==========================================================
credit_code        统一社会信用代码  18 characters, check character per GB 32100-2015
registration_no    注册号            an individual business without a credit code
name               名称              required
sector             行业              required: sector codes (or their catalogue names), ``;``
district           区县              required
address            地址
lat, lon           纬度, 经度        degrees, both or neither
crs                坐标系            ``WGS84`` (default) or ``GCJ02``: stored as WGS-84
service_types      服务类型          ``;``-separated
status             状态              ``open`` (default) or ``closed``
=================  ==============  ==========================================================

Exactly one of credit_code and registration_no per row.  The file is UTF-8 (with or
without a byte-order mark) or GBK/GB18030, told apart by whether it decodes as UTF-8;
it is read by the one CSV reader (:func:`surveyapp.csvtable.read_table`), so rows are
numbered as a spreadsheet shows them (the header is row 1).  Every problem is reported
with its row and the column as the file names it, and :func:`read_registry` returns
records only when there is none.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from surveyapp.csv_safe import restore_cell
from surveyapp.csvtable import BOM, InputError, Table, read_table
from surveyapp.providers.coords import gcj02_to_wgs84
from surveyapp.providers.credit_code import credit_code_problem
from surveyapp.responses.importer import ImportFailed, ImportProblem
from surveyapp.sectors import SECTORS, sorted_sectors

__all__ = [
    "ALIASES",
    "COLUMNS",
    "ProviderRecord",
    "RegistryFile",
    "check_record",
    "detect_encoding",
    "read_detected",
    "read_registry",
    "sector_code",
]

#: The columns, with their Chinese aliases.
ALIASES: dict[str, str] = {
    "credit_code": "统一社会信用代码",
    "registration_no": "注册号",
    "name": "名称",
    "sector": "行业",
    "district": "区县",
    "address": "地址",
    "lat": "纬度",
    "lon": "经度",
    "service_types": "服务类型",
    "status": "状态",
    "crs": "坐标系",
}
COLUMNS = tuple(ALIASES)
_REQUIRED = ("name", "sector", "district")
_HEADER = {**{c: c for c in COLUMNS}, **{zh: c for c, zh in ALIASES.items()}}
#: Longest texts stored (the model's column sizes)
_LIMITS = {"registration_no": 64, "name": 200, "district": 64, "address": 300}
_SERVICE_TYPE_MAX = 64
_LIST_SEPARATOR = re.compile(r"[;；]")
#: A sector is named by its code or by a catalogue name (餐饮服务, 餐饮)
_SECTOR_NAMES = {
    **{s.code: s.code for s in SECTORS},
    **{s.name_zh: s.code for s in SECTORS},
    **{s.short_zh: s.code for s in SECTORS},
}
#: Status words of registry exports (存续, 注销 …) beside the spec's open/closed
_STATUS = {
    "open": "open",
    "closed": "closed",
    **dict.fromkeys(("开业", "在业", "存续", "营业", "正常"), "open"),
    **dict.fromkeys(("关闭", "注销", "吊销", "歇业", "停业"), "closed"),
}
_CRS = {"WGS84": "WGS84", "GCJ02": "GCJ02"}


def sector_code(text: str) -> str | None:
    """The catalogue code a registry names a sector by (code, any case, or its Chinese
    name), or ``None``."""
    return _SECTOR_NAMES.get(text.strip()) or _SECTOR_NAMES.get(text.strip().lower())


@dataclass(frozen=True)
class ProviderRecord:
    """One good row: the provider as the file gives it (coordinates in WGS-84).

    ``present`` names the optional columns the file has: a re-import leaves the stored
    value of a column the file lacks untouched.
    """

    row: int
    credit_code: str | None
    registration_no: str | None
    name: str
    sectors: tuple[str, ...]
    district: str
    address: str | None
    lat: float | None
    lon: float | None
    service_types: tuple[str, ...]
    status: str
    present: frozenset[str]

    @property
    def key(self) -> str:
        return self.credit_code or self.registration_no or ""


@dataclass(frozen=True)
class RegistryFile:
    """A registry file read whole: its records and what was learnt on the way."""

    name: str
    encoding: str
    records: tuple[ProviderRecord, ...]
    #: Columns of the file that are none of :data:`COLUMNS` (as the file names them)
    ignored: tuple[str, ...]


#: A file that holds this many non-ASCII characters of valid UTF-8 before its first bad
#: byte is UTF-8 with a damaged row, not GBK: GBK text hardly ever forms even two or three
#: UTF-8 sequences in a row (统一 does, 社 does not).
_UTF8_EVIDENCE = 8


def detect_encoding(raw: bytes) -> str:
    """``utf-8`` for a file that decodes as UTF-8 (or starts with its byte-order mark), or
    that is plainly UTF-8 up to a damaged row; else ``gb18030`` (which reads GBK too) when
    it decodes as that; else ``utf-8`` (the reader then names the row that is not text)."""
    if raw.startswith(BOM):
        return "utf-8"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        if sum(not c.isascii() for c in before) >= _UTF8_EVIDENCE:
            return "utf-8"
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8"


def read_detected(path: str | os.PathLike[str], file: str) -> tuple[str, Table]:
    """A CSV file in UTF-8 or GBK/GB18030 (:func:`detect_encoding`), read by the one CSV
    reader: its encoding and table, or :class:`ImportFailed` naming the row."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ImportFailed(
            file, [ImportProblem(None, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    encoding = detect_encoding(raw)
    try:
        return encoding, read_table(raw, encoding=encoding, name=file)
    except InputError as exc:
        row = 1 if exc.row == "header" else exc.row if isinstance(exc.row, int) else None
        message = exc.message
        if message.startswith("not valid"):
            message = "not UTF-8 or GBK/GB18030 text (a damaged byte in this row?)"
        raise ImportFailed(file, [ImportProblem(row, exc.column or "", message)]) from None


def read_registry(path: str | os.PathLike[str], *, name: str | None = None) -> RegistryFile:
    """Read and check the whole file; raise :class:`ImportFailed` with every problem."""
    file = name or os.fspath(path)
    encoding, table = read_detected(path, file)
    columns, ignored, problems = _header(table.header)
    if problems:
        raise ImportFailed(file, problems)
    if table.n == 0:
        raise ImportFailed(file, [ImportProblem(2, "", "the file has no data rows")])
    cells = {c: table.text(h) for c, h in columns.items()}
    rows = table.rows.tolist()
    checker = _RowChecker(columns)
    records = []
    for i, number in enumerate(rows):
        values = {c: restore_cell(str(cells[c][i])).strip() for c in cells}
        record = checker.check(number, values)
        if record is not None:
            records.append(record)
    if checker.problems:
        raise ImportFailed(file, checker.problems)
    return RegistryFile(file, encoding, tuple(records), ignored)


def check_record(values: dict[str, str], row: int = 2) -> tuple[ProviderRecord | None, list]:
    """One provider given as the file's columns (e.g. from a form), checked by the very
    rules of an import: the record, or ``None`` and the problems (row ``row``)."""
    checker = _RowChecker({c: c for c in values})
    record = checker.check(row, {c: v.strip() for c, v in values.items()})
    return record, checker.problems


def _header(header: tuple[str, ...]) -> tuple[dict[str, str], tuple[str, ...], list]:
    """The file's header for each known column, the ignored columns, and the problems."""
    columns: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[ImportProblem] = []
    for h in header:
        column = _HEADER.get(h) or _HEADER.get(h.lower())
        if column is None:
            ignored.append(h)
        elif column in columns:
            problems.append(
                ImportProblem(1, h, f"is the same column as {columns[column]!r} ({column})")
            )
        else:
            columns[column] = h
    for column in _REQUIRED:
        if column not in columns:
            problems.append(
                ImportProblem(1, column, f"the column is missing (or {ALIASES[column]})")
            )
    if "credit_code" not in columns and "registration_no" not in columns:
        problems.append(
            ImportProblem(
                1,
                "credit_code",
                "the file needs a credit_code (统一社会信用代码) "
                "or registration_no (注册号) column",
            )
        )
    if ("lat" in columns) != ("lon" in columns):
        have, lack = ("lat", "lon") if "lat" in columns else ("lon", "lat")
        problems.append(
            ImportProblem(1, lack, f"the column is missing: {have} needs {lack} ({ALIASES[lack]})")
        )
    return columns, tuple(ignored), problems


class _RowChecker:
    """Checks rows one by one, keeping the problems and the codes seen so far."""

    def __init__(self, columns: dict[str, str]):
        self.columns = columns  # known column -> the file's header
        self.problems: list[ImportProblem] = []
        self.seen: dict[str, dict[str, int]] = {"credit_code": {}, "registration_no": {}}

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, self.columns.get(column, column), message))

    def check(self, row: int, values: dict[str, str]) -> ProviderRecord | None:
        before = len(self.problems)
        get = values.get
        credit, registration = self._identifier(
            row, get("credit_code", ""), get("registration_no", "")
        )
        texts = {}
        for column in ("name", "district", "address"):
            text = get(column, "")
            if column in _REQUIRED and not text:
                self.problem(row, column, "is empty")
            elif len(text) > _LIMITS[column]:
                self.problem(row, column, f"longer than {_LIMITS[column]} characters")
            texts[column] = text
        sectors = self._sectors(row, get("sector", ""))
        service_types = self._service_types(row, get("service_types", ""))
        status = _STATUS.get(get("status", "").lower() or "open")
        if status is None:
            self.problem(row, "status", f"{get('status')!r} is not open or closed")
        lat, lon = self._coordinates(row, get("lat", ""), get("lon", ""), get("crs", ""))
        if len(self.problems) > before:
            return None
        return ProviderRecord(
            row=row,
            credit_code=credit,
            registration_no=registration,
            name=texts["name"],
            sectors=tuple(sorted_sectors(sectors)),
            district=texts["district"],
            address=texts["address"] or None,
            lat=lat,
            lon=lon,
            service_types=service_types,
            status=status or "open",
            present=frozenset(self.columns),
        )

    def _identifier(
        self, row: int, credit: str, registration: str
    ) -> tuple[str | None, str | None]:
        credit = credit.upper()
        if credit and registration:
            self.problem(
                row,
                "registration_no",
                "give credit_code or registration_no, not both "
                "(registration_no is for a business without a credit code)",
            )
            return None, None
        if not credit and not registration:
            column = "credit_code" if "credit_code" in self.columns else "registration_no"
            self.problem(row, column, "empty: a row needs a credit_code or a registration_no")
            return None, None
        column, value = ("credit_code", credit) if credit else ("registration_no", registration)
        wrong = credit_code_problem(credit) if credit else None
        if not credit and len(registration) > _LIMITS["registration_no"]:
            wrong = f"longer than {_LIMITS['registration_no']} characters"
        elif not credit and credit_code_problem(registration.upper()) is None:
            # a provider's id is its credit code, else its registration number: one
            # namespace, so a credit code belongs in its own column
            wrong = f"{registration!r} is a credit code: give it as credit_code"
        if wrong is not None:
            self.problem(row, column, wrong)
            return None, None
        first = self.seen[column].setdefault(value, row)
        if first != row:
            self.problem(row, column, f"{value!r} repeats row {first}")
            return None, None
        return (credit, None) if credit else (None, registration)

    @staticmethod
    def _split(text: str, check: Callable[[str], str | None]) -> tuple[str, ...]:
        """A ``;``-separated list, each item checked (``check`` returns it or ``None``)."""
        items: list[str] = []
        for part in _LIST_SEPARATOR.split(text):
            part = part.strip()
            if not part:
                continue
            item = check(part)
            if item is None:
                return ()
            if item not in items:
                items.append(item)
        return tuple(items)

    def _sectors(self, row: int, text: str) -> tuple[str, ...]:
        def check(part: str) -> str | None:
            code = sector_code(part)
            if code is None:
                codes = ", ".join(s.code for s in SECTORS)
                self.problem(row, "sector", f"unknown sector {part!r} (sector codes: {codes})")
            return code

        before = len(self.problems)
        sectors = self._split(text, check)
        if not sectors and len(self.problems) == before:
            self.problem(row, "sector", "is empty")
        return sectors

    def _service_types(self, row: int, text: str) -> tuple[str, ...]:
        def check(part: str) -> str | None:
            if len(part) > _SERVICE_TYPE_MAX:
                self.problem(
                    row, "service_types", f"{part[:20]!r}… is longer than {_SERVICE_TYPE_MAX}"
                )
                return None
            return part

        return self._split(text, check)

    def _coordinates(
        self, row: int, lat_text: str, lon_text: str, crs_text: str
    ) -> tuple[float | None, float | None]:
        crs = _CRS.get(crs_text.upper().replace("-", "").replace(" ", "") or "WGS84")
        if crs is None:
            self.problem(row, "crs", f"{crs_text!r} is not WGS84 or GCJ02")
        if not lat_text and not lon_text:
            return None, None
        if not lat_text or not lon_text:
            lack = "lat" if not lat_text else "lon"
            self.problem(row, lack, "is empty: give both lat and lon, or neither")
            return None, None
        lat = self._degrees(row, "lat", lat_text, 90.0)
        lon = self._degrees(row, "lon", lon_text, 180.0)
        if lat is None or lon is None or crs is None:
            return None, None
        if crs == "GCJ02":
            lat, lon = gcj02_to_wgs84(lat, lon)
        return lat, lon

    def _degrees(self, row: int, column: str, text: str, limit: float) -> float | None:
        try:
            value = float(text)
        except ValueError:
            self.problem(row, column, f"{text!r} is not a number of degrees")
            return None
        if not math.isfinite(value) or abs(value) > limit:
            hint = " (are lat and lon swapped?)" if column == "lat" and abs(value) <= 180 else ""
            self.problem(row, column, f"{text} is outside -{limit:g}..{limit:g}{hint}")
            return None
        return value
