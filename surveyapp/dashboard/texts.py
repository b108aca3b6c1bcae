"""Texts of the dashboard, merged into :data:`surveyapp.i18n.MESSAGES` (``key: (zh, en)``)."""

from __future__ import annotations

from reports.texts import TEXTS as BULLETIN_TEXTS
from surveyapp.i18n import MESSAGES

DASHBOARD_MESSAGES: dict[str, tuple[str, str]] = {
    "dash_title": ("生活性服务业满意度监测看板", "Life-services satisfaction dashboard"),
    "dash_period": ("监测期", "Period"),
    "dash_sector": ("行业", "Sector"),
    "dash_district": ("区县", "District"),
    "dash_all": ("全部", "All"),
    "dash_apply": ("筛选", "Apply"),
    "dash_no_data": ("暂无可查看的调查轮次。", "There is no survey round you may see yet."),
    "dash_index": ("满意度指数", "Satisfaction index"),
    "dash_ci": ("95% 置信区间 {lo}–{hi}", "95% CI {lo}–{hi}"),
    "dash_goal": ("满意度指数目标 {goal} 分", "Index goal {goal}"),
    "dash_rate_value": ("满意率 {rate}%", "Satisfaction rate {rate}%"),
    "dash_rate_goal": ("满意率目标 {goal}%", "Rate goal {goal}%"),
    "dash_col_index_verdict": ("指数判定", "Index verdict"),
    "dash_col_rate": ("满意率", "Rate"),
    "dash_col_rate_ci": ("满意率 95% 置信区间", "Rate 95% CI"),
    "dash_col_rate_verdict": ("满意率判定", "Rate verdict"),
    "dash_goals_on_cards": (
        "每张卡片注明所判定的指标及其目标",
        "each card names the measure judged and its goal",
    ),
    "dash_goal_short": ("目标 {goal}", "goal {goal}"),
    "dash_verdict_met": ("达标", "Goal met"),
    "dash_verdict_not_met": ("未达标", "Goal not met"),
    "dash_verdict_inconclusive": ("尚无定论", "Inconclusive"),
    "dash_verdict_small": ("样本不足", "Sample too small"),
    "dash_change": ("较 {period}：{change}", "Since {period}: {change}"),
    "dash_change_sig": ("变化显著", "significant"),
    "dash_change_not_sig": ("变化不显著", "not significant"),
    "dash_change_detail": ("（{sig}，{p}）", "({sig}, {p})"),  # p: reports.fmt.p_value
    "dash_change_none": ("无上期可比数据", "no comparable previous period"),
    "dash_n": ("有效样本 {n} / 收到 {received}", "{n} analysed of {received} received"),
    "dash_details": ("详情", "Details"),
    "dash_district_table": ("分区县结果", "By district"),
    "dash_col_district": ("区县", "District"),
    "dash_col_n": ("样本量", "n"),
    "dash_col_index": ("指数", "Index"),
    "dash_col_ci": ("95% 置信区间", "95% CI"),
    "dash_col_verdict": ("结论", "Verdict"),
    "dash_col_received": ("已收回", "Received"),
    "dash_col_target": ("目标样本", "Target"),
    "dash_col_progress": ("完成率", "Progress"),
    "dash_small_flag": (
        "样本少于 {min_n}，结果仅供参考",
        "fewer than {min_n} respondents: indicative only",
    ),
    "dash_trend": ("指数趋势", "Index trend"),
    "dash_trend_title": (
        "{sector}满意度指数趋势（含 95% 置信区间，虚线为目标 {goal} 分）",
        "{sector}: index over periods (95% CI; dashed line: goal {goal})",
    ),
    "dash_bars_title": (
        "{sector}各区县满意度指数（含 95% 置信区间，竖线为目标 {goal} 分）",
        "{sector}: index by district (95% CI; line: goal {goal})",
    ),
    "dash_dimensions": ("各维度得分", "Dimension scores"),
    "dash_col_dimension": ("维度", "Dimension"),
    "dash_col_score": ("得分", "Score"),
    "dash_quality": ("数据质量", "Data quality"),
    "dash_q_received": ("收到问卷", "Responses received"),
    "dash_q_speeders": ("答题过快", "Too fast"),
    "dash_q_straightliners": ("同一答案到底", "Straight-lining"),
    "dash_q_duplicates": ("疑似重复", "Suspected duplicates"),
    "dash_q_any": ("被标记问卷", "Flagged responses"),
    "dash_q_excluded": ("已剔除", "Excluded"),
    "dash_q_held": ("待复核（暂不计入）", "Held for review (not counted)"),
    "dash_q_rejected": ("复核后驳回", "Rejected on review"),
    "dash_q_signals": ("带异常信号（仅提示）", "With a fraud signal (not excluded)"),
    "dash_targets": ("样本收集进度", "Responses against targets"),
    "dash_total": ("合计", "Total"),
    "dash_round": ("轮次 {code}", "Round {code}"),
    "dash_stale": (
        "数据截至 {when}（{n} 份答卷），正在更新，刷新页面查看最新结果",
        "Figures as of {when} ({n} responses); an update is being computed — reload to see it.",
    ),
    "dash_unweighted": (
        "未加权：尚未上传总体结构",
        "unweighted: no population margins uploaded",
    ),
    "dash_error": ("本轮暂无法计算：{error}", "This round cannot be analysed yet: {error}"),
    "dash_district_scope": ("区县：{district}", "District: {district}"),
    "dash_pending": (
        "该调查轮次答卷较多，正在计算分析结果，本页将每 {seconds} 秒自动刷新。",
        "This round has many responses and its analysis is being computed; the page "
        "reloads itself every {seconds} seconds.",
    ),
    "dash_not_found": ("没有符合筛选条件的调查轮次。", "No survey round matches these filters."),
    # the round's responses (microdata), for the roles that may have them
    "dash_responses_download": (
        "下载本轮全部答卷（逐份作答明细，下载会被记录）：",
        "Download this round's responses (one row per respondent; downloads are logged):",
    ),
    "dash_responses_csv": ("答卷 CSV", "Responses CSV"),
    "dash_responses_xlsx": ("答卷 Excel", "Responses Excel"),
    "dash_responses_sav": ("答卷 SPSS (.sav)", "Responses SPSS (.sav)"),
    # what a filter named that is not there or not allowed (DashboardError)
    "dash_err_sector_forbidden": (
        "行业“{sector}”未分配给本账号",
        "sector {sector!r} is not assigned to this account",
    ),
    "dash_err_no_sector": ("行业“{sector}”没有调查轮次", "no round for sector {sector!r}"),
    "dash_err_no_period": ("监测期“{period}”没有调查轮次", "no round in period {period!r}"),
    "dash_err_no_round": (
        "行业“{sector}”在监测期“{period}”没有调查轮次",
        "no round for sector {sector!r} in period {period!r}",
    ),
    "dash_err_no_district": (
        "监测期 {period} 没有区县“{district}”",
        "no district {district!r} in period {period}",
    ),
    "dash_no_target": ("—", "—"),
    "dash_ipa": ("重要性—表现矩阵", "Importance-performance matrix"),
    "dash_ipa_title": (
        "{sector}各维度影响度与得分（横轴影响度，纵轴得分，虚线为平均值；右下为优先改进）",
        "{sector}: importance across, score up, split at the means; bottom right: fix first",
    ),
    "dash_ipa_x": ("影响度 →", "Importance →"),
    "dash_ipa_y": ("得分", "Score"),
    "dash_ipa_scope": (
        "影响度按本行业全部区县估计，不随区县筛选变化。",
        "Importance is estimated over all districts of the sector, whatever the district filter.",
    ),
    "dash_ipa_caption": (
        "各维度的影响度、得分与象限（按改进优先顺序）",
        "Importance, score and quadrant of each dimension (in order of priority)",
    ),
    "dash_col_no": ("序号", "No."),
    "dash_col_round": ("轮次", "Round"),
    "dash_col_ci_low": ("95% 置信区间下限", "95% CI low"),
    "dash_col_rate_ci_low": ("满意率 95% 置信区间下限", "Rate 95% CI low"),
    "dash_col_rate_ci_high": ("满意率 95% 置信区间上限", "Rate 95% CI high"),
    "dash_col_ci_high": ("95% 置信区间上限", "95% CI high"),
    "dash_col_small": ("样本不足", "Small sample"),
    "dash_col_change": ("较上期变化", "Change since last period"),
    "dash_col_change_p": ("变化 p 值", "Change p-value"),
    "dash_yes": ("是", "yes"),
    "dash_no": ("否", "no"),
    "dash_download": ("下载指数表：", "Download the indices table:"),
    "dash_download_csv": ("CSV 文件", "CSV file"),
    "dash_download_xlsx": ("Excel 文件", "Excel file"),
    "dash_col_importance": ("影响度", "Importance"),
    "dash_col_quadrant": ("象限", "Quadrant"),
}

