"""User-facing texts, Chinese first with English, and zh-CN number/date formatting.

Texts live here, at the edge; services and the analysis never hold wording.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LANGS = ("zh", "en")
CHINA_TZ = ZoneInfo("Asia/Shanghai")

MESSAGES: dict[str, tuple[str, str]] = {
    # field errors (used by the form and the JSON API)
    "required": ("此题为必答题", "this question is required"),
    "not_integer": ("须为 {min} 到 {max} 之间的整数", "must be an integer from {min} to {max}"),
    "out_of_range": ("须为 {min} 到 {max} 之间的整数", "must be an integer from {min} to {max}"),
    "unknown_option": ("不是可选的选项", "unknown option"),
    "unknown_field": ("问卷中没有这一题", "not a question of this questionnaire"),
    "not_text": ("须为文字", "must be text"),
    "too_long": ("不能超过 {max} 个字", "must be at most {max} characters"),
    "not_object": ("须为 JSON 对象", "must be a JSON object"),
    "bad_datetime": (
        "须为 ISO 8601 时间，例如 2026-09-01T10:02:11+08:00",
        "must be an ISO 8601 time such as 2026-09-01T10:02:11+08:00",
    ),
    "bad_channel": (
        "须为 web、miniprogram、kiosk、phone 或 paper 之一",
        "must be one of web, miniprogram, kiosk, phone, paper",
    ),
    "channel_mismatch": (
        "与渠道密钥的渠道（{channel}）不符；可省略此字段",
        "contradicts the channel of the key ({channel}); leave it out",
    ),
    "token_required": ("本轮调查需要邀请码", "this round requires an invitation token"),
    "token_unknown": ("邀请码无效", "unknown invitation token"),
    # request-level errors
    "invalid": ("提交内容有误，请检查标出的题目", "the submission has errors in the fields listed"),
    "duplicate": (
        "本设备或邀请码已经提交过本轮问卷",
        "this device or invitation has already answered this round",
    ),
    "token_used": ("该邀请码已经使用过", "this invitation token has been used already"),
    "not_found": ("未找到该调查", "no such survey round"),
    "round_closed": ("本轮调查已结束", "this survey round is closed"),
    "round_not_open": ("本轮调查尚未开始", "this survey round is not open yet"),
    "unavailable": (
        "系统繁忙，请稍后再试，您的答案不会丢失",
        "the service is busy; please try again shortly",
    ),
    "too_large": ("提交内容过大", "the request body is too large"),
    "not_json": (
        "请求须为 JSON（Content-Type: application/json）",
        "the request body must be JSON (Content-Type: application/json)",
    ),
    "bad_json": ("请求不是有效的 UTF-8 JSON", "the request body is not valid UTF-8 JSON"),
    "no_questionnaire": ("未找到该问卷", "no such questionnaire"),
    "rate_limited": ("提交过于频繁，请稍后再试", "too many requests; please try again later"),
    "csrf": ("页面已过期，请重新提交", "the page expired; please submit again"),
    # survey pages
    "survey_progress": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "next": ("下一页", "Next"),
    "back": ("上一页", "Back"),
    "submit": ("提交问卷", "Submit"),
    "not_applicable": ("不了解/不适用", "Don't know / not applicable"),
    "choose": ("请选择", "Please choose"),
    "about_you": ("基本情况", "About you"),
    "overall_title": ("总体评价与建议", "Overall rating and suggestions"),
    "optional": ("（选答）", "(optional)"),
    "errors_summary": (
        "有 {n} 道题需要补充或修改，已在题目下方标出。",
        "{n} answers need attention; they are marked below.",
    ),
    "thanks_title": ("感谢您的参与！", "Thank you!"),
    "thanks_body": (
        "您的回答已成功提交。您的意见将帮助改进本地生活服务质量。",
        "Your answers have been received. They help improve local services.",
    ),
    "already_title": ("您已参与过本轮调查", "You have already answered this round"),
    "already_body": (
        "每位居民每轮只需填写一次，感谢您的支持。",
        "Each resident answers once per round. Thank you.",
    ),
    "closed_body": (
        "本轮调查已结束或尚未开始，感谢您的关注。",
        "This round is closed or not open yet.",
    ),
    "privacy": (
        "本调查匿名进行，不收集姓名、电话等个人信息。",
        "This survey is anonymous: no name or phone number is collected.",
    ),
    "large_text": ("大字模式", "Larger text"),
    "normal_text": ("标准字号", "Normal text"),
    "lang_switch": ("English", "中文"),
    "site_title": ("生活性服务业满意度调查", "Life services satisfaction survey"),
    "rounds_open": ("正在进行的调查", "Open surveys"),
    "no_rounds": ("目前没有正在进行的调查。", "No survey is open right now."),
}


def t(key: str, lang: str = "zh", **params: object) -> str:
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def pick_lang(value: str | None, default: str = "zh") -> str:
    return value if value in LANGS else default


def lang_from_accept(header: str | None) -> str:
    """zh unless the Accept-Language header prefers English over Chinese."""
    if not header:
        return "zh"
    best = ("zh", -1.0)
    for part in header.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        lang = (
            "en" if tag.lower().startswith("en") else "zh" if tag.lower().startswith("zh") else None
        )
        if lang and weight > best[1]:
            best = (lang, weight)
    return best[0]


def format_number(value: float, digits: int = 1) -> str:
    """zh-CN grouping: 1,234,567.8 (the CLDR zh-CN pattern is #,##0.###)."""
    return f"{value:,.{digits}f}"


def format_date(value: datetime, lang: str = "zh") -> str:
    local = value.astimezone(CHINA_TZ)
    if lang == "en":
        return local.strftime("%Y-%m-%d %H:%M")
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
