"""Texts of the rounds admin pages, merged into :data:`surveyapp.i18n.MESSAGES`.

``key: (zh, en)``; keys already defined there are never overridden.  Errors are shown
in both languages, Chinese first (:func:`both`): an administrator who switched the
page to English still sees the wording a Chinese colleague would quote.
"""

from __future__ import annotations

from surveyapp.i18n import MESSAGES, t

ADMIN_MESSAGES: dict[str, tuple[str, str]] = {
    "nav_rounds": ("调查轮次", "Rounds"),
    "rounds_title": ("调查轮次管理", "Survey rounds"),
    "rounds_intro": (
        "创建调查轮次、上传人口结构数据、生成调查链接、二维码海报和邀请码，结束调查。",
        "Open survey rounds, upload population margins, make links, QR posters and "
        "invitation codes, and close rounds.",
    ),
    "rounds_new": ("新建调查轮次", "New round"),
    "rounds_none": ("尚无调查轮次。", "There is no round yet."),
    "rounds_code": ("轮次代码", "Code"),
    "rounds_sector": ("行业 / 问卷", "Sector / questionnaire"),
    "rounds_period": ("监测期", "Period"),
    "rounds_dates": ("起止时间", "Dates"),
    "rounds_status": ("状态", "Status"),
    "rounds_progress": ("已收答卷 / 目标样本", "Responses / target"),
    "rounds_state_open": ("进行中", "open"),
    "rounds_state_closed": ("已结束", "closed"),
    "rounds_state_not_open": ("未开始", "not open yet"),
    "rounds_total": ("合计", "Total"),
    "rounds_no_district": ("未填区县", "no district given"),
    "rounds_no_target": ("未设目标", "no target"),
    "rounds_manage": ("管理", "Manage"),
    # creating
    "rounds_pick_title": ("选择问卷", "Choose the questionnaire"),
    "rounds_pick_hint": (
        "只能选择已发布（冻结）的问卷版本；每份答卷都记录它所用的版本。",
        "Only published (frozen) questionnaire versions can be used; every response "
        "records the version it answered.",
    ),
    "rounds_no_versions": (
        "尚无已发布的问卷。请先运行 surveyapp questionnaires load。",
        "No questionnaire is published yet: run surveyapp questionnaires load first.",
    ),
    "rounds_continue": ("下一步", "Continue"),
    "rounds_questionnaire": ("问卷", "Questionnaire"),
    "rounds_version_label": ("{title}（{qid} 第 {version} 版）", "{title} ({qid} v{version})"),
    "rounds_period_hint": (
        "例如 2026Q4（季度）、2026M09（月）、2026H1（半年）或 2026（年）。",
        "e.g. 2026Q4 (quarter), 2026M09 (month), 2026H1 (half year) or 2026 (year).",
    ),
    "rounds_code_hint": (
        "用于调查链接 /s/代码；字母、数字、- 和 _，3-40 个字符。留空则为 {example}。",
        "Used in the survey link /s/CODE: letters, digits, - and _, 3-40 characters. "
        "Empty: {example}.",
    ),
    "rounds_opens": ("开始日期", "Opens on"),
    "rounds_closes": ("结束日期（含当天）", "Closes after (last day included)"),
    "rounds_dates_hint": (
        "按北京时间计算：开始日期 0:00 开放，结束日期当天 23:59:59 截止（含当天）。"
        "留空则为该监测期的第一天和最后一天。",
        "China time: the round opens at 00:00 of its first day and takes answers until "
        "23:59:59 of its closing day (included). Empty: the first and last day of the "
        "period.",
    ),
    "rounds_districts": ("调查区县", "Districts"),
    "rounds_districts_hint": (
        "默认为问卷的全部区县。可为每个区县设定目标样本量；留空则用统一目标。",
        "By default every district of the questionnaire. Give a district its own "
        "target sample, or leave it empty to use the common target.",
    ),
    "rounds_target": ("目标样本量", "Target sample"),
    "rounds_default_target": ("统一目标样本量（每个区县）", "Common target sample (per district)"),
    "rounds_require_token": ("仅限邀请码参与", "Invitation code required"),
    "rounds_require_token_hint": (
        "开启后，居民须凭一次性邀请码作答（适用于抽样调查）。",
        "Residents need a single-use invitation code to answer (for sampled surveys).",
    ),
    "rounds_create_button": ("创建并开始调查", "Open the round"),
    "rounds_created": ("已创建调查轮次 {code}。", "Round {code} opened."),
    "rounds_form_errors": (
        "表单有 {n} 处需要修改，已在相应位置标出。",
        "{n} entries need attention; they are marked below.",
    ),
    # one round
    "rounds_round_title": ("调查轮次 {code}", "Round {code}"),
    "rounds_back": ("返回轮次列表", "Back to the rounds"),
    "rounds_links": ("调查链接与二维码", "Survey link and QR code"),
    "rounds_links_hint": (
        "整轮调查使用一个链接；也可为每个区县打印单独的海报，链接带有区县参数 d。",
        "One link serves the whole round; each district can also have its own poster, "
        "whose link carries the district in the d parameter.",
    ),
    "rounds_whole_round": ("整轮", "Whole round"),
    "rounds_district": ("区县", "District"),
    "rounds_link": ("链接", "Link"),
    "rounds_qr_png": ("二维码 PNG", "QR code PNG"),
    "rounds_poster_pdf": ("A4 海报 PDF", "A4 poster PDF"),
    "rounds_qr_alt": ("调查链接的二维码", "QR code of the survey link"),
    "rounds_margins": ("人口结构（加权用）", "Population margins (for weighting)"),
    "rounds_margins_hint": (
        "上传 UTF-8 编码的 CSV 文件，表头为 variable,category,population，每行一个类别，"
        "例如 district,思茅区,367000。文件不超过 {limit}。",
        "Upload a UTF-8 CSV file with the header variable,category,population and one "
        "category a row, e.g. district,思茅区,367000. At most {limit}.",
    ),
    "rounds_margins_none": (
        "本轮尚未上传人口结构数据，分析时使用系统默认设置。",
        "No margins uploaded for this round: the analysis uses the configured default.",
    ),
    "rounds_margins_file": ("人口结构 CSV 文件", "Margins CSV file"),
    "rounds_margins_upload": ("上传", "Upload"),
    "rounds_margins_replace": ("上传新文件替换", "Upload a file to replace them"),
    "rounds_margins_clear": ("清除人口结构数据", "Clear the margins"),
    "rounds_margins_saved": (
        "已保存 {n} 个变量的人口结构数据。",
        "Margins of {n} variable(s) saved.",
    ),
    "rounds_margins_cleared": ("已清除人口结构数据。", "Margins cleared."),
    "rounds_variable": ("变量", "Variable"),
    "rounds_category": ("类别", "Category"),
    "rounds_population": ("人口数", "Population"),
    "rounds_invitations": ("邀请码", "Invitation codes"),
    "rounds_invitations_hint": (
        "生成一次性邀请码，下载为 CSV（含每个邀请码的完整链接）。系统只保存邀请码的摘要，"
        "邀请码只显示这一次，请妥善保存下载的文件。",
        "Make single-use invitation codes and download them as CSV (with the full link "
        "of each). Only their hashes are stored: the codes are shown this once, keep the "
        "file safe.",
    ),
    "rounds_invitations_count": ("邀请码数量（1-{max}）", "Number of codes (1-{max})"),
    "rounds_invitations_button": ("生成并下载 CSV", "Make and download the CSV"),
    "rounds_invitations_stats": (
        "已生成 {issued} 个，已使用 {used} 个。",
        "{issued} issued, {used} used.",
    ),
    "rounds_close": ("结束调查", "Close the round"),
    "rounds_close_confirm_title": ("确认结束调查轮次 {code}？", "Close round {code}?"),
    "rounds_close_confirm": (
        "结束后居民将无法再提交答卷，此操作不能撤销，并记入审计日志。",
        "Residents can no longer answer once it is closed. This cannot be undone and is "
        "written to the audit log.",
    ),
    "rounds_close_button": ("确认结束", "Close it"),
    "rounds_cancel": ("取消", "Cancel"),
    "rounds_closed": ("调查轮次 {code} 已结束。", "Round {code} is closed."),
    "rounds_is_closed": ("本轮调查已结束（{date}）。", "This round closed on {date}."),
    "rounds_requires_token": ("需邀请码", "invitation code required"),
    # poster
    "poster_instruction": ("扫码参与满意度调查", "Scan to take the survey"),
    "poster_period": ("监测期：{period}", "Period: {period}"),
    "poster_district": ("区县：{district}", "District: {district}"),
    "poster_closes": ("截止时间：{date}", "Open until {date}"),
    "poster_issuer": ("发布单位：{issuer}", "Issued by {issuer}"),
    "poster_privacy": (
        "匿名调查，不收集姓名、电话等个人信息。",
        "Anonymous: no name or phone number is collected.",
    ),
    # errors (shown next to the field, Chinese then English)
    "rounds_err_required": ("此项为必填项。", "This is required."),
    "rounds_err_not_date": ("须为日期，例如 2026-10-01。", "Must be a date such as 2026-10-01."),
    "rounds_err_not_integer": (
        "须为 1 到 {max} 之间的整数。",
        "Must be a whole number from 1 to {max}.",
    ),
    "rounds_err_no_district": ("至少选择一个区县。", "Choose at least one district."),
    "rounds_err_unknown_version": (
        "所选问卷版本不存在或未发布。",
        "The chosen questionnaire version is not published.",
    ),
    "rounds_err_not_published": (
        "问卷 {qid} 第 {version} 版未发布。",
        "Questionnaire {qid} v{version} is not published.",
    ),
    "rounds_err_bad_period": (
        "监测期“{period}”格式不对，应如 2026Q3、2026M09、2026H1 或 2026。",
        "The period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026.",
    ),
    "rounds_err_dates_order": (
        "结束日期不能早于开始日期。",
        "The closing date must not be before the opening date.",
    ),
    "rounds_err_unknown_district": (
        "“{district}”不是问卷 {qid} 的区县选项。",
        "{district!r} is not a district of questionnaire {qid}.",
    ),
    "rounds_err_target_not_in_round": (
        "区县“{district}”未选入本轮，不能设定目标。",
        "District {district!r} is not in the round: it cannot have a target.",
    ),
    "rounds_err_bad_target": (
        "“{district}”的目标样本量须为 1 到 {max} 之间的整数。",
        "The target of {district} must be a whole number from 1 to {max}.",
    ),
    "rounds_err_bad_code": (
        "代码“{round_code}”只能包含字母、数字、- 和 _，长度 3-40。",
        "The code {round_code!r} may use only letters, digits, - and _ (3-40 characters).",
    ),
    "rounds_err_code_taken": (
        "代码“{round_code}”已被另一轮调查使用。",
        "A round with the code {round_code!r} exists already.",
    ),
    "rounds_err_already_closed": (
        "调查轮次 {round_code} 已经结束。",
        "Round {round_code} is already closed.",
    ),
    "rounds_err_bad_count": (
        "邀请码数量须为 1 到 {max} 之间的整数。",
        "The number of invitation codes must be a whole number from 1 to {max}.",
    ),
    "rounds_err_invalid": ("输入有误：{detail}", "Invalid input: {detail}"),
    "rounds_err_token_clash": (
        "生成的邀请码与已有邀请码重复（极少见），请重试。",
        "A new invitation code clashed with an existing one (very rare): try again.",
    ),
    "rounds_err_unknown_district_param": (
        "本轮没有区县“{district}”。",
        "The round has no district {district!r}.",
    ),
    # margins upload errors
    "margins_err_no_file": ("请选择要上传的 CSV 文件。", "Choose a CSV file to upload."),
    "margins_err_too_big": (
        "文件过大：{size}，上限为 {limit}。人口结构文件通常只有几 KB。",
        "The file is too large: {size}, at most {limit}. A margins file is usually a few KB.",
    ),
    "margins_err_xlsx": (
        "这是 Excel 工作簿（.xlsx/.xls），不是 CSV。请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”后再上传。",
        "This is an Excel workbook (.xlsx/.xls), not a CSV. Save it as "
        '"CSV UTF-8 (comma delimited)" in Excel and upload that.',
    ),
    "margins_err_binary": (
        "这不是文本文件（含有二进制内容），请上传 CSV 文件。",
        "This is not a text file (it contains binary data): upload a CSV file.",
    ),
    "margins_err_not_utf8": (
        "文件不是 UTF-8 编码（第 {line} 行起）。GB18030/GBK 编码的文件请另存为 UTF-8 后上传。",
        "The file is not UTF-8 text (from line {line}). Save a GB18030/GBK file as UTF-8 "
        "and upload it again.",
    ),
    "margins_err_file": ("文件无法按 CSV 读取（{detail}）", "Not readable as CSV: {detail}"),
    "margins_err_missing_column": (
        "缺少此列（表头须为 variable,category,population）",
        "missing (the header must be variable,category,population)",
    ),
    "margins_err_empty_variable": ("变量（variable）为空", "empty variable"),
    "margins_err_empty_category": ("类别（category）为空", "empty category"),
    "margins_err_not_number": ("人口数“{value}”不是数字", "{value!r} is not a number"),
    "margins_err_not_positive": (
        "人口数须为正数，不能是 {value}",
        "the population must be positive, not {value}",
    ),
    "margins_err_duplicate": (
        "{variable}={category} 已在第 {first_row} 行出现过",
        "{variable}={category} is already on row {first_row}",
    ),
    "margins_err_no_rows": ("文件只有表头，没有数据行", "no data rows"),
    "margins_err_totals_differ": (
        "{variable} 的人口数合计为 {total}，而 {reference} 的合计为 {reference_total}；"
        "各变量须描述同一总人口",
        "the populations of {variable} add up to {total} but those of {reference} to "
        "{reference_total}; every variable must describe the same population",
    ),
    "margins_err_variable": (
        "“{variable}”不是问卷的受访者问题（可用：{known}）",
        "{variable!r} is not a respondent question of the questionnaire (known: {known})",
    ),
    "margins_err_category": (
        "“{category}”不是“{variable}”的选项",
        "{category!r} is not an option of {variable!r}",
    ),
    "margins_err_district": (
        "区县“{category}”不在本轮调查中",
        "district {category!r} is not in this round",
    ),
    "margins_err_missing": (
        "变量“{variable}”缺少类别“{category}”的人口数",
        "{variable!r} has no population for the category {category!r}",
    ),
    "margins_where_row": ("文件第 {row} 行", "row {row}"),
    "margins_where_header": ("文件表头", "the header"),
    "margins_where_column": ("{column} 列", "column {column}"),
    # channel keys of the submission API (/admin/keys)
    "nav_keys": ("渠道密钥", "Channel keys"),
    "keys_title": ("渠道密钥（答卷提交接口）", "Channel keys (submission API)"),
    "keys_intro": (
        "自助终端、微信小程序后台、呼叫中心和纸质问卷录入须凭渠道密钥通过 JSON 接口"
        "（POST /api/v1/rounds/…/responses，请求头 Authorization: Bearer <密钥>）提交答卷；"
        "居民在调查页面作答无需密钥。每个终端或系统一个密钥：答卷的渠道取自密钥，"
        "提交频率按密钥单独限制，可随时吊销。密钥只在创建时显示一次，系统只保存其 SHA-256 摘要。",
        "Kiosks, WeChat mini-program back ends, call centres and paper data entry post "
        "responses to the JSON API (POST /api/v1/rounds/…/responses, header "
        "Authorization: Bearer <key>) with a channel key; residents on the survey pages need "
        "none. Make one key per kiosk or system: a response's channel is its key's, each key "
        "is rate limited on its own, and it can be revoked at any time. A key is shown once, "
        "when it is made; only its SHA-256 is stored.",
    ),
    "keys_new": ("新建渠道密钥", "New channel key"),
    "keys_name": ("名称（哪个终端或系统）", "Name (which kiosk or system)"),
    "keys_channel": ("渠道", "Channel"),
    "keys_channel_kiosk": ("自助终端", "kiosk"),
    "keys_channel_miniprogram": ("微信小程序", "mini-program"),
    "keys_channel_phone": ("电话调查 / 呼叫中心", "phone / call centre"),
    "keys_channel_paper": ("纸质问卷录入", "paper data entry"),
    "keys_rounds": ("可提交的调查轮次", "Rounds it may post to"),
    "keys_rounds_hint": (
        "不勾选则可向所有轮次（包括以后新建的轮次）提交。",
        "None ticked: every round, also rounds opened later.",
    ),
    "keys_all_rounds": ("全部轮次", "every round"),
    "keys_trusted_stamps": (
        "该终端记录居民开始作答的时间（started_at 可信）",
        "Its client records when a resident started (started_at can be trusted)",
    ),
    "keys_trusted_stamps_hint": (
        "勾选后，质量规则识别“答题过快”时可使用该渠道提交的开始时间；否则只作参考。",
        "Ticked: the speeder rule may use this channel's started_at; otherwise it is "
        "informative only.",
    ),
    "keys_create_button": ("创建密钥", "Create key"),
    "keys_created": (
        "已创建渠道密钥“{name}”。请立即复制并配置到终端，离开本页后将无法再次查看：",
        'Channel key "{name}" created. Copy it into the kiosk or system now; it cannot be '
        "shown again:",
    ),
    "keys_none": ("尚无渠道密钥。", "No channel key yet."),
    "keys_col_name": ("名称", "Name"),
    "keys_col_stamps": ("开始时间", "Start stamps"),
    "keys_stamps_trusted": ("可信", "trusted"),
    "keys_stamps_informative": ("仅供参考", "informative"),
    "keys_created_at": ("创建时间", "Created"),
    "keys_last_used": ("最近使用", "Last used"),
    "keys_never": ("从未", "never"),
    "keys_state": ("状态", "State"),
    "keys_active": ("有效", "active"),
    "keys_revoked_state": ("已吊销", "revoked"),
    "keys_revoke": ("吊销", "Revoke"),
    "keys_revoked": ("渠道密钥“{name}”已吊销。", 'Channel key "{name}" revoked.'),
    "keys_err_key_bad_name": ("名称须为 1-100 个字符", "the name must be 1-100 characters"),
    "keys_err_key_bad_channel": (
        "请选择渠道：自助终端、微信小程序、电话调查或纸质问卷录入",
        "choose the channel: kiosk, mini-program, phone or paper",
    ),
    "keys_err_key_unknown_rounds": ("没有调查轮次 {rounds}", "no round {rounds}"),
    "keys_err_key_already_revoked": ("该密钥已被吊销。", "This key is already revoked."),
    "keys_not_found": ("未找到该渠道密钥。", "No such channel key."),
}

