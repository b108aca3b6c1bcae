"""The evaluator's pages: preview a draft (served, never stored), publish, correct, audit."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from surveyapp.bulletins import Bulletin
from surveyapp.extensions import db
from surveyapp.models.user import AuditLog
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login
csrf_of = helpers.csrf_of


@pytest.fixture
def evaluator(app, client, make_user, login):
    """A signed-in evaluator's client."""
    make_user("eva", "evaluator")
    assert login(client, "eva").status_code == 302
    return client


def _post(client, action: str, **fields):
    page = client.get("/bulletins/manage")
    data = {"csrf_token": csrf_of(page.get_data(as_text=True)), "lang": "zh", "replaces": ""}
    data.update(fields)
    return client.post(f"/bulletins/manage/{action}", data=data)


def _bulletins(app) -> list[tuple[int, int, int | None, list[str], str, bytes]]:
    """(id, edition, replaces_id, sectors, sha256, pdf) of every stored edition."""
    with app.app_context():
        rows = db.session.scalars(select(Bulletin).order_by(Bulletin.edition))
        return [(b.id, b.edition, b.replaces_id, b.sectors, b.sha256, b.pdf) for b in rows]


def _audit(app) -> list[tuple[str, str, str | None, dict | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "bulletin.publish").order_by(AuditLog.id)
        )
        return [(r.actor, r.action, r.target, r.details) for r in rows]


def test_page_offers_periods_with_their_counts_in_chinese_then_english(app, evaluator, demo):
    html = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert "发布监测公报" in html and "预览草稿 PDF" in html
    assert f"{demo['previous']} · 900 份答卷<" in html  # 6 sectors x 150, closed
    assert f"{demo['current']} · 900 份答卷 · 调查进行中<" in html
    assert 'value="catering"' in html and "餐饮服务" in html
    assert 'name="csrf_token"' in html
    english = evaluator.get("/bulletins/manage?lang=en").get_data(as_text=True)
    assert "Preview the draft PDF" in english and "900 responses" in english
    # the public list points evaluators here (and only them)
    assert "/bulletins/manage" in evaluator.get("/bulletins").get_data(as_text=True)
    assert "/bulletins/manage" not in app.test_client().get("/bulletins").get_data(as_text=True)


def test_preview_is_served_inline_and_not_stored(app, evaluator, demo, pdf_text):
    response = _post(evaluator, "preview", period=demo["previous"], sectors="catering")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("inline;")
    text = " ".join(pdf_text(response.data))
    assert "草稿" in text and "餐饮" in text and "住宿服务" not in text
    assert _bulletins(app) == [] and _audit(app) == []


def test_publish_then_correct_each_audited_with_the_user(app, evaluator, demo):
    period = demo["previous"]
    response = _post(evaluator, "publish", period=period, sectors="catering")
    assert response.status_code == 302 and response.location.endswith("/bulletins/manage")
    assert f"已发布第 1 期（{period}）" in evaluator.get("/bulletins/manage").get_data(as_text=True)
    ((first_id, _, replaces, sectors, first_sha, first_pdf),) = _bulletins(app)
    assert sectors == ["catering"] and replaces is None

    again = _post(evaluator, "publish", period=period, sectors="catering")
    assert again.status_code == 400
    assert "already has edition 1" in again.get_data(as_text=True)

    page = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert f"更正第 1 期（{period}，中文）" in page
    corrected = _post(evaluator, "publish", period=period, sectors="catering", replaces="1")
    assert corrected.status_code == 302
    first_again, second = _bulletins(app)
    assert second[1:3] == (2, first_id)
    assert (
        first_again[4:] == (first_sha, first_pdf)
        and hashlib.sha256(first_pdf).hexdigest() == first_sha
    )
    # an edition that was corrected is no longer offered for correction
    page = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert '<option value="1"' not in page and "更正第 2 期" in page and "更正并替代第 1 期" in page

    audit = _audit(app)
    assert [(a, t) for a, _, t, _ in audit] == [("eva", "bulletin:1"), ("eva", "bulletin:2")]
    assert audit[1][3]["replaces_edition"] == 1 and audit[1][3]["sha256"] == second[4]


def test_a_period_without_data_is_a_message_not_a_traceback(app, evaluator, make_round):
    make_round("catering", code="cat-empty", period="2031Q1")
    response = _post(evaluator, "preview", period="2031Q1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "无法生成或发布公报" in html and "period 2031Q1 has no response yet" in html
    assert "Traceback" not in html
    published = _post(evaluator, "publish", period="2031Q1")
    assert published.status_code == 400 and "has no response yet" in published.get_data(
        as_text=True
    )
    assert _bulletins(app) == [] and _audit(app) == []


def test_refused_form_values(app, evaluator, demo):
    unknown = _post(evaluator, "publish", period="1999Q1")
    assert unknown.status_code == 400 and "请选择一个监测期" in unknown.get_data(as_text=True)
    sector = _post(evaluator, "preview", period=demo["previous"], sectors="fishing")
    assert sector.status_code == 400 and "所选行业不在列表中" in sector.get_data(as_text=True)
    edition = _post(evaluator, "publish", period=demo["previous"], replaces="7")
    assert edition.status_code == 400 and "更正期号不在列表中" in edition.get_data(as_text=True)
    no_token = evaluator.post("/bulletins/manage/publish", data={"period": demo["previous"]})
    expired = no_token.get_data(as_text=True)  # the bilingual expired-form page
    assert no_token.status_code == 400 and "页面已过期" in expired and "expired" in expired
    assert _bulletins(app) == []
