"""Texts of the account pages, merged into :data:`surveyapp.i18n.MESSAGES` (``key: (zh, en)``).

Keys already defined there are never overridden, so the shared wording wins.
"""

from __future__ import annotations

from surveyapp.i18n import MESSAGES

AUTH_MESSAGES: dict[str, tuple[str, str]] = {
    "auth_login_title": ("登录", "Sign in"),
    "auth_username": ("用户名", "Username"),
    "auth_password": ("密码", "Password"),
    "auth_login_button": ("登录", "Sign in"),
    "auth_logout": ("退出登录", "Sign out"),
    "auth_logout_everywhere": ("退出所有设备", "Sign out everywhere"),
    "auth_logout_everywhere_hint": (
        "结束此账户在所有设备和浏览器上的登录，包括当前这一个。",
        "Ends every session of this account on every device and browser, this one included.",
    ),
    "auth_logged_out": (
        "您已退出登录（此账户在其他设备上的登录也已结束）。",
        "You have signed out (this account's sessions on other devices have ended too).",
    ),
    "auth_logged_out_everywhere": (
        "已退出所有设备，请重新登录。",
        "Signed out everywhere; please sign in again.",
    ),
    "auth_bad_credentials": ("用户名或密码错误。", "Wrong username or password."),
    "auth_inactive": ("该账户已停用。", "This account is disabled."),
    "auth_throttled": (
        "登录失败次数过多，请{wait}后再试。",
        "Too many failed sign-ins; please try again in {wait}.",
    ),
    "auth_wait_seconds": ("{n} 秒", "{n} seconds"),
    "auth_wait_minutes": ("{n} 分钟", "{n} minutes"),
    "auth_login_required": ("请先登录。", "Please sign in first."),
    "auth_change_title": ("修改密码", "Change password"),
    "auth_change_forced": (
        "首次登录须设置新密码后才能继续使用。",
        "Please choose a new password before you continue.",
    ),
    "auth_current_password": ("当前密码", "Current password"),
    "auth_new_password": (
        "新密码（至少 10 个字符，不能是常见密码）",
        "New password (at least 10 characters, not a common password)",
    ),
    "auth_confirm_password": ("再次输入新密码", "New password again"),
    "auth_change_button": ("保存新密码", "Save the new password"),
    "auth_password_changed": (
        "密码已修改。其他设备上的登录已结束。",
        "Password changed; other sessions have ended.",
    ),
    "auth_passwords_differ": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "auth_wrong_password": ("当前密码不正确。", "The current password is wrong."),
    "auth_password_short": (
        "新密码至少需要 10 个字符。",
        "The new password needs at least 10 characters.",
    ),
    "auth_password_weak": (
        "新密码太常见或太容易被猜到（如 password123、qwertyuiop、生日、键盘连续键）。"
        "请使用更长的、由几个不相关的词组成的短语。",
        "The new password is too common or too easy to guess (like password123, "
        "qwertyuiop, a date or a keyboard row). Use a longer phrase of unrelated words.",
    ),
    "auth_password_is_username": (
        "密码不能与用户名相同。",
        "The password must not be the username.",
    ),
    "auth_password_unchanged": (
        "新密码不能与当前密码相同。",
        "The new password must differ from the current one.",
    ),
    "auth_field_required": ("此项必填。", "This field is required."),
    "auth_account": ("账户：{name}（{role}）", "Account: {name} ({role})"),
    "auth_forbidden_title": ("无权访问", "Access denied"),
    "auth_forbidden_body": (
        "您的账户没有访问此页面的权限。",
        "Your account may not open this page.",
    ),
    "role_admin": ("管理员", "administrator"),
    "role_evaluator": ("评估人员", "evaluator"),
    "role_bureau": ("行业主管部门", "sector bureau"),
    "role_viewer": ("只读用户", "viewer"),
    # user administration
    "users_title": ("用户管理", "Users"),
    "users_create_title": ("新建用户", "New user"),
    "users_role": ("角色", "Role"),
    "users_sectors": (
        "负责行业（仅行业主管部门，逗号分隔）",
        "Sectors (bureau only, comma-separated)",
    ),
    "users_create_button": ("创建用户", "Create user"),
    "users_created": (
        "已创建用户 {name}。初始密码：{password}（只显示这一次，首次登录须修改）。",
        "User {name} created. Initial password: {password} (shown once; must be changed at first sign-in).",
    ),
    "users_last_login": ("最近登录", "Last sign-in"),
    "users_locked": ("登录受限（失败过多）", "Sign-ins held back (failures)"),
    "users_unlock": ("解锁", "Unlock"),
    "users_unlocked": ("已解锁用户 {name}。", "User {name} unlocked."),
    "users_never": ("从未", "never"),
    "users_audit_title": ("最近的操作记录", "Recent audit log"),
    "users_audit_at": ("时间", "When"),
    "users_audit_actor": ("操作人", "Who"),
    "users_audit_action": ("操作", "Action"),
    "users_audit_target": ("对象", "Target"),
    "users_error_bad_username": (
        "用户名须为 1-64 个字符且不含空格。",
        "The username must be 1-64 characters without spaces.",
    ),
    "users_error_bad_role": ("未知角色。", "Unknown role."),
    "users_error_username_taken": ("该用户名已存在。", "This username already exists."),
    "users_error_bureau_needs_sector": (
        "行业主管部门账户至少需要一个行业。",
        "A bureau account needs at least one sector.",
    ),
    "users_error_sectors_only_bureau": (
        "只有行业主管部门账户可以设置行业。",
        "Only bureau accounts have sectors.",
    ),
    "nav_dashboard": ("监测看板", "Dashboard"),
    "nav_users": ("用户管理", "Users"),
    "nav_bulletins_manage": ("发布公报", "Publish bulletins"),
    "nav_password": ("修改密码", "Password"),
}

for _key, _texts in AUTH_MESSAGES.items():
    MESSAGES.setdefault(_key, _texts)
