"""Channel keys of the submission API: no key no post, the key's scope, channel and limits."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from surveyapp.channels import ChannelKeyError, create_key, revoke_key, verify_key
from surveyapp.extensions import db
from surveyapp.models import AuditLog, ChannelKey
from tests.api.test_submit import _payload
from tests.security.test_security_rate_limits import _rows


def _url(code: str) -> str:
    return f"/api/v1/rounds/{code}/responses"


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _revoke(app, key_id: int) -> None:
    with app.app_context():
        revoke_key(db.session, db.session.get(ChannelKey, key_id), actor="pytest")
        db.session.commit()


def _key_id(app, plain: str) -> int:
    with app.app_context():
        return verify_key(db.session, plain).source.id


@pytest.mark.parametrize(
    ("headers", "error", "challenge"),
    [
        ({}, "key_missing", 'Bearer realm="surveyapp"'),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "key_malformed", "invalid_request"),
        ({"Authorization": "Bearer"}, "key_malformed", "invalid_request"),
        ({"Authorization": "Bearer a b"}, "key_malformed", "invalid_request"),
        ({"Authorization": "Bearer not-a-key"}, "key_invalid", 'error="invalid_token"'),
    ],
)
def test_a_post_without_a_valid_key_is_401_json_and_stores_nothing(
    app, client, make_round, headers, error, challenge
):
    code = make_round("catering")
    reply = client.post(
        _url(code), json=_payload(app, code), headers={**headers, "Accept-Language": "en"}
    )
    assert reply.status_code == 401
    assert reply.mimetype == "application/json"
    body = reply.get_json()
    assert body["error"] == error and body["message"]
    assert reply.headers["WWW-Authenticate"].startswith("Bearer ")
    assert challenge in reply.headers["WWW-Authenticate"]
    assert _rows(app) == []


def test_anonymous_is_refused_before_anything_about_the_round_is_said(app, client, make_round):
    """No key: 401 for an unknown round too, and for a body that is not even JSON."""
    assert client.post(_url("no-such-round"), json={}).status_code == 401
    code = make_round("catering")
    reply = client.post(_url(code), data="x", content_type="text/plain")
    assert reply.status_code == 401
    assert "渠道密钥" in reply.get_json()["message"]  # Chinese unless asked otherwise


def test_a_revoked_key_is_401_at_once(app, client, make_round, channel_key):
    code = make_round("catering")
    key = channel_key()
    assert (
        client.post(_url(code), json=_payload(app, code), headers=_bearer(key)).status_code == 201
    )
    _revoke(app, _key_id(app, key))
    reply = client.post(
        _url(code), json=_payload(app, code, device_id="next"), headers=_bearer(key)
    )
    assert reply.status_code == 401
    assert reply.get_json()["error"] == "key_revoked"
    assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]
    assert len(_rows(app)) == 1


def test_a_round_outside_the_scope_is_403(app, client, make_round, channel_key):
    inside = make_round("catering", code="cat-inside")
    outside = make_round("catering", code="cat-outside")
    key = channel_key(rounds=[inside])
    reply = client.post(
        _url(outside),
        json=_payload(app, outside),
        headers={**_bearer(key), "Accept-Language": "en"},
    )
    assert reply.status_code == 403
    body = reply.get_json()
    assert body["error"] == "key_round_forbidden" and "cat-outside" in body["message"]
    # an unknown round is outside the scope as well: nothing said about whether it exists
    assert client.post(_url("nope"), json={}, headers=_bearer(key)).status_code == 403
    assert _rows(app) == []
    assert (
        client.post(_url(inside), json=_payload(app, inside), headers=_bearer(key)).status_code
        == 201
    )
    # no scope: every round, also one opened after the key was made
    later = make_round("catering", code="cat-later")
    anywhere = channel_key()
    assert (
        client.post(_url(later), json=_payload(app, later), headers=_bearer(anywhere)).status_code
        == 201
    )


def test_the_channel_is_the_keys_and_a_contradicting_body_is_refused(
    app, client, make_round, channel_key
):
    code = make_round("catering")
    key = channel_key(channel="kiosk")
    body = _payload(app, code)
    del body["channel"]
    assert client.post(_url(code), json=body, headers=_bearer(key)).status_code == 201
    agreeing = _payload(app, code, channel="kiosk", device_id="second")
    assert client.post(_url(code), json=agreeing, headers=_bearer(key)).status_code == 201
    for claimed in ("miniprogram", "web", "fax", 7):
        reply = client.post(
            _url(code),
            json=_payload(app, code, channel=claimed, device_id=f"c-{claimed}"),
            headers={**_bearer(key), "Accept-Language": "en"},
        )
        assert reply.status_code == 400, claimed
        assert reply.get_json()["fields"] == {
            "channel": "contradicts the channel of the key (kiosk); leave it out"
        }
    rows = _rows(app)
    key_id = _key_id(app, key)
    assert [(row.channel, row.channel_key_id) for row in rows] == [("kiosk", key_id)] * 2


def test_only_the_keys_sha256_is_stored(app, channel_key):
    plain = channel_key(channel="phone", rounds=None, trusted_stamps=True, name="呼叫中心")
    assert len(plain) >= 43  # token_urlsafe(32): 256 random bits
    with app.app_context():
        row = db.session.scalars(select(ChannelKey)).one()
        assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
        assert row.channel == "phone" and row.trusted_stamps is True and row.rounds is None
        stored = " ".join(
            str(value)
            for table in ("channel_key", "audit_log")
            for record in db.session.execute(select(db.metadata.tables[table])).all()
            for value in record
        )
        assert plain not in stored
        assert row.key_hash in stored  # (the search above does look at the key table)
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "channel_key.create"))
        assert [a.target for a in audit] == [f"channel_key:{row.id}"]


def test_the_key_is_found_by_a_unique_index_on_its_hash(app):
    with app.app_context():
        table = db.metadata.tables["channel_key"]
        from sqlalchemy import inspect

        inspector = inspect(db.engine)
        uniques = [u["column_names"] for u in inspector.get_unique_constraints("channel_key")]
        indexed = [i["column_names"] for i in inspector.get_indexes("channel_key") if i["unique"]]
        assert ["key_hash"] in uniques + indexed
        assert table.c.key_hash.type.length == 64


def test_the_last_use_is_recorded(app, client, make_round, channel_key):
    code = make_round("catering")
    key = channel_key()
    with app.app_context():
        assert db.session.scalar(select(ChannelKey.last_used_at)) is None
    client.post(_url(code), json=_payload(app, code), headers=_bearer(key))
    with app.app_context():
        assert db.session.scalar(select(ChannelKey.last_used_at)) is not None


def test_the_service_refuses_bad_keys_and_names_why(app, make_round):
    code = make_round("catering")
    cases = [
        (("", "kiosk"), {}, "key_bad_name"),
        (("x" * 101, "kiosk"), {}, "key_bad_name"),
        (("hall", "web"), {}, "key_bad_channel"),
        (("hall", "fax"), {}, "key_bad_channel"),
        (("hall", "kiosk"), {"rounds": [code, "nope", "nada"]}, "key_unknown_rounds"),
    ]
    with app.app_context():
        for args, kwargs, expected in cases:
            with pytest.raises(ChannelKeyError) as caught:
                create_key(db.session, *args, actor="pytest", **kwargs)
            assert caught.value.code == expected
        assert "nope, nada" in str(caught.value)
        key, _ = create_key(db.session, "hall", "kiosk", rounds=[code, code], actor="pytest")
        assert key.rounds == [code]
        revoke_key(db.session, key, actor="pytest")
        with pytest.raises(ChannelKeyError):
            revoke_key(db.session, key, actor="pytest")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ChannelKey)) == 0


# --- rate limits and bursts: per key, never per address ------------------------------------


def _from(app, ip: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ip
    return browser


def test_the_rate_limit_is_per_key_not_per_address(app, make_app, make_round, channel_key):
    limited = make_app(RATELIMIT_API_KEY="2/minute", RATELIMIT_API_CLIENT="1000/minute")
    code = make_round("catering")
    body = _payload(app, code)
    first, second = channel_key(name="hall A"), channel_key(name="hall B")
    # one key from three addresses: its third post is one too many, wherever it comes from
    statuses = [
        _from(limited, f"198.51.100.{n}").post(_url(code), json=body, headers=_bearer(first))
        for n in (1, 2, 3)
    ]
    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert statuses[-1].get_json()["error"] == "rate_limited"
    assert int(statuses[-1].headers["Retry-After"]) >= 1
    # another key from the very same address is not affected
    other = _from(limited, "198.51.100.1").post(_url(code), json=body, headers=_bearer(second))
    assert other.status_code == 201
    assert len(_rows(app)) == 3


def test_a_trusted_address_does_not_lift_a_keys_limit(app, make_app, make_round, channel_key):
    limited = make_app(RATELIMIT_API_KEY="1/minute", RATELIMIT_TRUSTED="10.0.0.0/8")
    code = make_round("catering")
    key = channel_key()
    hall = _from(limited, "10.1.2.3")
    body = _payload(app, code)
    assert [
        hall.post(_url(code), json=body, headers=_bearer(key)).status_code for _ in range(2)
    ] == [
        201,
        429,
    ]


def test_holds_are_counted_per_key_not_per_address(app, make_app, make_round, channel_key):
    limited = make_app(RATELIMIT_BURST="1/minute")
    code = make_round("catering")
    body = _payload(app, code)
    first, second = channel_key(name="hall A"), channel_key(name="hall B")
    _from(limited, "198.51.100.10").post(_url(code), json=body, headers=_bearer(first))
    _from(limited, "198.51.100.11").post(_url(code), json=body, headers=_bearer(first))
    _from(limited, "198.51.100.10").post(_url(code), json=body, headers=_bearer(second))
    # beyond the per-source threshold: stored, held for review (issue 12, item 2)
    assert [row.review for row in _rows(app)] == ["counted", "held", "counted"]


def test_posts_without_a_valid_key_are_limited_per_address(app, make_app, make_round, channel_key):
    limited = make_app(RATELIMIT_API_CLIENT="2/minute")
    code = make_round("catering")
    body = _payload(app, code)
    guesser = _from(limited, "203.0.113.5")
    replies = [guesser.post(_url(code), json=body, headers=_bearer(f"guess-{n}")) for n in range(3)]
    assert [r.status_code for r in replies] == [401, 401, 429]
    assert replies[-1].get_json()["error"] == "rate_limited" and replies[-1].headers["Retry-After"]
    assert _from(limited, "203.0.113.6").post(_url(code), json=body).status_code == 401
    # a valid key from the same address is counted per key, never by that address
    assert guesser.post(_url(code), json=body, headers=_bearer(channel_key())).status_code == 201
