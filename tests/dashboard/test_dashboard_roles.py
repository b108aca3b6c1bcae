"""Each role's view of /dashboard: bureaus see only their sectors, all are read-only."""

from __future__ import annotations

import re

import pytest

from surveyapp.sectors import SECTORS as CATALOGUE

SECTORS = ["elderly_care", "domestic", "catering", "lodging", "supermarket", "logistics"]
VERDICTS = ("达标", "未达标", "尚无定论", "样本不足")


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="sector-card verdict-\w+" id="card-(\w+)">', html)


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get("/dashboard?period=x")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "evaluator", "viewer"])
def test_city_wide_roles_see_every_sector(as_role, demo, role):
    response = as_role(role).get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _cards(html) == SECTORS
    assert demo["current"] in html


def test_bureau_sees_only_its_sector(as_role, demo):
    client = as_role("bureau")
    html = client.get("/dashboard").get_data(as_text=True)
    assert _cards(html) == ["catering"]
    for sector, zh in ((s.code, s.name_zh) for s in CATALOGUE):
        if sector != "catering":
            assert zh not in html, zh
    refused = client.get("/dashboard?sector=lodging")
    assert refused.status_code == 403 and "没有访问此页面的权限" in refused.get_data(as_text=True)
    assert client.get("/dashboard?sector=catering").status_code == 200
    assert client.get("/dashboard?sector=no_such_sector").status_code == 404


def test_sector_refusals_are_in_chinese_and_english(as_role, demo):
    """Issue 14: a refusal says what was refused in both languages, not English only."""
    client = as_role("bureau")
    page = client.get("/dashboard?sector=lodging").get_data(as_text=True)
    assert "行业“lodging”未分配给本账号" in page
    assert "sector &#39;lodging&#39; is not assigned to this account" in page
    assert "Your account may not open this page." in page
    page = client.get("/dashboard?sector=catering&district=火星区").get_data(as_text=True)
    assert "没有区县“火星区”" in page and "no district &#39;火星区&#39;" in page


def test_viewer_page_is_read_only(as_role, demo):
    html = as_role("viewer").get("/dashboard").get_data(as_text=True)
    forms = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)
    assert forms == ["/logout"]  # nothing to change on the dashboard
    assert "/admin/users" not in html


def test_admin_nav_links_to_user_admin(as_role, demo):
    assert "/admin/users" in as_role("admin").get("/dashboard").get_data(as_text=True)


def test_card_has_index_ci_verdict_word_and_change(as_role, demo):
    html = as_role("evaluator").get("/dashboard?sector=catering").get_data(as_text=True)
    card = html[html.index('id="card-catering"') : html.index("</li>")]
    assert re.search(r'class="index-value">\d+\.\d', card)
    assert "95% 置信区间" in card
    verdict = re.search(r'class="badge badge-(\w+)">([^<]+)<', card)
    assert verdict.group(1) in ("met", "not_met", "inconclusive", "small")
    assert verdict.group(2) in VERDICTS
    assert f"较 {demo['previous']}" in card
    assert "变化显著" in card or "变化不显著" in card


def test_english_page(as_role, demo):
    html = as_role("evaluator").get("/dashboard?lang=en").get_data(as_text=True)
    assert "Life-services satisfaction dashboard" in html
    assert any(w in html for w in ("Goal met", "Goal not met", "Inconclusive", "Sample too small"))


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard?period=1999Q1", "/account/password"])
def test_signed_in_pages_offer_the_large_text_switch(as_role, demo, path):
    """Older readers keep the large-text switch after signing in (it is in the account
    menu), and the page is drawn large once it is on."""
    client = as_role("bureau")
    html = client.get(path).get_data(as_text=True)
    assert re.search(r'<a class="tool" href="[^"]*size=large[^"]*">大字模式</a>', html)
    large = client.get(path + ("&" if "?" in path else "?") + "size=large").get_data(as_text=True)
    assert '<html lang="zh-CN" class="text-large">' in large
    assert re.search(r'<a class="tool" href="[^"]*size=normal[^"]*">标准字号</a>', large)


def test_login_page_offers_the_large_text_switch(client):
    assert "大字模式" in client.get("/login").get_data(as_text=True)


def _response_links(html: str) -> list[str]:
    return re.findall(r'href="(/dashboard/rounds/[^"]+/responses\.(?:csv|xlsx|sav))"', html)


def test_responses_downloads_are_linked_for_the_roles_that_may_have_them(as_role, demo):
    """Issue 14: the responses downloads (CSV, Excel, SPSS) are reachable from the
    dashboard for admin, evaluator and a bureau (its sectors), never shown to a viewer."""
    evaluator = as_role("evaluator")
    links = _response_links(evaluator.get("/dashboard?sector=catering").get_data(as_text=True))
    assert [link.rsplit(".", 1)[1] for link in links] == ["csv", "xlsx", "sav"]
    assert evaluator.get(links[0]).status_code == 200
    bureau = as_role("bureau")
    own = _response_links(bureau.get("/dashboard").get_data(as_text=True))
    assert len(own) == 3 and all(bureau.get(link).status_code == 200 for link in own[:1])
    assert _response_links(as_role("viewer").get("/dashboard").get_data(as_text=True)) == []
