"""Texts of the resident survey pages, merged into :data:`surveyapp.i18n.MESSAGES`.

Same shape as the shared table: ``key: (zh, en)``.  Keys already defined there are
never overridden, so the shared wording wins.
"""

from __future__ import annotations

from surveyapp.i18n import MESSAGES

SURVEY_MESSAGES: dict[str, tuple[str, str]] = {
    "skip_to_content": ("跳到主要内容", "Skip to main content"),
    "page_tools": ("显示设置", "Display settings"),
    "required_mark": ("（必答）", "(required)"),
    "token_label": ("邀请码", "Invitation code"),
    "token_hint": (
        "请输入邀请函或短信上的邀请码，例如 K7Q2-9MXD。",
        "Enter the code from your invitation letter or message, e.g. K7Q2-9MXD.",
    ),
    "open_hint": ("最多 {max} 个字，可不填。", "Up to {max} characters; optional."),
    "open_hint_required": ("最多 {max} 个字。", "Up to {max} characters."),
    "error_prefix": ("错误：", "Error: "),
    "not_found_title": ("未找到该调查", "Survey not found"),
    "not_found_body": (
        "链接可能有误，请检查二维码或链接是否完整。",
        "The link may be wrong; please check that the QR code or link is complete.",
    ),
    "closed_title": ("本轮调查已结束", "This survey round is closed"),
    "not_open_title": ("本轮调查尚未开始", "This survey round has not started yet"),
    "not_open_body": (
        "本轮调查将于 {date} 开始，欢迎届时参与。",
        "This round opens on {date}; you are welcome to answer then.",
    ),
    "unavailable_title": ("系统繁忙", "Service busy"),
    "unavailable_page": (
        "系统暂时无法处理您的请求。请稍等片刻，然后用浏览器的“返回”回到上一页再提交，已填写的答案仍在页面上。",
        "We cannot handle your request right now. Please wait a moment, go back in your "
        "browser and submit again; your answers are still on that page.",
    ),
    "back_home": ("返回首页", "Back to the home page"),
    "start_survey": ("开始填写", "Start the survey"),
    "closes_on": ("截止时间：{date}", "Closes: {date}"),
    "period_label": ("调查期：{period}", "Period: {period}"),
    "home_intro": (
        "请选择您要参与的调查。调查匿名进行，每轮只需填写一次。",
        "Choose a survey to answer. Surveys are anonymous; answer each round once.",
    ),
    "minutes_hint": ("共 {pages} 页", "{pages} pages"),
    "thanks_unsent_title": ("未收到您的答卷", "No answers received from this page"),
    "thanks_unsent_body": (
        "打开此页面并不代表已经提交。如果您已填完问卷，提交后会自动显示感谢页；如尚未填写，请从下面的链接开始。",
        "Opening this page does not mean answers were submitted. After you submit, a "
        "thank-you page appears by itself; if you have not answered yet, start below.",
    ),
    "thanks_again": (
        "如需了解其他调查，请返回首页。",
        "To see other surveys, go back to the home page.",
    ),
}

for _key, _texts in SURVEY_MESSAGES.items():
    MESSAGES.setdefault(_key, _texts)
