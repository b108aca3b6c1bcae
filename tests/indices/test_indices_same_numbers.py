"""One round, three publications of its index — the dashboard page, the read API and a
published bulletin's PDF — each reached through its own entry point, show one number."""

from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.api.tokens import create_token
from surveyapp.extensions import db
from surveyapp.models import Bulletin, Round, User

VERDICT_ZH = {"met": "达标", "not_met": "未达标", "inconclusive": "尚无定论"}


@pytest.fixture
def weighted_city(app) -> dict[str, str]:
    """The demo's rounds with their uploaded margins (raked: the hardest case to agree on)."""
    from surveyapp.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, per_round=150, seed=5)
        periods = sorted({r.period for r in db.session.scalars(select(Round))})
    return {"period": periods[0], "code": f"catering-{periods[0].lower()}"}


def _pdf_row(pdf: bytes, sector: str) -> tuple[int, str, str, str, str]:
    """(n, index, ci low, ci high, verdict) of a sector in the overview table."""
    text = " ".join(
        re.sub(r"\s+", " ", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages
    )
    found = re.search(
        # the index's verdict stands right of the index and its interval (issue 14)
        rf"{sector} (\d+) ([\d.]+) \[([\d.]+), ([\d.]+)\] (达标|未达标|尚无定论) [\d.]+%",
        text,
    )
    assert found, f"no overview row for {sector}"
    n, index, low, high, verdict = found.groups()
    return int(n), index, low, high, verdict


def test_dashboard_api_and_published_bulletin_agree(app, client, as_role, cli, weighted_city):
    period, code = weighted_city["period"], weighted_city["code"]
    # 1. the bulletin, published as an evaluator's cron would, read back from the public page
    published = cli("bulletin", "publish", "--period", period)
    assert published.exit_code == 0, published.output
    with app.app_context():
        bulletin = db.session.scalars(select(Bulletin)).one()
        ident = bulletin.id
    pdf = client.get(f"/bulletins/{ident}.pdf").data
    n_pdf, index_pdf, low_pdf, high_pdf, verdict_pdf = _pdf_row(pdf, "餐饮服务")
    # 2. the API, with a reader's token
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "eva"))
        _, token = create_token(db.session, user, "drift", actor="cli")
        db.session.commit()
    body = client.get(
        f"/api/v1/indices?round={code}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    # 3. the dashboard page
    page = as_role("evaluator").get(f"/dashboard?period={period}&sector=catering")
    text = html.unescape(page.get_data(as_text=True))
    shown = re.search(r'<p class="index-value">([^<\s]+)', text).group(1)
    ci = re.search(r"95% 置信区间 ([\d.]+)–([\d.]+)", text)

    assert body["weighting"]["method"] == "raking"
    assert body["n"] == n_pdf
    assert f"{body['index']['estimate']:.1f}" == index_pdf == shown
    assert f"{body['index']['ci'][0]:.1f}" == low_pdf == ci.group(1)
    assert f"{body['index']['ci'][1]:.1f}" == high_pdf == ci.group(2)
    assert VERDICT_ZH[body["verdict"]] == verdict_pdf
    assert f"verdict-{body['verdict']}" in text
