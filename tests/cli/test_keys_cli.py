"""``surveyapp keys create|list|revoke``: the key printed once, bad input exits 2 in one line."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, ChannelKey
from tests.api.test_submit import _payload


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output  # one line, never a traceback
    assert lines[0].startswith("error: ")
    return lines[0]


def test_create_prints_the_key_once_as_its_last_line_and_it_works(app, cli, client, make_round):
    code = make_round("catering", code="cat-cli")
    other = make_round("catering", code="cat-cli-other")
    result = cli(
        "keys",
        "create",
        "--name",
        "12345 热线",
        "--channel",
        "phone",
        "--rounds",
        f"{code}, {code}",
        "--trusted-stamps",
    )
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip().splitlines()[-1]
    assert result.output.strip().splitlines()[-1] == plain
    assert result.stdout.strip() == plain  # stdout holds the key alone: KEY=$(surveyapp keys ...)
    with app.app_context():
        row = db.session.scalars(select(ChannelKey)).one()
        assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
        assert (row.name, row.channel, row.rounds, row.trusted_stamps) == (
            "12345 热线",
            "phone",
            [code],
            True,
        )
        assert (
            db.session.scalar(select(AuditLog.actor).where(AuditLog.action == "channel_key.create"))
            == "cli"
        )
    auth = {"Authorization": f"Bearer {plain}"}
    body = _payload(app, code, channel=None)
    assert (
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=auth).status_code == 201
    )
    assert (
        client.post(f"/api/v1/rounds/{other}/responses", json=body, headers=auth).status_code == 403
    )

    listed = cli("keys", "list")
    assert listed.exit_code == 0
    assert plain not in listed.output
    header, line = listed.output.strip().splitlines()
    assert header.split("\t")[:6] == ["id", "name", "channel", "rounds", "stamps", "state"]
    assert line.split("\t")[1:6] == ["12345 热线", "phone", code, "trusted", "active"]

    revoked = cli("keys", "revoke", str(row.id))
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "\trevoked\t" in cli("keys", "list").output
    refused = client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=auth)
    assert refused.status_code == 401 and refused.get_json()["error"] == "key_revoked"
    assert "already revoked" in _error_line(cli("keys", "revoke", str(row.id)))


def test_list_without_keys_says_how_to_make_one(cli):
    result = cli("keys", "list")
    assert result.exit_code == 0 and "surveyapp keys create" in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--name", "hall", "--channel", "web"), "--channel: the channel must be one of"),
        (("--name", "hall", "--channel", "fax"), "--channel"),
        (("--name", "  ", "--channel", "kiosk"), "--name: the key name must be 1-100"),
        (("--name", "x" * 101, "--channel", "kiosk"), "--name"),
        (
            ("--name", "hall", "--channel", "kiosk", "--rounds", "nope,nada"),
            "--rounds: no round nope, nada",
        ),
        (("--name", "hall", "--channel", "kiosk", "--rounds", " , "), "--rounds"),
    ],
)
def test_bad_input_to_create_exits_2_in_one_line(app, cli, make_round, args, says):
    make_round("catering", code="cat-real")
    assert says in _error_line(cli("keys", "create", *args))
    with app.app_context():
        assert db.session.scalars(select(ChannelKey)).all() == []


@pytest.mark.parametrize("key_id", ["999", "0", "abc", "1.5", "99999999999999999999"])
def test_revoking_what_is_no_key_exits_2_in_one_line(cli, key_id):
    _error_line(cli("keys", "revoke", key_id))
