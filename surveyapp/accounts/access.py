"""``roles_required``: every logged-in route names the roles that may open it;
``visible_sector`` and ``visible_sectors``: the sectors the signed-in account may see."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, render_template
from flask_login import current_user

from surveyapp.accounts.setup import login_manager
from surveyapp.models.user import ROLES
from surveyapp.sectors import SECTORS, Sector, sector


def roles_required(*roles: str) -> Callable:
    """Anonymous → redirect to the login page (302); wrong role → 403 page.

    ``roles_required()`` without roles admits every logged-in account.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {', '.join(ROLES)}")
    allowed = set(roles or ROLES)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                return render_template("auth/forbidden.html"), 403
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def visible_sector(code: str) -> str:
    """``code``, a sector the signed-in account may see: 404 when no sector has that
    code, 403 when it is another bureau's."""
    if sector(code) is None:
        abort(404)
    if not current_user.may_see_sector(code):
        abort(403)
    return code


def visible_sectors() -> list[Sector]:
    """The sectors the signed-in account may see, in the catalogue's order."""
    return [s for s in SECTORS if current_user.may_see_sector(s.code)]
