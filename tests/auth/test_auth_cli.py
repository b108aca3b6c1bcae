"""``surveyapp users create`` and ``users list``."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from surveyapp.cli import users as _users  # noqa: F401  (registers the group until cli/__init__ does)
from surveyapp.extensions import db
from surveyapp.models.user import AuditLog, User


def _user(app, name):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        if user is not None:
            db.session.expunge(user)
        return user


def test_first_admin_with_password_from_stdin(app, cli):
    result = cli(
        "users",
        "create",
        "--username",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        input="a long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "created admin root" in result.output and "passphrase" not in result.output
    user = _user(app, "root")
    assert user.role == "admin" and not user.must_change_password
    assert check_password_hash(user.password_hash, "a long admin passphrase")
    with app.app_context():
        row = db.session.scalar(select(AuditLog))
        assert (row.actor, row.action, row.target) == ("cli", "user.create", "user:root")


def test_bureau_with_generated_password_must_change_it(app, cli):
    result = cli(
        "users",
        "create",
        "--username",
        "minzheng",
        "--role",
        "bureau",
        "--sector",
        "elderly_care",
        "--sector",
        "domestic",
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("initial password (shown once): ")[1].split()[0]
    user = _user(app, "minzheng")
    assert user.sectors == ["domestic", "elderly_care"] and user.must_change_password
    assert check_password_hash(user.password_hash, password)
    listed = cli("users", "list")
    assert "minzheng\tbureau\tdomestic,elderly_care\tmust-change-password\t-" in listed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "b", "--role", "bureau"], "at least one sector"),
        (["--username", "v", "--role", "viewer", "--password-stdin"], "stdin has no password"),
    ],
)
def test_bad_input_exits_2(cli, args, message):
    result = cli("users", "create", *args, input="")
    assert result.exit_code == 2
    assert message in result.output


def test_duplicate_username_exits_2(cli):
    assert cli("users", "create", "--username", "x", "--role", "viewer").exit_code == 0
    again = cli("users", "create", "--username", "x", "--role", "viewer")
    assert again.exit_code == 2 and "already exists" in again.output


def test_list_when_empty(cli):
    assert "no accounts" in cli("users", "list").output
