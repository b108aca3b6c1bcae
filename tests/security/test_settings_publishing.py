"""The publishing settings: the public base URL is checked at start-up, and a production
start warns (never refuses) when the address, the issuer or the city is empty."""

from __future__ import annotations

import logging

import pytest

from surveyapp import create_app
from surveyapp.config import ConfigError, load_config
from surveyapp.ops import check_settings

SECRET = "s" * 32


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for key in ("ENV", "SECRET_KEY", "PUBLIC_URL", "BULLETIN_ISSUER", "BULLETIN_CITY"):
        monkeypatch.delenv(f"SURVEYAPP_{key}", raising=False)


def test_public_url_is_read_from_the_environment():
    config = load_config({"SURVEYAPP_PUBLIC_URL": "https://survey.example.gov.cn"})
    assert config["PUBLIC_URL"] == "https://survey.example.gov.cn"
    assert load_config({})["PUBLIC_URL"] == "" and load_config({})["BULLETIN_CITY"] is None


@pytest.mark.parametrize(
    "url",
    [
        "survey.example.gov.cn",
        "ftp://example.org",
        "https://",
        "https://x.org/?a=1",
        "http://x:99999",
    ],
)
def test_a_malformed_public_url_refuses_to_start(tmp_path, url):
    settings = load_config({}) | {"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "PUBLIC_URL": url}
    with pytest.raises(ConfigError, match="SURVEYAPP_PUBLIC_URL must be an address such as"):
        check_settings(settings)


@pytest.mark.parametrize(
    "url", ["", "https://survey.example.gov.cn", "http://10.0.0.5:8080/survey/"]
)
def test_good_public_urls_start(tmp_path, url):
    check_settings(
        load_config({}) | {"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "PUBLIC_URL": url}
    )


def test_production_start_warns_about_empty_publishing_settings(tmp_path, caplog):
    url = f"sqlite:///{tmp_path}/p.db"
    with caplog.at_level(logging.WARNING, logger="surveyapp.settings"):
        create_app({"ENV": "production", "DATABASE_URL": url, "SECRET_KEY": SECRET})
    warned = [r.getMessage() for r in caplog.records if r.name == "surveyapp.settings"]
    assert [w.split(" ")[0] for w in warned] == [
        "SURVEYAPP_PUBLIC_URL",
        "SURVEYAPP_BULLETIN_ISSUER",
        "SURVEYAPP_BULLETIN_CITY",
    ]
    assert all(" is not set: " in w for w in warned)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="surveyapp.settings"):
        create_app(
            {
                "ENV": "production",
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "PUBLIC_URL": "https://survey.example.gov.cn",
                "BULLETIN_ISSUER": "普洱市商务局",
                "BULLETIN_CITY": "普洱市",
            }
        )
        create_app({"DATABASE_URL": url})  # development: nothing to warn about
    assert [r for r in caplog.records if r.name == "surveyapp.settings"] == []
