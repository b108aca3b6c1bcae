"""The demo fills the publishing settings a city would: its bulletin names the city and
the issuer; ``rounds invite`` links go to the public address when one is set."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.bulletins.service import bulletin_settings
from surveyapp.cli import main
from surveyapp.cli.demo import DEMO_PUBLISHER
from surveyapp.extensions import db
from surveyapp.models import Bulletin


@pytest.fixture
def cli(app, database_url, monkeypatch):
    for key in ("PUBLIC_URL", "BULLETIN_ISSUER", "BULLETIN_CITY"):
        monkeypatch.delenv(f"SURVEYAPP_{key}", raising=False)
    runner = CliRunner()

    def run(*args, env=None):
        return runner.invoke(
            main, ["--database-url", database_url, *args], env=env, catch_exceptions=False
        )

    return run


def test_demo_bulletin_names_its_city_and_issuer(cli, app):
    result = cli("demo", "--no-serve", "--per-round", "40")
    assert result.exit_code == 0, result.output
    with app.app_context():
        bulletin = db.session.scalars(select(Bulletin)).first()
        pdf = bulletin.pdf
        title = bulletin.title
    assert title.startswith("普洱市生活性服务业")
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title.startswith("普洱市") and meta.author == DEMO_PUBLISHER["BULLETIN_ISSUER"]


def test_bulletin_title_with_a_city_in_both_languages():
    from surveyapp.bulletins.service import _default_title

    settings = bulletin_settings({"BULLETIN_CITY": "普洱市|Pu'er"})
    assert settings.city == "普洱市|Pu'er"
    assert _default_title(settings.city, "zh") == "普洱市生活性服务业服务质量第三方监测公报"
    assert _default_title(settings.city, "en").endswith("life-service quality, Pu'er")
    assert _default_title("普洱市", "en").endswith(", 普洱市")
    assert _default_title(None, "zh") == "生活性服务业服务质量第三方监测公报"


def test_invite_links_use_the_public_url(cli, tmp_path):
    cli("questionnaires", "load")
    cli("rounds", "create", "--questionnaire", "domestic", "--period", "2026Q4", "--code", "dom")
    out = tmp_path / "tokens.csv"
    env = {"SURVEYAPP_PUBLIC_URL": "https://survey.example.gov.cn"}
    assert cli("rounds", "invite", "dom", "--count", "2", "--out", str(out), env=env).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert all(r["url"] == f"https://survey.example.gov.cn/s/dom?t={r['token']}" for r in rows)
