"""The public bulletin list on a phone, and a bulletin downloaded by tapping its link."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser


def test_bulletin_list_and_pdf_download(downloading_phone, server, results):
    server.bulletin()
    page = downloading_phone
    page.goto("/bulletins")
    assert page.locator("h1").inner_text() == "监测公报"
    row = page.locator("tbody tr").filter(has_text=server.previous)
    assert row.count() == 1, f"no bulletin listed for {server.previous}"
    shown_sha = row.locator("code.sha256").inner_text().strip()
    shown_pages = int(re.search(r"(\d+)\s*页", row.inner_text()).group(1))

    with page.expect_download() as info:
        row.locator("a[href$='.pdf']").tap()
    download = info.value
    pdf = Path(download.path()).read_bytes()
    assert download.suggested_filename.endswith(".pdf")
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == shown_sha
    assert len(PdfReader(io.BytesIO(pdf)).pages) == shown_pages
    results.record(
        f"bulletin {server.previous}: tapped, downloaded {download.suggested_filename}, "
        f"{len(pdf) / 1024:.0f} KB, {shown_pages} pages, SHA-256 as listed"
    )
