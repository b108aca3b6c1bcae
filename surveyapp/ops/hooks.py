"""Per-request overhead that Flask repeats for nothing: the sync check of every hook.

Flask passes each before/after-request hook, teardown hook, error handler and view
through :meth:`Flask.ensure_sync` on every request, which asks :mod:`inspect` whether
the function is a coroutine function: about fifteen times per request in this
application, a tenth of a bare ``/healthz``.  The answer never changes for a given
function, so it is remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

#: Beyond this many distinct functions the answer is no longer remembered (a caller
#: passing a new function each time would otherwise grow the table without end).
MAX_REMEMBERED = 4096


def remember_sync_checks(app: Flask) -> None:
    """Wrap ``app.ensure_sync`` so each function is checked once (idempotent)."""
    original = app.ensure_sync
    if getattr(original, "surveyapp_cached", False):
        return
    known: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return known[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable: asked each time, as Flask does
            return original(func)
        result = original(func)
        if len(known) < MAX_REMEMBERED:
            known[func] = result
        return result

    ensure_sync.surveyapp_cached = True  # type: ignore[attr-defined]
    app.ensure_sync = ensure_sync  # type: ignore[method-assign]
