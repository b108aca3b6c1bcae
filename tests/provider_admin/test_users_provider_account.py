"""The admin users page makes a provider account (chosen by credit code or registration
number), CSRF-protected and audited, as ``surveyapp users create --role provider`` does."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, User
from tests.provider_admin.conftest import code, csrf


def _create(client, **values):
    data = {"csrf_token": csrf(client, "/admin/users"), "username": "shop", "role": "provider",
            "sectors": "", **values}  # fmt: skip
    return client.post("/admin/users", data=data)


def test_an_admin_makes_a_provider_account_by_its_credit_code(app, client_as, add_provider):
    pid = add_provider(31, name="米线店")
    admin = client_as("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'name="provider"' in page and "统一社会信用代码或注册号" in page
    made = _create(admin, provider=code(31).lower())
    assert made.status_code == 201, made.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "shop"))
        assert (user.role, user.provider_id, user.sectors) == ("provider", pid, [])
        log = db.session.scalar(select(AuditLog).where(AuditLog.target == "user:shop"))
        assert log.details["provider_id"] == pid and log.actor == "admin-p"


def test_the_provider_is_checked_and_nothing_is_stored_on_a_refusal(app, client_as, add_provider):
    add_provider(32)
    admin = client_as("admin")
    unknown = _create(admin, provider="91530800MA0000000X")
    assert unknown.status_code == 400
    assert "没有统一社会信用代码或注册号为 91530800MA0000000X 的经营者" in unknown.get_data(
        as_text=True
    )
    missing = _create(admin, provider="")
    assert missing.status_code == 400  # a provider account names its provider
    stray = _create(admin, role="viewer", username="v1", provider=code(32))
    assert stray.status_code == 400  # only a provider account names one
    no_token = admin.post("/admin/users", data={"username": "x", "role": "provider",
                                                "provider": code(32)})  # fmt: skip
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username.in_(["shop", "v1", "x"]))) is None
    bureau = client_as("bureau")
    token = csrf(bureau, "/dashboard/providers")
    refused = bureau.post("/admin/users", data={"csrf_token": token, "username": "b2",
                                                "role": "provider", "provider": code(32)})  # fmt: skip
    assert refused.status_code == 403  # admins only
