"""Reading a CSV file column-wise, with errors that name the file, row and column.

:func:`read_table` is the one CSV reader of the files people bring to the platform
(RESPONSES.csv for ``surveyapp analyze`` and ``surveyapp responses import``, MARGINS.csv
for ``analyze --margins`` and the margins upload).  It parses with pyarrow's CSV reader,
every column as text, so a file of a million rows is read in C, column by column,
never by a Python loop over rows; the layouts built on it (:mod:`surveyapp.responses.
csv_layout`, :mod:`surveyapp.indices.margins_file`) check whole columns with numpy.

Every problem is an :class:`InputError` whose text is one line naming the file, the row
and the column, so a user can open the file and fix it.  Rows are numbered as a
spreadsheet shows them: the header is row 1 and the first data record row 2 (blank
lines counted), so row ``N`` is line ``N`` of a file without line breaks inside quoted
fields.  ``surveyapp analyze``, ``surveyapp responses import`` and the margins upload
all print these numbers, so one cell has one row number everywhere.

Accepted text: UTF-8 with or without a byte-order mark, and GB18030 when asked for
(transcoded to UTF-8 before parsing).  Blank lines (and rows of empty fields only) are
skipped; quoted fields may hold commas, quotes and line breaks.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = [
    "ENCODINGS",
    "InputError",
    "Table",
    "booleans",
    "integers",
    "mask",
    "positions",
    "read_table",
    "texts",
]

#: Encodings a user may name, and the codec that reads them.
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf_8_sig": "utf-8",
    "gb18030": "gb18030",
    "gbk": "gb18030",
}
BOM = codecs.BOM_UTF8
_LINE_END = re.compile(rb"\r\n|\r|\n")
_NOT_SPACE = re.compile(rb"\S")


class InputError(ValueError):
    """Bad input: ``str()`` is one line naming file, row and column."""

    def __init__(self, file: str, row: int | str | None, column: str | None, message: str):
        super().__init__(file, row, column, message)
        self.file = file
        self.row = row
        self.column = column
        self.message = message

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}" if isinstance(self.row, int) else _row_name(self.row))
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) + ": " + self.message.replace("\n", " ")


def _row_name(row: str) -> str:
    """The header (``"header"``) is row 1 of the spreadsheet; say both."""
    return "row 1 (header)" if row == "header" else row


@dataclass(frozen=True)
class Table:
    """A CSV file as text columns.

    ``columns[j]`` holds the fields of ``header[j]`` as a pyarrow string array (empty
    fields are ``""``, never null); ``rows[i]`` is the spreadsheet row of data row ``i``
    (the header is row 1, the first data record row 2).
    """

    name: str
    header: tuple[str, ...]
    columns: tuple[pa.Array, ...]
    rows: np.ndarray

    @property
    def n(self) -> int:
        """Number of data rows."""
        return int(self.rows.shape[0])

    def column(self, name: str) -> pa.Array:
        """The fields of column ``name`` (``KeyError`` when the header lacks it)."""
        return self.columns[self.header.index(name)]

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Column ``name`` coded: ``values[codes[i]]`` is row ``i``'s field, unstripped.

        ``values`` are the distinct fields in order of first appearance, so checking a
        column is a loop over its distinct values and a numpy look-up over its rows.
        """
        encoded = pc.dictionary_encode(self.column(name))
        codes = integers(encoded.indices).astype(np.intp, copy=False)
        return codes, encoded.dictionary.to_pylist()

    def text(self, name: str) -> np.ndarray:
        """Column ``name`` as an object array of str."""
        return texts(self.column(name))


# pyarrow's own conversions (``to_numpy``, ``pa.array``, a Python scalar in a compute
# call) import pandas when it is installed, to look for its types: a second of a
# command's start-up and 100 MB for nothing.  The arrays here have no nulls (every
# field is text, an empty one ""), so their buffers are read directly.


def integers(array: pa.Array) -> np.ndarray:
    """An integer array without nulls as numpy (a view of its buffer)."""
    dtype = np.dtype(f"int{array.type.bit_width}")
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )


def booleans(array: pa.Array) -> np.ndarray:
    """A boolean array without nulls as numpy (its bits unpacked)."""
    bits = np.frombuffer(array.buffers()[1], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little", count=array.offset + len(array))[
        array.offset :
    ].astype(bool)


def texts(array: pa.Array) -> np.ndarray:
    """A string array as an object array of str."""
    out = np.empty(len(array), dtype=object)
    out[:] = array.to_pylist()
    return out


