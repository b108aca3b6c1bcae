"""Fixtures for bulletins: the public blueprint on the app, the demo data, a CLI runner."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

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
def pdf_text():
    def extract(pdf: bytes) -> list[str]:
        reader = PdfReader(io.BytesIO(pdf))
        return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]

    return extract
