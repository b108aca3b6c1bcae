"""Markup typed into the open question comes out as literal text in what officials read.

Open answers reach readers only through the bulletin's "residents' suggestions"
(the dashboard shows no free text).  A resident's ``<script>`` must be printed as the
characters typed: escaped for ReportLab's paragraph markup, never interpreted (an
unescaped ``<script>`` or ``<img`` makes ReportLab fail or swallow the text).
"""

from __future__ import annotations

import io
import random
import re

from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.models import Round
from tests.api.test_submit import _payload

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def _pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages)


def _bulletin_quoting(app, client, database_url, tmp_path, texts, keyed) -> str:
    """The text of a catering bulletin whose most frequent suggestions are ``texts``."""
    from surveyapp.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, per_round=150, seed=7)
        current = max(r.period for r in db.session.scalars(select(Round)))
    code = f"catering-{current}".lower()
    # sent often enough to be among the most frequent suggestions the bulletin quotes
    # each response different and not a straight line, so the quality rules keep it
    # (the bulletin quotes analysed responses only)
    for t, text in enumerate(texts):
        for i in range(30):
            body = _payload(app, code, open={"suggestions": text})
            rng = random.Random(1000 * t + i)
            body["answers"] = {aid: rng.randint(2, 5) for aid in body["answers"]}
            assert (
                client.post(
                    f"/api/v1/rounds/{code}/responses", json=body, headers=keyed
                ).status_code
                == 201
            )

    # an evaluator approves them (only approved suggestions are ever printed)
    from surveyapp.indices import AnalysisSettings
    from surveyapp.moderation.service import decide
    from surveyapp.moderation.suggestions import round_review

    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        entries = round_review(db.session, round_, AnalysisSettings())
        decide(db.session, "suggestion", entries, "approved", actor="test-evaluator")
        db.session.commit()

    out = tmp_path / "bulletin.pdf"
    result = CliRunner().invoke(
        main,
        [
            "--database-url",
            database_url,
            "bulletin",
            "--period",
            current,
            "--sector",
            "catering",
            "--out",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return _pdf_text(out)


def test_markup_in_open_answers_is_literal_text_in_the_bulletin(
    app, client, database_url, tmp_path, keyed
):
    text = _bulletin_quoting(app, client, database_url, tmp_path, (SCRIPT, ATTRIBUTE), keyed)
    assert SCRIPT in text
    assert ATTRIBUTE in text


def test_phone_and_id_numbers_in_suggestions_are_masked_in_the_bulletin(
    app, client, database_url, tmp_path, keyed
):
    """PIPL: a resident who leaves a phone or ID number in a suggestion is not published."""
    phone = "服务太慢，请回电13812345678"
    ident = "投诉人身份证11010519491231002X"
    text = _bulletin_quoting(app, client, database_url, tmp_path, (phone, ident), keyed)
    assert "13812345678" not in text and "11010519491231002X" not in text
    # masked, then left out altogether: contact details are never printed (issue 12)
    assert "138****5678" not in text and "110105********002X" not in text
    assert "服务太慢，请回电[…]" in text and "投诉人身份证[…]" in text
