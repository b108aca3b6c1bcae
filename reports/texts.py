"""The bulletin's wording in Chinese and English.

Labels live here, at the edge: the analysis returns ids and numbers only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TEXTS", "Texts"]

TEXTS: dict[str, tuple[str, str]] = {
    "default_title": (
        "生活性服务业服务质量第三方监测公报",
        "Third-party monitoring bulletin on life-service quality",
    ),
    "period": ("监测期", "Period"),
    "issued": ("发布日期", "Issued"),
    "issuer": ("发布单位", "Issued by"),
    "edition": ("第 {n} 期", "No. {n}"),
    "draft": ("草稿（未发布）", "DRAFT (not published)"),
    "interim": ("中期", "Interim"),
    "interim_cover": (
        "中期公报：本期仍有调查轮次在进行，以下数字截至发布之日，不是本期的最终结果。",
        "Interim bulletin: a survey round of this period was still open; the figures are "
        "those of the issue date, not the period's final results.",
    ),
    "replaces": ("本期为更正版，替代第 {n} 期", "This edition corrects and replaces No. {n}"),
    "page": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    # summary
    "summary": ("一、总体情况", "1. Summary"),
    "summary_intro": (
        "下表列出各行业满意度指数（0–100 分，目标值 {goal}）及其 95% 置信区间和对照指数目标的判定，"
        "满意率（回答“满意”或“非常满意”的比例）及其 95% 置信区间，以及指数较上期的变化。",
        "The table gives each sector's satisfaction index (0-100, goal {goal}) with its 95% "
        "confidence interval and its verdict against that goal, the satisfaction rate (the "
        "share answering 'satisfied' or better) with its 95% confidence interval, and the "
        "change of the index since the previous period.",
    ),
    "col_sector": ("行业", "Sector"),
    "col_n": ("样本量", "n"),
    "col_index": ("满意度指数", "Index"),
    "col_ci": ("95% 置信区间", "95% CI"),
    "col_rate": ("满意率", "Satisfied"),
    "col_change": ("较上期变化", "Change"),
    "col_verdict": ("目标判定", "Goal"),
    "col_index_verdict": ("指数判定（目标 {goal}）", "Index vs goal {goal}"),
    "col_rate_ci": ("满意率 95% 置信区间", "Rate 95% CI"),
    "col_rate_verdict": ("满意率判定", "Rate vs its goal"),
    "rate_goal_cell": ("{verdict}（目标 {goal}）", "{verdict} (goal {goal})"),
    "col_dimension": ("维度", "Dimension"),
    "col_score": ("得分", "Score"),
    "col_importance": ("影响度", "Importance"),
    "col_weight": ("设定权重", "Set weight"),
    "col_quadrant": ("象限", "Quadrant"),
    "col_district": ("区县", "District"),
    "col_variable": ("变量", "Variable"),
    "col_category": ("类别", "Category"),
    "col_population": ("总体数", "Population"),
    "col_rule": ("规则", "Rule"),
    "col_count": ("剔除数", "Excluded"),
    "col_iterations": ("迭代次数", "Sweeps"),
    "col_deff": ("设计效应", "deff"),
    "col_eff_n": ("有效样本量", "Effective n"),
    "col_package": ("软件", "Software"),
    "col_version": ("版本", "Version"),
    "sig": ("显著", "significant"),
    "not_sig": ("不显著", "not significant"),
    "no_previous": ("无上期数据", "no previous period"),
    "met": ("达标", "Met"),
    "not_met": ("未达标", "Not met"),
    "inconclusive": ("尚无定论", "Inconclusive"),
    "small": ("样本不足", "Too few responses"),
    "no_data": ("无数据", "No data"),
    "findings": ("主要发现", "Key findings"),
    "verdict_note": (
        "判定规则：{goals}。“未达标”指显著低于目标（单侧检验，5% 显著性水平），“达标”指显著高于目标，"
        "其余为“尚无定论”；有效样本少于 {min_n} 份不作判定。这不等于“95% 置信区间整体低于目标”："
        "区间上端略高于目标时，仍可能判为“未达标”。95% 置信区间照常列出，供了解估计的精度。"
        "较上期变化的显著性为双侧检验，α = 0.05。",
        "How verdicts are given: {goals}. 'Not met' means significantly below the goal "
        "(one-sided test, 5% level), 'Met' significantly above it, anything else "
        "'Inconclusive'; fewer than {min_n} analysed responses get no verdict. This is not "
        "the same as the 95% confidence interval lying below the goal: a result whose "
        "interval reaches just above the goal can still be 'Not met'. The 95% intervals are "
        "shown for the precision of each estimate. Changes since the previous period are "
        "tested two-sided at alpha = 0.05.",
    ),
    "goal_index": (
        "满意度指数对照目标 {goal} 分判定",
        "the index is judged against its goal of {goal}",
    ),
    "goal_rate": (
        "满意率对照目标 {goal}% 判定",
        "the satisfaction rate against its goal of {goal}%",
    ),
    "goal_rate_none": (
        "满意率只报告数字，不作判定",
        "the satisfaction rate is reported without a verdict",
    ),
    "goal_sep": ("；", "; "),
    # findings
    "f_overview": (
        "本期监测 {k} 个行业，按满意度指数对照目标 {goal} 分：{met} 个达标，{not_met} 个未达标，{inc} 个尚无定论{small}。",
        "{k} sectors were monitored; on the index against its goal of {goal}, {met} met the "
        "goal, {not_met} did not, {inc} inconclusive{small}.",
    ),
    "f_overview_small": ("，{n} 个样本不足", ", {n} with too few responses"),
    "f_rise": (
        "较上期升幅最大的是{sector}，指数从 {before} 升至 {after}（{change}，{sig}）。",
        "The largest rise was in {sector}: from {before} to {after} ({change}, {sig}).",
    ),
    "f_fall": (
        "较上期降幅最大的是{sector}，指数从 {before} 降至 {after}（{change}，{sig}）。",
        "The largest fall was in {sector}: from {before} to {after} ({change}, {sig}).",
    ),
    "f_weakest": (
        "得分最低的维度是{sector}的“{dimension}”，得分 {score}。",
        "The weakest dimension was '{dimension}' in {sector}, at {score}.",
    ),
    "f_districts": (
        "满意度指数显著低于目标 {goal} 分的区县：{items}。",
        "Districts whose index is significantly below the goal of {goal}: {items}.",
    ),
    "f_districts_none": (
        "没有区县的满意度指数显著低于目标值 {goal}。",
        "No district's index was significantly below the goal of {goal}.",
    ),
    "f_district_item": ("{district}（{sector} {score}）", "{district} ({sector} {score})"),
    "f_more": ("等，共 {n} 项", " ({n} in all)"),
    "list_sep": ("、", ", "),
    # sector sections
    "section": ("{num}、{title}", "{num}. {title}"),
    "sector_numbers": (
        "满意度指数 {index}（95% 置信区间 {ci}），对照指数目标 {goal} 分判定：{verdict}。",
        "Satisfaction index {index} (95% CI {ci}); against the index goal of {goal}: {verdict}.",
    ),
    "sector_rate": (
        "满意率 {rate}（95% 置信区间 {rate_ci}）。",
        "Satisfaction rate {rate} (95% CI {rate_ci}).",
    ),
    "sector_rate_goal": (
        "满意率 {rate}（95% 置信区间 {rate_ci}），对照满意率目标 {goal}% 判定：{verdict}。",
        "Satisfaction rate {rate} (95% CI {rate_ci}); against the rate goal of {goal}%: {verdict}.",
    ),
    "sector_change": (
        "较上期（{period}）变化 {change}（95% 置信区间 {ci}，{p}，{sig}）。",
        "Change since {period}: {change} (95% CI {ci}, {p}, {sig}).",
    ),
    "sector_sample": (
        "收到问卷 {received} 份，纳入分析 {n} 份，加权后有效样本量 {eff_n}（设计效应 {deff}）。",
        "{received} responses received, {n} analysed; effective sample size after weighting {eff_n} (deff {deff}).",
    ),
    "small_notice": (
        "本期{sector}仅有 {n} 份有效问卷，少于发布所需的 {min_n} 份，样本量不足，不发布指数和判定。",
        "{sector} has only {n} usable responses this period, fewer than the {min_n} needed: "
        "no index or verdict is published.",
    ),
    "no_data_notice": (
        "本期{sector}没有可分析的问卷（收到 {received} 份），不发布指数。",
        "{sector} has no analysable response this period ({received} received): no index is published.",
    ),
    "h_dimensions": ("各维度得分", "Dimension scores"),
    "h_districts": ("各区县满意度指数排名", "Districts ranked by index"),
    "h_trend": ("近期走势", "Trend"),
    "h_ipa": ("重要性—表现分析", "Importance-performance analysis"),
    "h_suggestions": ("居民意见建议摘录", "Residents' suggestions"),
    "h_quality": ("数据质量", "Data quality"),
    "chart_note": (
        "横线为 95% 置信区间，竖虚线为目标值 {goal}；灰色为样本不足（n < {min_n}）的区县，仅供参考。",
        "Bars show 95% confidence intervals, the dashed line the goal of {goal}; grey: fewer "
        "than {min_n} responses, for reference only.",
    ),
    "trend_single": ("仅有本期数据，暂无走势。", "Only this period has data; no trend yet."),
    "ipa_intro": (
        "影响度由总体满意度对各维度得分的加权回归得出（负系数记为 0，归一化）。“优先改进”为影响度高而得分低的维度。",
        "Importance is derived from a weighted regression of overall satisfaction on the "
        "dimension scores (negative coefficients set to 0, normalised). 'Fix first': high "
        "importance, low score.",
    ),
    "ipa_fix": ("优先改进：{dims}。", "Fix first: {dims}."),
    "ipa_none": (
        "没有影响度高而得分低的维度。",
        "No dimension combines high importance with a low score.",
    ),
    "ipa_na": ("样本不足以估计各维度的影响度。", "Too few responses to estimate importance."),
    "fix_first": ("优先改进", "Fix first"),
    "keep_up": ("继续保持", "Keep up"),
    "low_priority": ("次要改进", "Low priority"),
    "possible_overkill": ("适度投入", "Possible overkill"),
    "suggestions_none": ("本期没有收到意见建议。", "No suggestions were received this period."),
    "suggestion_count": ("（{n} 人）", " ({n} respondents)"),
    "suggestions_review": (
        "纳入分析的答卷中共有 {texts} 条不同的意见建议，已审核 {reviewed} 条，经审核刊登 {approved} 条"
        "（已隐去个人信息、链接和联系方式）。",
        "Analysed responses gave {texts} distinct suggestions; {reviewed} were reviewed and "
        "{approved} approved for publication (personal data, links and contact details removed).",
    ),
    "suggestions_pending": (
        "另有 {n} 条尚待审核，未予刊登。",
        " {n} more await review and are not printed.",
    ),
    "quality_text": (
        "收到 {received} 份，按数据质量规则剔除 {excluded} 份，纳入分析 {n} 份。",
        "{received} received, {excluded} excluded by the data-quality rules, {n} analysed.",
    ),
    "quality_not_applied": (
        "收到 {received} 份，未按数据质量规则剔除，纳入分析 {n} 份。",
        "{received} received, no data-quality exclusion applied, {n} analysed.",
    ),
    "unweighted": (
        "以下类别本期没有纳入分析的受访者，加权时未计入其总体数，其余类别按比例调整：{items}。",
        "These categories had no analysed respondent and were left out of the weighting "
        "(the others scaled accordingly): {items}.",
    ),
    "rule_speeders": ("作答过快", "Speeders"),
    "rule_straightliners": ("整齐划一作答", "Straight-liners"),
    "rule_duplicates": ("重复提交", "Duplicates"),
    "rule_flagged": ("人工标记", "Flagged by hand"),
    "rule_held": (
        "待复核（同一来源超过阈值，暂不计入）",
        "Held for review (one source beyond the threshold; not counted)",
    ),
    "rule_rejected": ("经复核驳回（不计入）", "Rejected on review (not counted)"),
    "rule_signals": (
        "带异常信号（仅提示，不剔除）",
        "With a fraud signal (shown only, not excluded)",
    ),
    "rule_any": ("合计（去重）", "Total (distinct)"),
    # appendix
    "appendix": ("附录　监测方法", "Appendix: Methodology"),
    "a_sampling": ("抽样与样本量", "Sampling and sample sizes"),
    "a_sampling_text": (
        "居民通过网页、小程序或现场终端自愿填答，各区县设有配额目标。下表为各区县纳入分析的样本量。",
        "Residents answer voluntarily on the web, the mini-program or kiosks, with quota "
        "targets per district. The table gives the analysed responses per district.",
    ),
    "a_weighting": ("加权与总体数", "Weighting and margins"),
    "a_weighting_text": (
        "样本按下列总体数进行迭代比例拟合加权（raking），依次调整 {variables}，直至各边际相对误差小于 1e-10（最多 100 轮）。"
        "权重变异带来的设计效应按 Kish 公式 n·Σw²/(Σw)² 计算。",
        "Responses are raked (iterative proportional fitting) to the population totals below, "
        "adjusting {variables} in turn until every margin is met to 1e-10 relative (at most "
        "100 sweeps). The design effect due to weighting is Kish's n·Σw²/(Σw)².",
    ),
    "a_unweighted": (
        "未加权：尚未上传总体结构（总体数），每份问卷权重为 1；以下数字反映受访样本本身的构成。",
        "Unweighted: no population margins have been uploaded, so every response weighs 1 "
        "and the figures reflect the make-up of the sample itself.",
    ),
    "unweighted_short": ("未加权", "unweighted"),
    "a_weighting_own": (
        "各行业按其调查轮次上传的总体结构分别进行迭代比例拟合加权（raking）；未上传总体结构的行业未加权，"
        "每份问卷权重为 1。",
        "Each sector is raked to the population margins uploaded for its survey round; a sector "
        "without uploaded margins is unweighted (every response weighs 1).",
    ),
    "a_index": ("指数计算", "The index"),
    "a_index_text": (
        "每题得分换算为 0–100 分：100·(x − 最低分)/(最高分 − 最低分)。维度得分为该维度已答题目得分的加权平均，"
        "指数为各维度得分按问卷设定权重的加权平均（对有得分的维度重新归一化）。满意率为总体评价达到“满意”及以上者的加权比例。"
        "估计为设计加权的比率均值，标准误采用泰勒线性化{strata}；指数和得分的区间为估计值 ± 1.96 倍标准误，满意率采用 logit 区间。",
        "Each answer becomes 0-100: 100·(x − min)/(max − min). A dimension score is the "
        "weighted mean of its answered items; the index is the mean of the dimension scores "
        "with the questionnaire's weights (renormalised over scored dimensions). The "
        "satisfaction rate is the weighted share answering 'satisfied' or better overall. "
        "Estimates are weighted ratio means with Taylor-linearised standard errors{strata}; "
        "intervals are estimate ± 1.96 SE, logit intervals for the rate.",
    ),
    "a_strata": ("（以{strata}为层）", " (stratified by {strata})"),
    "a_goal": ("目标检验", "The goal test"),
    "a_goal_text": (
        "z = (指数 − {goal})/标准误。单侧 p < 0.05 且指数高于目标为“达标”，低于目标为“未达标”，否则为“尚无定论”。"
        "纳入分析少于 {min_n} 份的行业或区县只报告数字、不作判定；本公报对样本不足的行业不发布数字。",
        "z = (index − {goal})/SE. One-sided p < 0.05 above the goal is 'Met', below is 'Not "
        "met', otherwise 'Inconclusive'. A sector or district with fewer than {min_n} "
        "analysed responses gets no verdict; this bulletin prints no numbers for such sectors.",
    ),
    "a_rate_goal_text": (
        "设有满意率目标的行业，满意率按同一规则判定：z = (满意率 − 目标)/标准误（线性化标准误，百分点）。",
        "Where a sector sets a goal for the satisfaction rate, the rate is judged by the same "
        "rule: z = (rate − goal)/SE, with the rate's linearised SE in percentage points.",
    ),
    "a_exclusions": ("剔除规则", "Exclusion rules"),
    "a_exclusions_text": (
        "作答过快：用时不足中位用时的 {speed}；整齐划一：至少 {min_items} 道已答评分题的答案完全相同；"
        "重复提交：答案和基本情况与此前某份完全相同（保留第一份）。被标记的问卷不纳入估计，但不删除。",
        "Speeders: under {speed} of the median completion time; straight-liners: the same "
        "answer to every rating item, over at least {min_items} answered items; duplicates: "
        "the same answers and profile as an earlier response (the first is kept). Flagged "
        "responses are left out of the estimates, never deleted.",
    ),
    "a_no_exclusions": ("本期未剔除任何问卷。", "No response was excluded."),
    "a_software": ("软件与版本", "Software and versions"),
    "a_software_text": (
        "统计结果由 surveyapp 的 analysis 模块计算，与 R survey 包的结果一致；本公报由 ReportLab 生成。",
        "The numbers are computed by surveyapp's analysis module and agree with R's survey "
        "package; this bulletin is typeset with ReportLab.",
    ),
    "a_weights_per_sector": ("各行业加权情况", "Weighting per sector"),
    "converged_no": ("（未收敛）", " (not converged)"),
}


class Texts:
    """The wording of one language: ``texts("met")``, ``texts("edition", n=3)``."""

    def __init__(self, lang: str) -> None:
        self.lang = "en" if lang == "en" else "zh"

    def __call__(self, key: str, **params: Any) -> str:
        zh, en = TEXTS[key]
        text = en if self.lang == "en" else zh
        return text.format(**params) if params else text

    def numeral(self, n: int) -> str:
        """Section numbers: 二, 三, ... in Chinese, 2, 3, ... in English."""
        if self.lang == "en":
            return str(n)
        digits = "零一二三四五六七八九十"
        if n <= 10:
            return digits[n]
        if n < 20:
            return "十" + digits[n - 10]
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
