"""Managing API tokens: ``surveyapp tokens ...`` and the page ``/account/tokens``."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.api.tokens import create_token, hash_token
from surveyapp.extensions import db
from surveyapp.models import ApiToken
from surveyapp.models.user import AuditLog, User
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login


@pytest.fixture
def round_code(make_round) -> str:
    return make_round("catering", code="tok-round")


def _can_read(client, token: str, code: str) -> int:
    reply = client.get(
        f"/api/v1/indices?round={code}", headers={"Authorization": f"Bearer {token}"}
    )
    return reply.status_code


def _audit(app) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action.like("token.%")).order_by(AuditLog.id)
        )
        return [(a.actor, a.action, a.target) for a in rows]


# --- the command line ----------------------------------------------------------------------


def test_cli_create_list_revoke(app, client, cli, make_user, round_code):
    make_user("sync", "bureau", sectors=["catering"])
    made = cli("tokens", "create", "--user", "sync", "--name", "nightly export")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert "shown once" in made.stderr
    assert _can_read(client, token, round_code) == 200

    listed = cli("tokens", "list")
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert lines[0].split("\t") == ["id", "user", "name", "state", "created", "last_used"]
    token_id, user, name, state = lines[1].split("\t")[:4]
    assert (user, name, state) == ("sync", "nightly export", "active")
    assert token not in listed.output and hash_token(token) not in listed.output

    revoked = cli("tokens", "revoke", token_id)
    assert revoked.exit_code == 0 and "revoked token" in revoked.output
    assert _can_read(client, token, round_code) == 401
    assert (
        cli("tokens", "list", "--user", "sync").output.splitlines()[1].split("\t")[3] == "revoked"
    )
    assert _audit(app) == [
        ("cli", "token.create", f"token:{token_id}"),
        ("cli", "token.revoke", f"token:{token_id}"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tokens", "create", "--user", "nobody", "--name", "x"), "--user: no account 'nobody'"),
        (
            ("tokens", "create", "--user", "sync", "--name", " "),
            "the token name must be 1-100 characters",
        ),
        (("tokens", "revoke", "999"), "no token 999"),
        (("tokens", "list", "--user", "nobody"), "--user: no account 'nobody'"),
    ],
)
def test_cli_bad_input_exits_2_naming_it(cli, make_user, args, message):
    make_user("sync", "viewer")
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {message}"


def test_cli_revoking_twice_is_refused(cli, make_user):
    make_user("sync", "viewer")
    cli("tokens", "create", "--user", "sync", "--name", "x")
    token_id = cli("tokens", "list").output.splitlines()[1].split("\t")[0]
    assert cli("tokens", "revoke", token_id).exit_code == 0
    again = cli("tokens", "revoke", token_id)
    assert again.exit_code == 2 and "already revoked" in again.stderr


def test_cli_list_without_tokens_says_how_to_make_one(cli):
    assert "surveyapp tokens create" in cli("tokens", "list").output


# --- the page --------------------------------------------------------------------------------


def _signed_in(app, user_id):
    client = app.test_client()
    helpers.sign_in_as(app, client, user_id)
    return client


def _create_on_page(client, name: str):
    page = client.get("/account/tokens")
    return client.post(
        "/account/tokens",
        data={"csrf_token": helpers.csrf_of(page.get_data(as_text=True)), "name": name},
    )


@pytest.mark.parametrize("role", ["admin", "evaluator", "bureau", "viewer"])
def test_every_role_makes_its_own_token_and_sees_it_once(app, make_user, round_code, role):
    user_id = make_user("owner", role, sectors=["catering"] if role == "bureau" else None)
    client = _signed_in(app, user_id)
    reply = _create_on_page(client, "报表系统")
    assert reply.status_code == 201
    assert reply.headers["Cache-Control"] == "no-store"
    html = reply.get_data(as_text=True)
    token = re.search(r'<code class="api-token">([^<]+)</code>', html).group(1)
    assert _can_read(app.test_client(), token, round_code) == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        assert row.user_id == user_id and row.name == "报表系统"
    again = client.get("/account/tokens").get_data(as_text=True)
    assert "报表系统" in again and token not in again  # listed, never shown again
    assert _audit(app) == [("owner", "token.create", f"token:{row.id}")]


def test_the_form_needs_csrf_and_a_name(app, make_user):
    client = _signed_in(app, make_user("owner", "viewer"))
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400  # no CSRF token
    reply = _create_on_page(client, "")
    assert reply.status_code == 400
    assert "令牌名称须为 1-100 个字符" in reply.get_data(as_text=True)
    assert _create_on_page(client, "x" * 101).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_anonymous_is_sent_to_sign_in(client):
    reply = client.get("/account/tokens")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def _token_of(app, username: str, name: str) -> tuple[int, str]:
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == username))
        row, plain = create_token(db.session, owner, name, actor="cli")
        db.session.commit()
        return row.id, plain


def _revoke_on_page(client, token_id: int):
    page = client.get("/account/tokens")
    return client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": helpers.csrf_of(page.get_data(as_text=True))},
    )


def test_a_user_sees_and_revokes_only_its_own_tokens(app, make_user, round_code):
    bureau = make_user("shangwu", "bureau", sectors=["catering"])
    make_user("other", "viewer")
    own_id, own = _token_of(app, "shangwu", "mine")
    other_id, other = _token_of(app, "other", "theirs")
    client = _signed_in(app, bureau)
    html = client.get("/account/tokens").get_data(as_text=True)
    assert "mine" in html and "theirs" not in html
    assert _revoke_on_page(client, other_id).status_code == 404
    assert _can_read(app.test_client(), other, round_code) == 200
    reply = _revoke_on_page(client, own_id)
    assert reply.status_code == 302
    assert _can_read(app.test_client(), own, round_code) == 401
    assert "令牌“mine”已吊销" in client.get("/account/tokens").get_data(as_text=True)
    # a second revoke (a stale page, a double tap) is refused by name, nothing audited twice
    assert _revoke_on_page(client, own_id).status_code == 302
    assert "该令牌已被吊销。" in client.get("/account/tokens").get_data(as_text=True)
    assert [a for a in _audit(app) if a[1] == "token.revoke"] == [
        ("shangwu", "token.revoke", f"token:{own_id}")
    ]


def test_admin_sees_every_token_and_revokes_a_leaked_one(app, make_user, round_code):
    admin = make_user("root", "admin")
    make_user("other", "viewer")
    other_id, other = _token_of(app, "other", "leaked")
    client = _signed_in(app, admin)
    html = client.get("/account/tokens").get_data(as_text=True)
    assert "leaked" in html and "<td>other</td>" in html
    assert _revoke_on_page(client, other_id).status_code == 302
    assert _can_read(app.test_client(), other, round_code) == 401
    assert _audit(app)[-1] == ("root", "token.revoke", f"token:{other_id}")


def test_revoke_needs_csrf(app, make_user, round_code):
    user = make_user("owner", "viewer")
    token_id, plain = _token_of(app, "owner", "x")
    client = _signed_in(app, user)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400  # CSRF refused
    assert _can_read(app.test_client(), plain, round_code) == 200  # nothing revoked
