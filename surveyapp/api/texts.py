"""Message ids the API builds from a value, listed for extraction.

``token_<problem>`` and ``key_<problem>`` are the 401 answers of the bearer checks
(:mod:`surveyapp.api.bearer`), ``tokens_error_<code>`` the codes of a refused token on
the token page.
"""

from __future__ import annotations

from surveyapp.i18n import N_

LOOKED_UP = (
    N_("token_missing"),
    N_("token_malformed"),
    N_("token_invalid"),
    N_("token_revoked"),
    N_("token_inactive"),
    N_("key_missing"),
    N_("key_malformed"),
    N_("key_invalid"),
    N_("key_revoked"),
    N_("tokens_error_token_already_revoked"),
    N_("tokens_error_token_owner_inactive"),
)
