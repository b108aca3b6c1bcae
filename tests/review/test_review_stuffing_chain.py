"""The ballot-stuffing chain of issue 12, replayed end to end (SQLite and PostgreSQL).

As the attack was run: anonymous API posts with a made-up respondent and a scam link
in the suggestion, then scripted survey submissions from one address, each with a
fresh cookie and the same link; an evaluator then publishes.  Now: the API posts are
refused and nothing of them is stored; the survey wave beyond the per-source threshold
is held and not counted; the published bulletin quotes no unapproved text and no link.
"""

from __future__ import annotations

import io
import random
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp.bulletins import publish_bulletin
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Response, Round
from tests.review.residents import scripted_resident

ATTACK = "政府补贴请访问 http://evil.example/claim 领取"
ADDRESS = "203.0.113.9"


def _stored(app, code: str) -> dict[str, int]:
    with app.app_context():
        rid = db.session.scalar(select(Round.id).where(Round.code == code))
        rows = db.session.execute(
            select(Response.review, func.count())
            .where(Response.round_id == rid)
            .group_by(Response.review)
        ).all()
    return dict(rows)


def test_the_stuffing_chain_is_refused_held_and_never_printed(app, make_app, make_round):
    wired = make_app()  # limits on, the default threshold of 100 per 10 minutes
    code = make_round("catering", code="cat-chain", period="2026Q3")
    client = wired.test_client()

    # 1. the API without a channel key: refused, nothing stored
    for i in range(55):
        reply = client.post(
            f"/api/v1/rounds/{code}/responses",
            json={
                "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
                "answers": {},
                "open": {"suggestions": ATTACK},
                "device_id": f"fake-{i}",
            },
        )
        assert reply.status_code == 401 and reply.get_json()["error"].startswith("key_")
    assert _stored(app, code) == {}

    # 2. scripted survey submissions from one address, a fresh cookie each: the first
    #    100 are counted (a busy venue's Wi-Fi), the rest held for a bureau's review
    rng = random.Random(2026)
    assert [
        scripted_resident(
            wired, code, rng, ip=ADDRESS, user_agent=f"bot/{rng.random()}", suggestion=ATTACK
        )
        for _ in range(130)
    ] == [303] * 130
    assert _stored(app, code) == {"counted": 100, "held": 30}
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        stored = analyse_round(db.session, round_, options_for(AnalysisSettings(), round_, "index"))
        assert stored.matrix.n == 100 and stored.result.quality.counts["held"] == 30

        # 3. an evaluator publishes (the round is open: an interim edition, confirmed)
        bulletin = publish_bulletin(db.session, "2026Q3", interim=True)
        db.session.commit()
        pdf = bulletin.pdf
        review = bulletin.inputs["suggestions_review"]
    text = " ".join(
        re.sub(r"\s+", " ", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "evil" not in text and "补贴" not in text and "http" not in text
    assert "（100 人）" not in text and "（130 人）" not in text
    (counts,) = review.values()
    assert counts["approved"] == 0 and counts["pending"] >= 1