# The importance-performance wording is the bulletin's own, so the two say the same.
DASHBOARD_MESSAGES.update(
    {
        f"dash_{key}": BULLETIN_TEXTS[key]
        for key in (
            "verdict_note",
            "goal_index",
            "goal_rate",
            "goal_rate_none",
            "goal_sep",
            "ipa_intro",
            "ipa_fix",
            "ipa_none",
            "ipa_na",
            "list_sep",
            "fix_first",
            "keep_up",
            "low_priority",
            "possible_overkill",
        )
    }
)

# rounds (issue 14): rounds shown beside the one that counts, rounds not open yet
DASHBOARD_MESSAGES.update(
    {
        "dash_beside": (
            "同期另一轮次 {code}，与本行业计入的轮次并列显示",
            "Another round of this period, {code}, shown beside the round that counts",
        ),
        "dash_parallel": ("平行样本", "parallel sample"),
        "dash_scheduled": ("已安排、尚未开始的轮次", "Rounds scheduled, not open yet"),
        "dash_scheduled_dates": ("调查日期（北京时间）", "Dates (China time)"),
        "dash_scheduled_hint": (
            "尚未开始的轮次不计入上方数据；看板默认显示最近一个已有回答的监测期。",
            "Rounds not open yet are not in the figures above; the dashboard opens on the"
            " latest period with responses.",
        ),
        "dash_day": ("{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}"),
    }
)

for _key, _texts in DASHBOARD_MESSAGES.items():
    MESSAGES.setdefault(_key, _texts)
