"""Texts of the read API and of the token page, merged into :data:`surveyapp.i18n.MESSAGES`.

``key: (zh, en)``; keys already defined there are never overridden.
"""

from __future__ import annotations

from surveyapp.i18n import MESSAGES

API_MESSAGES: dict[str, tuple[str, str]] = {
    # errors of the read API (``error`` codes of the JSON body)
    "token_missing": (
        "缺少访问令牌：请在请求头中发送 Authorization: Bearer <令牌>",
        "missing token: send the header Authorization: Bearer <token>",
    ),
    "token_malformed": (
        "Authorization 请求头须为“Bearer <令牌>”",
        'the Authorization header must be "Bearer <token>"',
    ),
    "token_invalid": ("访问令牌无效", "unknown token"),
    "token_revoked": ("访问令牌已被吊销", "this token has been revoked"),
    # errors of the submission API's channel keys
    "key_missing": (
        "缺少渠道密钥：请在请求头中发送 Authorization: Bearer <密钥>（由管理员为每个自助终端、"
        "小程序后台或呼叫中心创建）；居民请使用调查页面作答",
        "missing channel key: send the header Authorization: Bearer <key> (an administrator "
        "makes one per kiosk, mini-program back end or call centre); residents answer on the "
        "survey pages",
    ),
    "key_malformed": (
        "Authorization 请求头须为“Bearer <密钥>”",
        'the Authorization header must be "Bearer <key>"',
    ),
    "key_invalid": ("渠道密钥无效", "unknown channel key"),
    "key_revoked": ("渠道密钥已被吊销", "this channel key has been revoked"),
    "key_round_forbidden": (
        "此渠道密钥不能向调查轮次 {round} 提交答卷",
        "this channel key may not post to round {round}",
    ),
    "analysis_pending": (
        "该调查轮次答卷较多，分析结果正在计算，请按 Retry-After 稍后再试",
        "this round's analysis is being computed (a large round): retry after Retry-After seconds",
    ),
    "token_inactive": ("令牌所属的账户已停用", "the account owning this token is disabled"),
    "sector_forbidden": (
        "此令牌所属账户无权查看该行业的数据",
        "the account owning this token may not see this sector",
    ),
    "role_forbidden": (
        "此令牌所属账户的角色不能读取单份答卷（只读用户只能查看汇总指数）",
        "the account owning this token may not read individual responses "
        "(viewers read the aggregate indices only)",
    ),
    "bad_parameter": ("参数 {parameter} 无效：{reason}", "bad parameter {parameter}: {reason}"),
    "param_required": ("必须提供", "it is required"),
    "param_int_range": (
        "须为 {min} 到 {max} 之间的整数",
        "must be an integer from {min} to {max}",
    ),
    "param_choice": ("须为以下之一：{choices}", "must be one of: {choices}"),
    "param_cursor": (
        "须为上一页返回的 next_cursor",
        "must be the next_cursor returned by the previous page",
    ),
    # the token page
    "tokens_title": ("API 访问令牌", "API tokens"),
    "tokens_intro": (
        "令牌用于以程序读取指数和答卷数据（/api/v1/indices、/api/v1/rounds/…/responses），"
        "权限与所属账户相同。令牌只在创建时显示一次，请妥善保存；不再使用时请吊销。",
        "A token lets a program read the indices and responses "
        "(/api/v1/indices, /api/v1/rounds/…/responses) with its account's rights. It is shown "
        "once, when it is made: keep it safe, and revoke it when it is no longer needed.",
    ),
    "tokens_name": ("令牌名称（用途）", "Token name (what it is for)"),
    "tokens_create_button": ("创建令牌", "Create token"),
    "tokens_created": (
        "已创建令牌“{name}”。请立即复制，离开本页后将无法再次查看：",
        'Token "{name}" created. Copy it now; it cannot be shown again:',
    ),
    "tokens_none": ("尚无令牌。", "No tokens yet."),
    "tokens_col_name": ("名称", "Name"),
    "tokens_owner": ("所属账户", "Account"),
    "tokens_created_at": ("创建时间", "Created"),
    "tokens_last_used": ("最近使用", "Last used"),
    "tokens_never": ("从未", "never"),
    "tokens_state": ("状态", "State"),
    "tokens_active": ("有效", "active"),
    "tokens_revoked_state": ("已吊销", "revoked"),
    "tokens_revoke": ("吊销", "Revoke"),
    "tokens_revoked": ("令牌“{name}”已吊销。", 'Token "{name}" revoked.'),
    "tokens_not_found": ("未找到该令牌。", "No such token."),
    "tokens_error_token_bad_name": (
        "令牌名称须为 1-100 个字符。",
        "The token name must be 1-100 characters.",
    ),
    "tokens_error_token_owner_inactive": ("该账户已停用。", "This account is disabled."),
    "tokens_error_token_already_revoked": ("该令牌已被吊销。", "This token is already revoked."),
    "nav_tokens": ("API 令牌", "API tokens"),
}

for _key, _texts in API_MESSAGES.items():
    MESSAGES.setdefault(_key, _texts)
