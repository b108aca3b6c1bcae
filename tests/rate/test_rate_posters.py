"""A provider's QR code (PNG) and A4 poster (PDF): the rating page's link, for admins and
the bureaus of the provider's sectors only."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.admin.test_admin_rounds_posters import expected, modules
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user


@pytest.fixture
def signed_in(app, make_user):
    """``signed_in("bureau", sectors=[...])`` → a test client signed in with that role."""

    made = []

    def _as(role: str, sectors=None):
        made.append(role)
        user = make_user(f"u{len(made)}-{role}", role, sectors=sectors)
        client = app.test_client()
        helpers.sign_in_as(app, client, user)
        return client

    return _as


def test_the_qr_code_encodes_the_rating_page(make_provider, make_practitioner, signed_in):
    code = make_provider(sectors=["domestic"])
    admin = signed_in("admin")
    reply = admin.get(f"/r/{code}/qr.png")
    assert reply.status_code == 200 and reply.mimetype == "image/png"
    assert modules(reply.data) == expected(f"http://localhost/r/{code}")
    worker = make_practitioner(code)
    png = admin.get(f"/r/{code}/qr.png?p={worker}").data
    assert modules(png) == expected(f"http://localhost/r/{code}?p={worker}")


def test_the_qr_code_uses_the_public_address(make_provider, signed_in, app):
    app.config["PUBLIC_URL"] = "https://pingjia.example.cn/"
    code = make_provider()
    png = signed_in("admin").get(f"/r/{code}/qr.png").data
    assert modules(png) == expected(f"https://pingjia.example.cn/r/{code}")


def test_the_poster_is_one_a4_page_with_the_link_and_the_words(make_provider, signed_in):
    code = make_provider()
    reply = signed_in("bureau", sectors=["catering"]).get(f"/r/{code}/poster.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(reply.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = reader.pages[0].extract_text()
    assert f"http://localhost/r/{code}" in text
    assert "Rate our service" in text and "Scan the code" in text


def test_only_admins_and_the_sectors_bureaus_get_them(make_provider, signed_in, client):
    code = make_provider()
    for path in (f"/r/{code}/qr.png", f"/r/{code}/poster.pdf"):
        assert client.get(path).status_code == 302  # to the login page
        assert signed_in("bureau", sectors=["lodging"]).get(path).status_code == 403
        assert signed_in("viewer").get(path).status_code == 403
        assert signed_in("evaluator").get(path).status_code == 403
    assert signed_in("admin").get("/r/NOSUCH/qr.png").status_code == 404
