"""The home page: the open rounds, each with a link to its survey."""

from __future__ import annotations

from datetime import timedelta

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.rounds.service import close_round, get_round


def test_home_lists_open_rounds_only(app, client, make_round):
    make_round("catering", code="cat-open")
    make_round("lodging", code="lodge-open")
    make_round("supermarket", code="shop-closed")
    make_round("domestic", code="dom-later", opens_at=utcnow() + timedelta(days=2))
    with app.app_context():
        close_round(db.session, get_round(db.session, "shop-closed"))
        db.session.commit()

    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN"' in html
    assert "正在进行的调查" in html
    assert 'href="/s/cat-open"' in html and "餐饮服务满意度调查" in html
    assert 'href="/s/lodge-open"' in html
    assert "/s/shop-closed" not in html
    assert "/s/dom-later" not in html
    assert html.count("开始填写") == 2
    assert "no_rounds" not in html and "目前没有正在进行的调查" not in html


def test_home_in_english(client, make_round):
    make_round("catering", code="cat-open")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Open surveys" in html and "Catering service satisfaction survey" in html
    assert "Start the survey" in html


def test_home_without_rounds_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "目前没有正在进行的调查。" in response.get_data(as_text=True)


def test_home_security_headers_and_no_inline_code(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    assert 'href="/static/css/app.css"' in html


def test_home_hides_invitation_only_rounds(client, make_round):
    make_round("catering", code="cat-open")
    make_round("lodging", code="lodge-invited", require_token=True)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/s/cat-open"' in html
    assert "lodge-invited" not in html and "住宿" not in html


def test_home_shows_the_period_in_words(client, make_round):
    make_round("catering", code="cat-open", period="2026Q4")
    html = client.get("/").get_data(as_text=True)
    assert "调查期：2026年第四季度" in html and "2026Q4" not in html
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Period: 2026 Q4" in html