# rounds (issue 14): parallel samples, one round per sector and period, delete, archive,
# dates as China days
ADMIN_MESSAGES.update(
    {
        "rounds_day": ("{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}"),
        "rounds_days": (
            "{first} 0:00 至 {last} 23:59（北京时间）",
            "{first} 00:00 to {last} 23:59 (China time)",
        ),
        "rounds_parallel": ("平行样本", "Parallel sample"),
        "rounds_parallel_hint": (
            "同一行业、同一监测期、区县重叠的轮次，同一时间只能有一个进行中或未开始。"
            "只有确为平行样本（例如电话抽样与网上调查同时进行）时才勾选；平行样本在看板上"
            "并列显示，不会替代主轮次。",
            "Only one round of a sector may be open or scheduled for a period and "
            "overlapping districts. Tick this only for a true parallel sample (e.g. a "
            "telephone sample beside the web survey): it is shown beside the main round "
            "on the dashboard, never instead of it.",
        ),
        "rounds_is_parallel": ("平行样本", "parallel sample"),
        "rounds_state_archived": ("已归档", "archived"),
        "rounds_err_overlap": (
            "轮次 {other} 已在 {period} 进行或已安排，区县与本轮重叠。请先结束、删除或归档"
            "该轮次；如确为平行样本，请勾选“平行样本”。",
            "Round {other} is already open or scheduled for {period} with overlapping "
            "districts. Close, delete or archive it first, or tick “Parallel sample” if "
            "this is one.",
        ),
        "rounds_err_has_responses": (
            "轮次 {round_code} 已有 {n} 份答卷，不能删除；可以归档（不再显示，数据保留）。",
            "Round {round_code} has {n} response(s) and cannot be deleted; archive it "
            "instead (hidden, data kept).",
        ),
        "rounds_err_already_archived": (
            "轮次 {round_code} 已归档。",
            "Round {round_code} is already archived.",
        ),
        "rounds_remove": ("删除或归档", "Delete or archive"),
        "rounds_delete": ("删除轮次", "Delete the round"),
        "rounds_delete_hint": (
            "本轮尚无答卷：误建的轮次可以删除（连同邀请码），并记入审计日志。",
            "This round has no response: a round made by mistake can be deleted (with "
            "its invitation codes); the audit log keeps a record.",
        ),
        "rounds_delete_confirm_title": ("确认删除调查轮次 {code}？", "Delete round {code}?"),
        "rounds_delete_confirm": (
            "删除后该轮次及其邀请码将不复存在，调查链接失效。此操作不能撤销，并记入审计日志。",
            "The round and its invitation codes will be gone and its link will stop "
            "working. This cannot be undone and is written to the audit log.",
        ),
        "rounds_delete_button": ("确认删除", "Delete it"),
        "rounds_deleted": ("调查轮次 {code} 已删除。", "Round {code} deleted."),
        "rounds_archive": ("归档轮次", "Archive the round"),
        "rounds_archive_hint": (
            "本轮已有 {n} 份答卷，不能删除。归档后不再出现在看板、指数和公报中，答卷保留在"
            "数据库中；进行中的轮次同时结束。",
            "This round has {n} response(s) and cannot be deleted. Archived, it no longer "
            "appears on the dashboards, in the indices or in bulletins; its responses stay "
            "in the database, and an open round is closed.",
        ),
        "rounds_archive_confirm_title": ("确认归档调查轮次 {code}？", "Archive round {code}?"),
        "rounds_archive_confirm": (
            "归档后本轮不再计入看板、指数和公报，居民也不能再提交答卷；答卷保留。"
            "此操作记入审计日志。",
            "Once archived the round no longer counts on dashboards, in indices or "
            "bulletins, and residents can no longer answer; the responses are kept. "
            "This is written to the audit log.",
        ),
        "rounds_archive_button": ("确认归档", "Archive it"),
        "rounds_archived": ("调查轮次 {code} 已归档。", "Round {code} archived."),
        "rounds_is_archived": (
            "本轮已于 {date} 归档：不显示在看板和公报中，答卷保留。",
            "This round was archived on {date}: hidden from dashboards and bulletins, its "
            "responses kept.",
        ),
    }
)

for _key, _texts in ADMIN_MESSAGES.items():
    MESSAGES.setdefault(_key, _texts)


def both(key: str, **params: object) -> tuple[str, str]:
    """The Chinese and the English wording of ``key``, in that order."""
    return t(key, "zh", **params), t(key, "en", **params)
