"""Start-up refuses unsafe or malformed settings, with one clear line per problem."""

from __future__ import annotations

import pytest

from surveyapp import create_app
from surveyapp.config import ConfigError, load_config
from surveyapp.ops import check_environ, check_settings


@pytest.fixture
def settings(tmp_path) -> dict:
    merged = load_config({})
    merged["DATABASE_URL"] = "sqlite:///" + str(tmp_path / "s.db")
    return merged


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_SECRET_KEY", raising=False)
    monkeypatch.delenv("SURVEYAPP_ENV", raising=False)


def test_production_refuses_to_start_without_a_secret(tmp_path):
    url = "sqlite:///" + str(tmp_path / "p.db")
    with pytest.raises(
        ConfigError, match="refusing to start in production without SURVEYAPP_SECRET_KEY"
    ):
        create_app({"ENV": "production", "DATABASE_URL": url})
    with pytest.raises(ConfigError, match="at least 32 characters"):
        create_app({"ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "short"})
    app = create_app({"ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "s" * 32})
    assert app.secret_key == "s" * 32


def test_production_secret_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ENV", "production")
    url = "sqlite:///" + str(tmp_path / "p.db")
    with pytest.raises(ConfigError, match="without SURVEYAPP_SECRET_KEY"):
        create_app({"DATABASE_URL": url})
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "e" * 40)
    assert create_app({"DATABASE_URL": url}).secret_key == "e" * 40


def test_good_settings_pass(settings):
    check_settings(settings)
    check_settings(
        {**settings, "DATABASE_URL": "postgresql+psycopg://u:pw@db.internal:5432/survey"}
    )
    check_settings({**settings, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"ENV": "prod"},
            "SURVEYAPP_ENV must be one of development, testing, production, got 'prod'",
        ),
        ({"DATABASE_URL": "mysql://u@h/d"}, "DATABASE_URL: unsupported database 'mysql'"),
        ({"DATABASE_URL": "postgres://u:pw@h/d"}, "use postgresql+psycopg://"),
        ({"DATABASE_URL": "just a path.db"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "postgresql+asyncpg://h/d"}, "driver 'asyncpg' is not available"),
        ({"GOAL": 180}, "SURVEYAPP_GOAL must be between 0 and 100, got 180"),
        ({"TRUST_PROXY": 1.5}, "SURVEYAPP_TRUST_PROXY must be an integer, got 1.5"),
        ({"MAX_CONTENT_LENGTH": "big"}, "SURVEYAPP_MAX_CONTENT_LENGTH must be an integer"),
        ({"RATELIMIT_API_CLIENT": "lots"}, "SURVEYAPP_RATELIMIT_API_CLIENT must be a rate"),
        ({"RATELIMIT_STORAGE_URI": "http://cache"}, "SURVEYAPP_RATELIMIT_STORAGE_URI must start"),
        ({"RATELIMIT_STRATEGY": "leaky"}, "SURVEYAPP_RATELIMIT_STRATEGY must be one of"),
        ({"RATELIMIT_TRUSTED": "10.0.0.0/8, intranet"}, "not an address or network: 'intranet'"),
    ],
)
def test_bad_settings_are_named(settings, changes, message):
    with pytest.raises(ConfigError) as caught:
        check_settings({**settings, **changes})
    assert message in str(caught.value)


def test_every_problem_is_listed_and_no_password_shown(settings):
    with pytest.raises(ConfigError) as caught:
        check_settings(
            {**settings, "ENV": "staging", "GOAL": -1, "DATABASE_URL": "mssql://sa:Pa55word@db/x"}
        )
    text = str(caught.value)
    assert text.startswith("bad settings:")
    assert text.count("\n") == 3
    assert "Pa55word" not in text


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("SURVEYAPP_GOAL", "eighty", "SURVEYAPP_GOAL must be a number, got 'eighty'"),
        ("SURVEYAPP_TRUST_PROXY", "one", "SURVEYAPP_TRUST_PROXY must be an integer, got 'one'"),
        ("SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS", "10s", "must be an integer"),
        ("SURVEYAPP_SESSION_COOKIE_SECURE", "ture", "must be true or false"),
        (
            "SURVEYAPP_RATELIMIT_ENABLED",
            "nope",
            "SURVEYAPP_RATELIMIT_ENABLED must be true or false",
        ),
    ],
)
def test_malformed_environment_values_are_named(name, raw, message):
    with pytest.raises(ConfigError, match=message):
        check_environ({name: raw})


def test_wellformed_environment_passes():
    check_environ(
        {
            "SURVEYAPP_GOAL": "85.5",
            "SURVEYAPP_TRUST_PROXY": "1",
            "SURVEYAPP_SESSION_COOKIE_SECURE": "On",
            "SURVEYAPP_RATELIMIT_ENABLED": "0",
            "SURVEYAPP_SOMETHING_ELSE": "ignored",
        }
    )


def test_bad_rate_limit_settings_stop_the_limiter_setup(make_app, monkeypatch):
    with pytest.raises(ConfigError, match="SURVEYAPP_RATELIMIT_API_CLIENT must be a rate"):
        make_app(RATELIMIT_API_CLIENT="lots")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_BURST", "often")
    with pytest.raises(ConfigError, match="SURVEYAPP_RATELIMIT_BURST must be a rate"):
        make_app()
