"""What an uploaded file is, before it is read as text (margins CSV, questionnaire YAML).

Admins upload small text files; what arrives instead is most often a spreadsheet
saved in the wrong format or a stray image.  Both upload pages ask the same questions
of the bytes and answer with their own wording, so the sniffing lives here once.
"""

from __future__ import annotations

ZIP = b"PK\x03\x04"  # .xlsx, .ods (zip containers)
OLE = b"\xd0\xcf\x11\xe0"  # .xls and other legacy Office files
IMAGE_OR_PDF = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


class NotText(ValueError):
    """The upload is not UTF-8 text: ``kind`` is ``zip``, ``ole``, ``binary`` or
    ``not_utf8`` (then ``line`` is the 1-based line of the first bad byte)."""

    def __init__(self, kind: str, line: int | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.line = line


def upload_text(data: bytes) -> str:
    """The upload decoded as UTF-8 (a leading BOM dropped), or :class:`NotText`."""
    if data.startswith(ZIP):
        raise NotText("zip")
    if data.startswith(OLE):
        raise NotText("ole")
    if data.startswith(IMAGE_OR_PDF) or b"\x00" in data:
        raise NotText("binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotText("not_utf8", data.count(b"\n", 0, exc.start) + 1) from None
