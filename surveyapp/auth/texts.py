"""Message ids the account pages build from a value, listed for extraction.

The texts are in the catalogs (``surveyapp/translations``); the pages look these up as
``t(f"auth_{code}")`` (the codes of a refused password change), ``t(f"users_error_{code}")``
(the codes of :class:`surveyapp.accounts.service.AccountError`) and ``_('role_' ~ role)``.
"""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("auth_password_is_username"),
    N_("auth_password_short"),
    N_("auth_password_unchanged"),
    N_("auth_password_weak"),
    N_("auth_wrong_password"),
    N_("users_error_bad_role"),
    N_("users_error_bad_username"),
    N_("users_error_bureau_needs_sector"),
    N_("users_error_sectors_only_bureau"),
    N_("users_error_username_taken"),
    N_("role_admin"),
    N_("role_evaluator"),
    N_("role_bureau"),
    N_("role_viewer"),
)
