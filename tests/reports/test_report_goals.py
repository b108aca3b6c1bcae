"""Each verdict names its measure and goal; the legend states the one-sided rule
(issue 14, item 4)."""

from __future__ import annotations

import re

import reports
from analysis import verdict_of
from reports import fmt

WORD = {"met": "达标", "not_met": "未达标", "inconclusive": "尚无定论", "small": "样本不足"}


def test_the_verdict_is_on_the_index_row_not_the_rate(make_sector, make_content, pdf_text):
    sector = make_sector()
    r = sector.result
    pages = pdf_text(reports.render_bulletin(make_content(sector)))
    summary, section = pages[1], pages[2].replace(" ", "")
    assert "指数判定（ 目标 80）" in summary or "指数判定（目标 80）" in summary
    index_part = f"{fmt.score(r.index.estimate)} {fmt.ci(r.index.ci)} {WORD[r.index.goal_status]}"
    rate_part = f"{fmt.pct(r.satisfaction_rate.estimate)} {fmt.ci(r.satisfaction_rate.ci)}"
    assert f"{index_part} {rate_part}" in summary
    # the sector's sentence names the measure judged and its goal; the rate has none here
    # (spaces dropped: a line may wrap anywhere in the PDF's text)
    index_sentence = (
        f"满意度指数 {fmt.score(r.index.estimate)}（95% 置信区间 {fmt.ci(r.index.ci)}），"
        f"对照指数目标 80 分判定：{WORD[r.index.goal_status]}。"
    )
    assert index_sentence.replace(" ", "") in section
    rate_ci = fmt.ci(r.satisfaction_rate.ci)
    rate_sentence = f"满意率 {fmt.pct(r.satisfaction_rate.estimate)}（95% 置信区间 {rate_ci}）。"
    assert rate_sentence.replace(" ", "") in section
    assert "满意率只报告数字，不作判定" in summary


def test_legend_states_the_one_sided_rule_not_the_interval(make_sector, make_content, pdf_text):
    summary = pdf_text(reports.render_bulletin(make_content(make_sector())))[1]
    text = re.sub(r"\s", "", summary)
    assert "“未达标”指显著低于目标（单侧检验，5%显著性水平）" in text
    assert "这不等于“95%置信区间整体低于目标”" in text
    english = pdf_text(reports.render_bulletin(make_content(make_sector(), lang="en")))[1]
    assert "'Not met' means significantly below the goal (one-sided test, 5% level)" in english
    assert "not the same as the 95% confidence interval lying below the goal" in english


def test_a_rate_goal_gets_its_own_verdict_next_to_the_rate(make_sector, make_content, pdf_text):
    sector = make_sector(rate_goal=60)
    r = sector.result
    rate = r.satisfaction_rate
    assert r.rate_goal == 60 and rate.goal_status is not None
    rate_word = WORD[verdict_of(rate, r.small_sample)]
    pages = pdf_text(reports.render_bulletin(make_content(sector)))
    summary, section = pages[1], pages[2].replace(" ", "")
    assert f"{fmt.pct(rate.estimate)} {fmt.ci(rate.ci)} {rate_word}（目标 60%）" in summary
    assert "满意率对照目标 60% 判定" in summary
    assert (
        f"满意率{fmt.pct(rate.estimate)}（95%置信区间{fmt.ci(rate.ci)}），"
        f"对照满意率目标60%判定：{rate_word}。"
    ).replace(" ", "") in section
    assert any("设有满意率目标的行业" in p for p in pages[3:])
