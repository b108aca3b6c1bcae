"""Message ids the provider pages build from a value, listed for extraction: the codes
of :class:`surveyapp.providers.comments.CommentError` (``t(f"prov_error_{code}")``), and
the provider role's name and account error of the account pages (``_('role_' ~ role)``,
``t(f"users_error_{code}")``), which that role brings."""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("prov_error_not_found"),
    N_("prov_error_forbidden"),
    N_("prov_error_already_hidden"),
    N_("prov_error_already_replied"),
    N_("prov_error_empty"),
    N_("prov_error_long"),
    N_("role_provider"),
    N_("users_error_provider_account"),
)
