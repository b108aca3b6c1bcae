"""Texts of the abuse defences, merged into :data:`surveyapp.i18n.MESSAGES` (``key: (zh, en)``)."""

from __future__ import annotations

from surveyapp.i18n import MESSAGES

SECURITY_MESSAGES: dict[str, tuple[str, str]] = {
    "honeypot_label": ("网站（请勿填写）", "Website (leave this empty)"),
    "form_only_title": ("无法识别的提交", "Submission not understood"),
    "form_only_body": (
        "请在调查页面上填写并提交问卷。",
        "Please answer the survey on its pages and submit it from there.",
    ),
    "too_large_title": ("提交内容过大", "Submission too large"),
    "too_large_page": (
        "提交的内容超出了允许的大小。请返回上一页，缩短填写的文字后再提交。",
        "What was sent is larger than allowed. Please go back, shorten your text and submit again.",
    ),
    "no_endpoint": (
        "没有这个接口地址（见 /api/v1/openapi.json）",
        "no such API address (see /api/v1/openapi.json)",
    ),
    "method_not_allowed": (
        "该接口地址不接受此请求方法",
        "this API address does not accept that method",
    ),
    "expired_title": ("页面已过期", "The page has expired"),
    "expired_page": (
        "为安全起见，表单打开太久或在别的窗口登录后会失效，刚才的提交没有生效。"
        "请点击“重新打开本页”，再提交一次。",
        "For your security a form stops working after a while, or after signing in "
        "elsewhere, so what you just sent was not used. Open the page again and submit "
        "once more.",
    ),
    "expired_retry": ("重新打开本页", "Open the page again"),
    "rate_limited_title": ("提交过于频繁", "Too many attempts"),
    "rate_limited_page": (
        "提交过于频繁。请在 {seconds} 秒后再次提交，您已填写的答案仍保留在本页。",
        "Too many attempts from your network. Please submit again in {seconds} seconds; "
        "your answers are still on this page.",
    ),
}

for _key, _texts in SECURITY_MESSAGES.items():
    MESSAGES.setdefault(_key, _texts)
