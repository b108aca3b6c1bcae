"""Who may open the rounds pages: admin only; other roles 403; anonymous to the login."""

from __future__ import annotations

import pytest

from tests.admin.conftest import csrf

PAGES = [
    ("GET", "/admin/rounds"),
    ("GET", "/admin/rounds/new"),
    ("POST", "/admin/rounds/new"),
    ("GET", "/admin/rounds/{code}"),
    ("POST", "/admin/rounds/{code}/margins"),
    ("POST", "/admin/rounds/{code}/margins/clear"),
    ("GET", "/admin/rounds/{code}/close"),
    ("POST", "/admin/rounds/{code}/close"),
    ("GET", "/admin/rounds/{code}/qr.png"),
    ("GET", "/admin/rounds/{code}/poster.pdf"),
    ("POST", "/admin/rounds/{code}/invitations"),
]


@pytest.mark.parametrize("role", ["evaluator", "bureau", "viewer"])
def test_other_roles_are_refused_and_change_nothing(app, client_as, make_round, role):
    code = make_round("catering", code="cat-access")
    app.config["WTF_CSRF_ENABLED"] = False  # the role decides, not a missing token
    client = client_as(role)
    for method, path in PAGES:
        reply = client.open(
            path.format(code=code), method=method, data={"confirm": "yes", "count": "3"}
        )
        assert reply.status_code == 403, (method, path, reply.status_code)
    from surveyapp.extensions import db
    from surveyapp.models import AuditLog, Invitation, Round

    with app.app_context():
        assert db.session.query(Round).filter_by(code=code).one().status == "open"
        assert db.session.query(Invitation).count() == 0
        assert db.session.query(AuditLog).filter(AuditLog.action.like("round.%")).count() == 0


def test_anonymous_is_sent_to_the_login(app, client, make_round):
    code = make_round("catering", code="cat-anon")
    app.config["WTF_CSRF_ENABLED"] = False
    for method, path in PAGES:
        reply = client.open(path.format(code=code), method=method)
        assert reply.status_code == 302, (method, path)
        assert "/login" in reply.headers["Location"]


def test_admin_opens_every_page(admin, make_round):
    code = make_round("catering", code="cat-admin")
    for path in (
        "/admin/rounds",
        "/admin/rounds/new",
        f"/admin/rounds/{code}",
        f"/admin/rounds/{code}/close",
        f"/admin/rounds/{code}/qr.png",
        f"/admin/rounds/{code}/poster.pdf",
    ):
        assert admin.get(path).status_code == 200, path


def test_unknown_round_is_404(admin):
    for path in ("/admin/rounds/nope", "/admin/rounds/nope/close", "/admin/rounds/nope/qr.png"):
        assert admin.get(path).status_code == 404


def test_admin_nav_links_the_rounds_page(admin, client_as, make_round):
    make_round("catering", code="cat-nav")
    assert 'href="/admin/rounds"' in admin.get("/admin/users").get_data(as_text=True)
    viewer_page = client_as("viewer").get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/rounds"' not in viewer_page


def test_forms_without_csrf_token_are_refused(app, admin, make_round):
    code = make_round("catering", code="cat-csrf")
    assert csrf(admin, f"/admin/rounds/{code}")  # the page carries a token
    for path in (
        f"/admin/rounds/{code}/close",
        f"/admin/rounds/{code}/invitations",
        f"/admin/rounds/{code}/margins",
    ):
        reply = admin.post(path, data={"confirm": "yes", "count": "5"})
        assert reply.status_code == 400, path
    from surveyapp.extensions import db
    from surveyapp.models import Invitation, Round

    with app.app_context():
        assert db.session.query(Round).filter_by(code=code).one().status == "open"
        assert db.session.query(Invitation).count() == 0


def test_pages_follow_the_language_switch(admin, make_round):
    code = make_round("catering", code="cat-lang")
    assert "调查轮次管理" in admin.get("/admin/rounds").get_data(as_text=True)
    english = admin.get(f"/admin/rounds/{code}?lang=en").get_data(as_text=True)
    assert "Survey link and QR code" in english and "Population margins (for weighting)" in english
