"""Fixtures for bulletins: the public blueprint on the app, the demo data, a CLI runner."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp import create_app
from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.models import Round


@pytest.fixture
def demo(app) -> dict[str, str]:
    """The demo data (6 sectors; previous quarter closed, current open), small rounds.

    Returns ``{"previous": ..., "current": ...}`` periods.
    """
    from surveyapp.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, per_round=150, seed=7)
        periods = sorted({r.period for r in db.session.scalars(select(Round))})
    return {"previous": periods[0], "current": periods[-1]}


@pytest.fixture
def cli(app, database_url, monkeypatch):
    """Run ``surveyapp ...`` on the test database; the apps it creates are disposed after."""
    from surveyapp.cli import base

    created = []

    def tracked_create_app(config=None):
        made = create_app(config)
        created.append(made)
        return made

    monkeypatch.setattr(base, "create_app", tracked_create_app)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--database-url", database_url, *args], catch_exceptions=False)

    yield run
    for made in created:  # close pooled connections now, not when garbage-collected
        with made.app_context():
            db.engine.dispose()


@pytest.fixture
def pdf_text():
    def extract(pdf: bytes) -> list[str]:
        reader = PdfReader(io.BytesIO(pdf))
        return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]

    return extract
