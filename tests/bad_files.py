"""Bad CSV files for the uploads' sweeps: each is refused with its row (and column, where
there is one) named, and nothing is stored.

``bad_files(header, good)`` builds them from a file's header and one good row (both
comma-separated, no line end); each case is ``(content, words)``: the words the
refusal must show (``"row 2"``, a column's name …).
"""

from __future__ import annotations

import io
import zipfile

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
ZIP = _zip({"a.txt": "hello " * 100})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})


def bad_files(header: str, good: str) -> dict[str, tuple[bytes, tuple[str, ...]]]:
    """The file-level bad cases, the same for every upload."""
    columns = header.split(",")
    cells = good.split(",")
    first, last = columns[0], columns[-1]

    def lines(*rows: str) -> bytes:
        return ("\n".join(rows) + "\n").encode("utf-8")

    return {
        "empty": (b"", ()),
        "blank lines only": (b"\r\n\r\n", ("row 1",)),
        "only a header": (lines(header), ("row 2",)),
        "a missing column": (
            lines(",".join(columns[:-1]), ",".join(cells[:-1])),
            ("row 1", last),
        ),
        "a duplicated column": (lines(f"{header},{first}", f"{good},{cells[0]}"), ("row 1", first)),
        "a row too short": (lines(header, ",".join(cells[:2])), ("row 2",)),
        "a row too long": (lines(header, f"{good},x,y"), ("row 2",)),
        "an unclosed quote": (lines(header, good, f'"{good}'), ("row 3",)),
        "UTF-16": (f"{header}\n{good}\n".encode("utf-16"), ("row 1",)),
        "a PNG": (PNG, ("row 1",)),
        "a zip": (ZIP, ("row 1",)),
        "an xlsx sent as csv": (XLSX, ("row 1",)),
        "a NUL in a cell": (lines(header, good.replace(",", "\x00,", 1)), ("row 2", first)),
        "a NUL in the header": (lines(header.replace(",", "\x00,", 1), good), ("row 1", first)),
        "a very long line": (lines(header, good, good + "x" * 1_500_000), ("row 3",)),
    }


def post_file(client, url: str, content: bytes, name: str = "bad.csv", **fields: str):
    """POST ``content`` as the form's ``file`` (with ``fields``, e.g. the CSRF token),
    encoded here in memory: the test client would spool a large body to a temporary
    file that it never closes (a ResourceWarning, an error in this suite)."""
    data = MultiDict({**fields, "file": FileStorage(io.BytesIO(content), name)})
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def assert_cli_refuses(cli, folder, content: bytes, words: tuple[str, ...], *command: str) -> None:
    """``content`` written to ``folder/bad.csv`` and given last to ``surveyapp *command``:
    exit 2, no traceback, and every one of ``words`` in its message."""
    path = folder / "bad.csv"
    path.write_bytes(content)
    result = cli(*command, str(path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, word