def positions(rows: np.ndarray) -> pa.Array:
    """Row positions for ``take``, as a pyarrow array."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), rows.size, [None, pa.py_buffer(rows)])


def mask(keep: np.ndarray) -> pa.Array:
    """A boolean numpy array as a pyarrow mask for ``filter``."""
    bits = np.packbits(keep.astype(bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), keep.size, [None, pa.py_buffer(bits)])


def _display_name(source: str | os.PathLike[str] | bytes, name: str | None) -> str:
    if name is not None:
        return name
    return "<upload>" if isinstance(source, bytes | bytearray | memoryview) else os.fspath(source)


def _codec(file: str, encoding: str) -> str:
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise InputError(
            file, None, None, f"unsupported encoding {encoding!r} (use utf-8 or gb18030)"
        )
    return codec


def _decode_error(file: str, raw: bytes, encoding: str, codec: str) -> InputError:
    """Where ``raw`` stops being text in ``codec`` (looked for only after a failure)."""
    try:
        codecs.decode(raw, codec)
        start = len(raw)
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw[:start].count(b"\n") + 1
    row: int | str = "header" if line == 1 else line
    hint = " (a GB18030 file needs --encoding gb18030)" if codec == "utf-8" else ""
    return InputError(file, row, None, f"not valid {encoding.upper()} text{hint}")


def _utf8(file: str, raw: bytes, encoding: str) -> bytes:
    """The file as UTF-8 bytes without a byte-order mark."""
    codec = _codec(file, encoding)
    if codec == "utf-8":
        return raw[len(BOM) :] if raw.startswith(BOM) else raw  # pyarrow checks the rest
    try:
        return raw.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        raise _decode_error(file, raw, encoding, codec) from None


def _split_header(data: bytes) -> tuple[bytes, memoryview]:
    """The first record (the header, which may hold quoted line breaks) and the rest
    (a view: the body is not copied)."""
    view = memoryview(data)
    for end in _LINE_END.finditer(data):
        if data.count(b'"', 0, end.start()) % 2 == 0:
            return data[: end.start()], view[end.end() :]
    return data, view[len(data) :]


def _parse_header(file: str, raw: bytes, encoding: str) -> list[str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _decode_error(file, raw, encoding, ENCODINGS[encoding.lower()]) from None
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), strict=True), None)
    except csv.Error as exc:
        raise InputError(file, "header", None, f"not readable as CSV: {exc}") from None
    if first is None or all(not f.strip() for f in first):
        raise InputError(file, "header", None, "the file is empty")
    header = [h.strip() for h in first]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InputError(file, "header", column, "the column appears twice")
        seen.add(column)
    return header


def _blank(text: str) -> bool:
    """Whether a raw CSV record holds nothing but empty or blank fields."""
    try:
        fields = next(csv.reader([text]), [])
    except csv.Error:
        return False
    return all(not f.strip() for f in fields)


def _parse_body(
    body: memoryview, width: int, *, numbered: bool, whole: bool = False
) -> tuple[pa.Table, list]:
    """Parse the data records; the wrong-width records (``InvalidRow``) are returned
    aside.  ``numbered`` reads on one thread so pyarrow numbers them (1 = first record);
    ``whole`` reads the body as one block (a record longer than pyarrow's 1 MB blocks
    is otherwise refused with a message about blocks that names no row)."""
    invalid: list = []

    def handler(row) -> str:
        invalid.append(row)
        return "skip"

    names = [f"c{j}" for j in range(width)]
    table = pacsv.read_csv(
        pa.py_buffer(body),
        read_options=pacsv.ReadOptions(
            column_names=names,
            use_threads=not numbered,
            **({"block_size": max(len(body) + 1, 1 << 20)} if whole else {}),
        ),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=handler
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )
    return table, invalid


def _blank_rows(columns: list[pa.Array]) -> np.ndarray:
    """Positions of the rows whose fields are all empty or blank (found column-wise)."""
    candidates = np.flatnonzero(_is_blank(columns[0]))
    for column in columns[1:]:
        if candidates.size == 0:
            break
        candidates = candidates[_is_blank(column.take(positions(candidates)))]
    return candidates


def _is_blank(column: pa.Array) -> np.ndarray:
    return (integers(pc.binary_length(column)) == 0) | booleans(pc.utf8_is_space(column))


def read_table(
    source: str | os.PathLike[str] | bytes,
    *,
    encoding: str = "utf-8",
    name: str | None = None,
) -> Table:
    """Read a CSV file (a path, or its bytes) as text columns.

    Parameters
    ----------
    source : path or bytes
        The file, or its content (an upload).
    encoding : {"utf-8", "gb18030"}
        UTF-8 may start with a byte-order mark; GB18030 (``gbk`` is read as GB18030)
        is transcoded to UTF-8 before parsing.
    name : str, optional
        The file as errors name it (default: the path; ``<upload>`` for bytes).

    Raises
    ------
    InputError
        Unreadable file or encoding, not text in the encoding (naming the row), an
        empty file, a column twice in the header, a row with the wrong number of fields
        (naming the row).  A header without data rows is a table of no rows.
    """
    file = _display_name(source, name)
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
    else:
        try:
            with open(source, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise InputError(
                file, None, None, f"cannot read the file: {exc.strerror or exc}"
            ) from None
    data = _utf8(file, raw, encoding)
    head, body = _split_header(data)
    header = _parse_header(file, head, encoding)
    width = len(header)
    if _NOT_SPACE.search(body) is None:
        empty = tuple(pa.array([], type=pa.string()) for _ in header)
        return Table(file, tuple(header), empty, np.zeros(0, dtype=np.intp))
    try:
        try:
            table, invalid = _parse_body(body, width, numbered=False)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            whole = True  # a record over 1 MB: the readers name its row and column
            table, invalid = _parse_body(body, width, numbered=False, whole=True)
        else:
            whole = False
        if invalid and any(row.number is None for row in invalid):
            table, invalid = _parse_body(body, width, numbered=True, whole=whole)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower():
            raise _decode_error(file, raw, encoding, _codec(file, encoding)) from None
        raise InputError(file, None, None, f"not readable as CSV: {exc}") from None
    for row in invalid:
        if not _blank(row.text):
            raise InputError(
                file,
                row.number + 1,
                None,
                f"{row.actual_columns} fields where the header has {width}",
            )
    columns = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in table.columns]
    n = table.num_rows
    skipped = np.array(sorted(row.number for row in invalid), dtype=np.intp)
    rows = np.arange(2, n + skipped.size + 2, dtype=np.intp)  # the header is row 1
    if skipped.size:
        rows = np.delete(rows, skipped - 1)
    if n:
        blank = _blank_rows(columns)
        if blank.size:
            keep = np.ones(n, dtype=bool)
            keep[blank] = False
            kept = mask(keep)
            columns = [c.filter(kept) for c in columns]
            rows = rows[keep]
    return Table(file, tuple(header), tuple(columns), rows)
