"""``/admin/keys``: admins make, see and revoke the channel keys of the submission API."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, ChannelKey, User
from tests.admin.conftest import csrf
from tests.api.test_submit import _payload


def _keys(app) -> list[ChannelKey]:
    with app.app_context():
        rows = list(db.session.scalars(select(ChannelKey).order_by(ChannelKey.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _create(admin, **fields):
    token = csrf(admin, "/admin/keys")
    data = {"csrf_token": token, "name": "服务大厅 1 号机", "channel": "kiosk", **fields}
    return admin.post("/admin/keys", data=data)


def _shown_key(html: str) -> str:
    start = html.index('<code class="api-token">') + len('<code class="api-token">')
    return html[start : html.index("</code>", start)]


def test_the_page_lists_keys_and_is_not_cached(app, admin, make_round, channel_key):
    make_round("catering", code="cat-keys")
    channel_key(channel="phone", rounds=["cat-keys"], trusted_stamps=True, name="12345 热线")
    page = admin.get("/admin/keys")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "渠道密钥" in html and "12345 热线" in html and "电话调查" in html
    assert 'value="cat-keys"' in html  # the rounds to choose from
    english = admin.get("/admin/keys?lang=en").get_data(as_text=True)
    assert "Channel keys" in english and "phone / call centre" in english


def test_an_admin_makes_a_key_that_is_shown_once_and_works(app, admin, client, make_round):
    inside = make_round("catering", code="cat-hall")
    outside = make_round("catering", code="cat-elsewhere")
    reply = _create(admin, rounds=[inside], trusted_stamps="y")
    assert reply.status_code == 201
    assert reply.headers["Cache-Control"] == "no-store"
    html = reply.get_data(as_text=True)
    plain = _shown_key(html)
    assert len(plain) >= 43 and "离开本页后将无法再次查看" in html
    [row] = _keys(app)
    assert (row.name, row.channel, row.rounds, row.trusted_stamps) == (
        "服务大厅 1 号机",
        "kiosk",
        [inside],
        True,
    )
    assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in admin.get("/admin/keys").get_data(as_text=True)  # once only
    with app.app_context():
        audit = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "channel_key.create")
        ).one()
        admin_name = db.session.scalar(select(User.username).where(User.role == "admin"))
        assert (audit.actor, audit.target) == (admin_name, f"channel_key:{row.id}")
        assert plain not in str(audit.details)
    auth = {"Authorization": f"Bearer {plain}"}
    body = _payload(app, inside, channel=None)
    assert (
        client.post(f"/api/v1/rounds/{inside}/responses", json=body, headers=auth).status_code
        == 201
    )
    assert (
        client.post(f"/api/v1/rounds/{outside}/responses", json=body, headers=auth).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("fields", "field", "zh", "en"),
    [
        ({"name": "  "}, "name", "名称须为 1-100 个字符", "the name must be 1-100 characters"),
        ({"channel": "web"}, "channel", "请选择渠道", "choose the channel"),
        (
            {"rounds": ["no-such-round"]},
            "rounds",
            "没有调查轮次 no-such-round",
            "no round no-such-round",
        ),
    ],
)
def test_mistakes_are_named_next_to_their_field_in_both_languages(
    app, admin, make_round, fields, field, zh, en
):
    make_round("catering", code="cat-real")
    reply = _create(admin, **fields)
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert f'id="{field}-error-1"' in html
    assert zh in html and en in html
    assert html.index(zh) < html.index(en)  # Chinese first
    assert _keys(app) == []


def test_a_post_without_its_csrf_token_makes_nothing(app, admin):
    assert csrf(admin, "/admin/keys")  # the page carries a token
    for extra in ({}, {"csrf_token": "forged"}):
        reply = admin.post("/admin/keys", data={"name": "hall", "channel": "kiosk", **extra})
        assert reply.status_code == 400
        assert "api-token" not in reply.get_data(as_text=True)
    assert _keys(app) == []


def test_an_admin_revokes_a_key_and_it_stops_at_once(app, admin, client, make_round, channel_key):
    code = make_round("catering", code="cat-revoke")
    plain = channel_key()
    [row] = _keys(app)
    auth = {"Authorization": f"Bearer {plain}"}
    url = f"/api/v1/rounds/{code}/responses"
    # without the CSRF token nothing happens
    admin.post(f"/admin/keys/{row.id}/revoke")
    assert _keys(app)[0].revoked_at is None
    token = csrf(admin, "/admin/keys")
    reply = admin.post(f"/admin/keys/{row.id}/revoke", data={"csrf_token": token})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/keys")
    assert _keys(app)[0].revoked_at is not None
    assert "已吊销" in admin.get("/admin/keys").get_data(as_text=True)
    refused = client.post(url, json=_payload(app, code), headers=auth)
    assert refused.status_code == 401 and refused.get_json()["error"] == "key_revoked"
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(AuditLog.action == "channel_key.revoke"))
            == 1
        )
    assert admin.post("/admin/keys/999/revoke", data={"csrf_token": token}).status_code == 404
    # a second revoke (a stale page, a double tap) is refused by name, audited once
    again = admin.post(f"/admin/keys/{row.id}/revoke", data={"csrf_token": token})
    assert again.status_code == 302
    assert "该密钥已被吊销。" in admin.get("/admin/keys").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(AuditLog.action == "channel_key.revoke"))
            == 1
        )


@pytest.mark.parametrize("role", ["evaluator", "bureau", "viewer"])
def test_other_roles_are_refused_and_change_nothing(app, client_as, channel_key, role):
    channel_key()
    [row] = _keys(app)
    app.config["WTF_CSRF_ENABLED"] = False  # the role decides, not a missing token
    other = client_as(role)
    assert other.get("/admin/keys").status_code == 403
    assert other.post("/admin/keys", data={"name": "x", "channel": "kiosk"}).status_code == 403
    assert other.post(f"/admin/keys/{row.id}/revoke").status_code == 403
    assert len(_keys(app)) == 1 and _keys(app)[0].revoked_at is None


def test_anonymous_is_sent_to_the_login(app, client):
    for method, path in (
        ("GET", "/admin/keys"),
        ("POST", "/admin/keys"),
        ("POST", "/admin/keys/1/revoke"),
    ):
        app.config["WTF_CSRF_ENABLED"] = False
        reply = client.open(path, method=method)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"]
