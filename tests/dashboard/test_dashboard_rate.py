"""The dashboard shows the satisfaction rate with its interval, each verdict names its
measure and goal, and the legend states the one-sided rule (issue 14, item 4)."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models.questionnaire import QuestionnaireVersion


def _card(html: str, qid: str) -> str:
    start = html.index(f'id="card-{qid}"')
    return html[start : html.index("</li>", start)]


def _section(html: str, qid: str) -> str:
    start = html.index(f'id="sector-{qid}"')
    return html[start : html.index("</section>", html.index('class="ipa"', start))]


def test_card_and_district_table_show_the_rate_with_its_interval(as_role, demo):
    html = as_role("evaluator").get(f"/dashboard?period={demo['current']}").get_data(as_text=True)
    card = _card(html, "catering")
    m = re.search(
        r'class="card-rate">满意率 (\d+\.\d)% <span class="meta">95% 置信区间 (\d+\.\d)–(\d+\.\d)<',
        card,
    )
    assert m, card
    rate, lo, hi = (float(x) for x in m.groups())
    assert 0 <= lo <= rate <= hi <= 100
    assert "满意度指数目标 80 分" in card  # the verdict names its measure and goal
    section = _section(html, "catering")
    assert '<th scope="col">指数判定</th>' in section
    assert "满意率 95% 置信区间" in section
    assert "满意率判定" not in section  # no rate_goal: the rate gets no verdict


def test_legend_states_the_rule_in_plain_words(as_role, demo):
    html = as_role("evaluator").get("/dashboard").get_data(as_text=True)
    legend = re.findall(r'<p class="meta verdict-legend">([^<]+)</p>', html)
    assert legend
    text = legend[0].replace("&#34;", '"').replace("&#39;", "'")
    assert "“未达标”指显著低于目标（单侧检验，5% 显著性水平）" in text
    assert "这不等于“95% 置信区间整体低于目标”" in text
    assert any("满意度指数对照目标 80 分判定" in x for x in legend)
    english = as_role("evaluator").get("/dashboard?lang=en").get_data(as_text=True)
    assert "significantly below the goal (one-sided test, 5% level)" in english


def test_a_rate_goal_gives_the_rate_its_own_verdict(app, as_role, demo):
    with app.app_context():
        for row in db.session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.qid == "catering")
        ):
            row.definition = {**row.definition, "rate_goal": 50.0}
            row.content_hash = "rate-goal-" + row.content_hash[:50]
        db.session.commit()
    html = as_role("evaluator").get("/dashboard?sector=catering").get_data(as_text=True)
    card = _card(html, "catering")
    verdicts = re.findall(
        r'class="badge badge-(\w+)">[^<]+</span> <span class="meta">([^<]+)<', card
    )
    assert [goal for _, goal in verdicts] == ["满意度指数目标 80 分", "满意率目标 50%"]
    section = _section(html, "catering")
    assert "满意率判定" in section
    assert "满意率对照目标 50% 判定" in section
