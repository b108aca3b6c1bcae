"""``surveyapp users create --role provider --provider ID``."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models.user import AuditLog, User
from tests.directory.conftest import CODES


def test_a_provider_account_names_its_provider(app, cli, add_provider):
    pid = add_provider(CODES[0], "甲")
    result = cli("users", "create", "--username", "jia", "--role", "provider",
                 "--provider", CODES[0])  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "jia"))
        assert (user.role, user.provider_id) == ("provider", pid)
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create"))
        assert audit.details["provider_id"] == pid


def test_bad_provider_options_exit_2_with_one_line(app, cli, add_provider):
    add_provider(CODES[0], "甲")
    unknown = cli("users", "create", "--username", "a", "--role", "provider",
                  "--provider", "NOSUCH")  # fmt: skip
    assert unknown.exit_code == 2 and "NOSUCH" in unknown.output
    assert "Traceback" not in unknown.output
    missing = cli("users", "create", "--username", "b", "--role", "provider")
    assert missing.exit_code == 2 and "provider" in missing.output
    other = cli("users", "create", "--username", "c", "--role", "viewer", "--provider", CODES[0])
    assert other.exit_code == 2
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username.in_(["a", "b", "c"]))) is None
