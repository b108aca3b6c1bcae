"""Survey links, QR codes (PNG) and A4 posters (PDF) of a round and of each district."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import segno
from pypdf import PdfReader

from surveyapp.admin.poster import QUIET_ZONE


def read_png(data: bytes) -> tuple[int, int, list[list[int]]]:
    """(width, height, rows of 0/1 pixels) of a 1-bit greyscale PNG, as segno writes it."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (1, 0, 0), header
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        current = unfilter(line[0], line[1:], previous)
        bits = "".join(f"{b:08b}" for b in current)[:width]
        rows.append([1 - int(b) for b in bits])  # black (0) is a dark module
        previous = current
    return width, height, rows


def unfilter(kind: int, line: bytes, previous: bytes) -> bytes:
    """Undo a PNG row filter (1 byte per pixel step at 1 bit depth)."""
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - 1] if i else 0
        up = previous[i]
        corner = previous[i - 1] if i else 0
        if kind == 1:
            out[i] = (out[i] + left) & 0xFF
        elif kind == 2:
            out[i] = (out[i] + up) & 0xFF
        elif kind == 3:
            out[i] = (out[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            out[i] = (out[i] + pred) & 0xFF
        else:
            assert kind == 0, kind
    return bytes(out)


def modules(png: bytes, scale: int = 8) -> list[list[int]]:
    width, height, pixels = read_png(png)
    assert width == height and width % scale == 0
    n = width // scale
    grid = [
        [pixels[y * scale + scale // 2][x * scale + scale // 2] for x in range(n)] for y in range(n)
    ]
    return [row[QUIET_ZONE : n - QUIET_ZONE] for row in grid[QUIET_ZONE : n - QUIET_ZONE]]


def expected(url: str) -> list[list[int]]:
    return [list(row) for row in segno.make(url, error="m", micro=False).matrix]


@pytest.fixture
def code(make_round):
    return make_round("catering", code="cat-poster")


def test_round_page_lists_a_link_per_district(admin, code):
    page = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert f"http://localhost/s/{code}" in page
    assert f"/s/{code}?d={quote('思茅区')}" in page
    assert f"/admin/rounds/{code}/poster.pdf?d={quote('思茅区')}" in page
    assert f'src="/admin/rounds/{code}/qr.png"' in page


def test_qr_png_encodes_the_survey_link(admin, code):
    reply = admin.get(f"/admin/rounds/{code}/qr.png")
    assert reply.status_code == 200 and reply.mimetype == "image/png"
    png = reply.data
    url = f"http://localhost/s/{code}"
    width, height, _ = read_png(png)
    size = len(expected(url)) + 2 * QUIET_ZONE
    assert (width, height) == (size * 8, size * 8)
    assert modules(png) == expected(url)


def test_district_qr_carries_the_district(admin, code):
    png = admin.get(f"/admin/rounds/{code}/qr.png?d=思茅区").data
    url = f"http://localhost/s/{code}?d={quote('思茅区')}"
    assert modules(png) == expected(url)
    assert modules(png) != expected(f"http://localhost/s/{code}")


def test_unknown_district_is_404(admin, code):
    assert admin.get(f"/admin/rounds/{code}/qr.png?d=火星区").status_code == 404
    assert admin.get(f"/admin/rounds/{code}/poster.pdf?d=火星区").status_code == 404


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    return reader.pages[0].extract_text()


def test_poster_pdf_has_the_link_and_the_words(admin, code):
    reply = admin.get(f"/admin/rounds/{code}/poster.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data.startswith(b"%PDF-")
    text = _pdf_text(reply.data)
    assert f"http://localhost/s/{code}" in text
    assert "Scan to take the survey" in text
    assert "2026年第四季度" in text and "Period: 2026 Q4" in text  # in words, not 2026Q4
    reader = PdfReader(io.BytesIO(reply.data))
    assert reader.metadata.subject == f"http://localhost/s/{code}"


def test_poster_draws_the_qr_code_of_the_link(admin, code):
    """The poster's squares are the QR modules: as many filled runs as the matrix has."""
    data = admin.get(f"/admin/rounds/{code}/poster.pdf").data
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    runs = sum(
        1
        for row in expected(f"http://localhost/s/{code}")
        for i, dark in enumerate(row)
        if dark and (i == 0 or not row[i - 1])
    )
    assert content.count(" re f") == runs + 1  # plus the white square behind the code


def test_district_poster_names_the_district(admin, code):
    data = admin.get(f"/admin/rounds/{code}/poster.pdf?d=思茅区").data
    text = _pdf_text(data)
    # the link as people read it; the QR code keeps the percent-encoded one
    assert f"http://localhost/s/{code}?d=思茅区" in text
    assert quote("思茅区") not in text
    # the English line names the district in English: its label in the questionnaire
    assert "区县：思茅区" in text and "District: Simao District" in text


def test_a_district_without_an_english_name_keeps_its_chinese_one(app, admin):
    """A questionnaire whose district options are plain text (value = label in both
    languages) gives the Chinese name on the English line, as its survey page does."""
    from datetime import timedelta

    from surveyapp.catalog import publish_questionnaire
    from surveyapp.extensions import db
    from surveyapp.models.base import utcnow
    from surveyapp.questionnaire import builtin_dir, parse_questionnaire
    from surveyapp.rounds.service import create_round

    source = (builtin_dir() / "catering.yaml").read_text("utf-8")
    source = source.replace("{value: 思茅区, zh: 思茅区, en: Simao District}", "思茅区")
    assert "Simao District" not in source
    with app.app_context():
        version = publish_questionnaire(db.session, parse_questionnaire(source), source).version
        create_round(
            db.session,
            version,
            "2026Q4",
            code="cat-plain",
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=30),
            districts=["思茅区"],
        )
        db.session.commit()
    text = _pdf_text(admin.get("/admin/rounds/cat-plain/poster.pdf?d=思茅区").data)
    assert "区县：思茅区" in text and "District: 思茅区" in text


def test_poster_shows_the_closing_date_in_china_time_and_the_issuer(app, admin, code):
    from surveyapp.extensions import db
    from surveyapp.rounds.service import get_round

    with app.app_context():
        round_ = get_round(db.session, code)
        round_.closes_at = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in China
        db.session.commit()
    app.config["BULLETIN_ISSUER"] = "普洱市商务局"
    text = _pdf_text(admin.get(f"/admin/rounds/{code}/poster.pdf").data)
    assert "截止时间：2026年12月31日 23:59" in text and "Open until 2026-12-31 23:59" in text
    assert "发布单位：普洱市商务局" in text and "Issued by 普洱市商务局" in text
    app.config["BULLETIN_ISSUER_EN"] = "Pu'er Municipal Bureau of Commerce"  # its English name
    text = _pdf_text(admin.get(f"/admin/rounds/{code}/poster.pdf").data)
    assert (
        "发布单位：普洱市商务局" in text and "Issued by Pu'er Municipal Bureau of Commerce" in text
    )
    app.config["BULLETIN_ISSUER"] = app.config["BULLETIN_ISSUER_EN"] = None
    assert "发布单位" not in _pdf_text(admin.get(f"/admin/rounds/{code}/poster.pdf").data)


def test_poster_metadata_has_the_real_creation_date(admin, code):
    from surveyapp.i18n import CHINA_TZ
    from surveyapp.models.base import utcnow

    data = admin.get(f"/admin/rounds/{code}/poster.pdf").data
    created = PdfReader(io.BytesIO(data)).metadata.creation_date
    assert created.date() == utcnow().astimezone(CHINA_TZ).date()


PUBLIC = "https://survey.example.gov.cn"


def test_links_qr_codes_and_posters_use_the_public_url(app, admin, code):
    app.config["PUBLIC_URL"] = PUBLIC + "/"
    page = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert f"{PUBLIC}/s/{code}" in page and "http://localhost/s/" not in page
    assert modules(admin.get(f"/admin/rounds/{code}/qr.png").data) == expected(f"{PUBLIC}/s/{code}")
    district = admin.get(f"/admin/rounds/{code}/qr.png?d=思茅区").data
    assert modules(district) == expected(f"{PUBLIC}/s/{code}?d={quote('思茅区')}")
    text = _pdf_text(admin.get(f"/admin/rounds/{code}/poster.pdf?d=思茅区").data)
    assert f"{PUBLIC}/s/{code}?d=思茅区" in text
